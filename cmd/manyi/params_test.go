package main

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"manyi/internal/store"
)

// TestBadQueryParams: every page that takes a week, month or day in its query refuses a
// malformed one with 400 and a message, in the user's language, that names the parameter and
// repeats the value; a valid value still opens the page. So do the tracking table's status
// and source filters, the inspection kind and every record id a list filters by.
func TestBadQueryParams(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		c := demoClient(t, m.URL(), "clerk")
		for _, tc := range []struct {
			path, param, bad, good string
			zh, en                 string // the parameter as the message names it
		}{
			{"/sampling", "week", "abc", "2026-W10", "周", "Week"},
			{"/sampling/report.xlsx", "week", "2026-W60", "", "周", "Week"},
			{"/inspections", "month", "2026-13", "2026-01", "月份", "Month"},
			{"/inspections", "day", "2026-02-30", "2026-02-27", "日期", "Day"},
			{"/inspections/findings", "month", "2026-1", "2026-01", "月份", "Month"},
			{"/inspections/units", "month", "2026-13", "2026-01", "月份", "Month"},
			{"/inspections/people", "month", "13-2026", "2026-01", "月份", "Month"},
			{"/inspections/duty", "day", "2026-02-30", "2026-02-27", "日期", "Day"},
			{"/workorders", "day", "yesterday", "2026-02-27", "日期", "Day"},
			{"/workorders/daily", "day", "2026-02-30", "2026-02-27", "日期", "Day"},
			{"/workorders/export.xlsx", "day", "2026-02-30", "", "日期", "Day"},
			{"/workorders/monthly", "month", "2026-13", "2026-01", "月份", "Month"},
			{"/workorders/monthly", "centre", "abc", "", "维修中心", "Maintenance centre"},
			{"/workorders/followups", "month", "2026-13", "2026-01", "月份", "Month"},
			{"/workorders/duty", "from", "2026-02-30", "2026-02-27", "开始日期", "From"},
			{"/complaints", "month", "2026-13", "2026", "月份", "Month"},
			{"/complaints/stats", "month", "abc", "2026-01", "月份", "Month"},
			{"/targets", "month", "2026-13", "2026-01", "月份", "Month"},
			{"/assessment/evidence", "month", "2026-13", "2026-01", "月份", "Month"},
			{"/inspections/checks", "quarter", "2026-Q5", "2026-Q3", "季度", "Quarter"},
			{"/improvements", "status", "closed", "open", "状态", "Status"},
			{"/improvements", "source_kind", "fax", "complaint", "来源类别", "Source kind"},
			{"/inspections", "kind", "picnic", "spot_check", "类型", "Kind"},
			{"/inspections/findings", "kind", "picnic", "routine", "类型", "Kind"},
			{"/inspections", "unit", "abc", "", "单位", "Unit"},
			{"/inspections/findings", "person", "-3", "", "人员", "Person"},
			{"/complaints", "unit", "1x", "", "单位", "Unit"},
			{"/complaints", "same_contact", "0", "", "同一投诉人", "Same complainant"},
			{"/complaints/stats", "unit", "abc", "", "单位", "Unit"},
			{"/surveys/answers", "campaign", "abc", "", "调查", "Campaign"},
			{"/surveys/followups", "unit", "abc", "", "单位", "Unit"},
			{"/workorders", "team", "abc", "", "班组", "Team"},
			{"/improvements", "unit_id", "abc", "", "所属单位", "Unit"},
			{"/org/people", "unit", "abc", "", "单位", "Unit"},
			{"/bookings", "unit", "abc", "", "单位", "Unit"},
			{"/assessment/evidence", "unit", "abc", "", "单位", "Unit"},
		} {
			for _, lang := range []struct{ code, name string }{{"zh-CN", tc.zh}, {"en", tc.en}} {
				c.get("/lang/" + lang.code + "?next=/")
				status, page := c.get(tc.path + "?" + tc.param + "=" + tc.bad)
				if status != http.StatusBadRequest {
					t.Errorf("%s?%s=%s (%s): %d, want 400", tc.path, tc.param, tc.bad, lang.code, status)
					continue
				}
				alerts := htmlNodes(t, page, func(n *html.Node) bool { return nodeAttr(n, "role") == "alert" })
				if len(alerts) != 1 {
					t.Errorf("%s?%s=%s: %d alerts on the error page", tc.path, tc.param, tc.bad, len(alerts))
					continue
				}
				msg := htmlText(alerts[0])
				if !strings.HasPrefix(msg, lang.name) || !strings.Contains(msg, tc.bad) {
					t.Errorf("%s?%s=%s (%s): message %q does not name %q and the value", tc.path, tc.param, tc.bad, lang.code, msg, lang.name)
				}
			}
			if tc.good != "" {
				if status, _ := c.get(tc.path + "?" + tc.param + "=" + tc.good); status != http.StatusOK {
					t.Errorf("%s?%s=%s: %d, want 200", tc.path, tc.param, tc.good, status)
				}
			}
		}
	})
}
