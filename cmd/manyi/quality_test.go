package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"manyi/internal/demo"
	"manyi/internal/inspection"
	"manyi/internal/store"
)

// lastQuarter is the last complete quarter before now, and its last month.
func lastQuarter(now time.Time) (quarter, lastMonth string) {
	now = now.In(inspection.Zone)
	first := time.Date(now.Year(), now.Month()-(now.Month()-1)%3-3, 1, 0, 0, 0, 0, inspection.Zone)
	last := first.AddDate(0, 2, 0).Format("2006-01")
	return inspection.QuarterOf(last), last
}

// TestQualityBoard: on the demo, the work group's quarter board shows the logistics
// departments' reports with a spot-check penalty; a report for the current month is refused on
// the form with its reason and nothing stored; the missing report of 计量检测中心 is filed from
// the board's link and the board then shows it.
func TestQualityBoard(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		now := m.DB.Now().In(inspection.Zone)
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)
		q, _ := lastQuarter(now)
		status, board := clerk.get("/inspections/checks?quarter=" + q)
		if status != http.StatusOK || !strings.Contains(board, "储运中心") || !strings.Contains(board, "武汉业务部") ||
			!regexp.MustCompile(`<td class="num penalty">\d`).MatchString(board) || !strings.Contains(board, `data-state="on_time"`) {
			t.Fatalf("the %s board: %d %.3000s", q, status, board)
		}
		// This quarter: last month's report of 计量检测中心 has not come in.
		cur := inspection.QuarterOf(now.Format("2006-01"))
		lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, inspection.Zone).Format("2006-01")
		bq := inspection.QuarterOf(lastMonth)
		_, board = clerk.get("/inspections/checks?quarter=" + bq)
		jl := unitID(t, clerk, "计量检测中心")
		row := regexp.MustCompile(`<tr data-unit="` + jl + `" data-month="` + lastMonth + `" data-state="(due|missing)">`).FindStringSubmatch(board)
		if row == nil {
			t.Fatalf("计量检测中心's %s report is not shown as due or missing: %.4000s", lastMonth, board)
		}
		link := "/inspections/new?kind=self_check&amp;unit=" + jl + "&amp;month=" + lastMonth + "&amp;quarter=" + bq
		if !strings.Contains(board, link) {
			t.Fatalf("no link to file the report (%s)", link)
		}
		_, form := clerk.get(strings.ReplaceAll(link, "&amp;", "&"))
		if !strings.Contains(form, `name="check_month" value="`+lastMonth+`"`) || !strings.Contains(form, `name="quarter" value="`+bq+`"`) {
			t.Fatalf("the form does not carry the month and quarter: %.3000s", form)
		}
		file := func(month, quarter string) (int, string, string) {
			return clerk.post("/inspections", url.Values{"inspection_kind": {"self_check"}, "unit_id": {jl}, "check_month": {month}, "quarter": {quarter},
				"check_score": {"96"}, "inspection_note": {"计量器具检定台账、检测报告抽查"}, "inspected_at": {now.Format("2006-01-02T15:04")}})
		}
		status, body, _ := file(now.Format("2006-01"), cur)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "尚未结束") {
			t.Fatalf("a report for the current month: %d %.2000s", status, body)
		}
		status, _, loc := file(lastMonth, bq)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/inspections/") {
			t.Fatalf("filing the missing report: %d %s", status, loc)
		}
		_, board = clerk.get("/inspections/checks?quarter=" + bq)
		if !regexp.MustCompile(`<tr data-unit="` + jl + `" data-month="` + lastMonth + `" data-state="(on_time|late)">`).MatchString(board) {
			t.Fatalf("the board after filing: %.4000s", board)
		}

		// The complaint desk's direct deductions: the demo's shows for 武汉业务部; one without a
		// reason is refused on the page, one with is listed.
		_, dd := clerk.get("/complaints/direct?quarter=" + q)
		if !strings.Contains(dd, "武汉业务部") || !strings.Contains(dd, "仓储盘点差错率超标") {
			t.Fatalf("the %s direct deductions: %.3000s", q, dd)
		}
		wh := unitID(t, clerk, "武汉业务部")
		direct := func(reason string) (int, string, string) {
			return clerk.post("/complaints/direct", url.Values{"unit_id": {wh}, "direct_day": {now.Format(time.DateOnly)}, "direct_points": {"1.5"}, "direct_reason": {reason}, "quarter": {cur}})
		}
		if status, body, _ := direct(""); status != http.StatusUnprocessableEntity || !strings.Contains(body, "扣分原因不能为空") {
			t.Fatalf("a direct deduction without a reason: %d %.2000s", status, body)
		}
		if status, _, loc := direct("运单录入差错"); status != http.StatusSeeOther || !strings.Contains(loc, "/complaints/direct?quarter="+cur) {
			t.Fatalf("a direct deduction: %d %s", status, loc)
		}
		if _, dd = clerk.get("/complaints/direct?quarter=" + cur); !strings.Contains(dd, "运单录入差错") {
			t.Fatalf("the new direct deduction is not listed: %.3000s", dd)
		}

		// A key-customer questionnaire for this quarter: departments with their customers.
		_, kc := clerk.get("/surveys/campaigns/new?audience=key_customers")
		if !strings.Contains(kc, `name="customers_`+jl+`"`) || strings.Contains(kc, "玫瑰区") {
			t.Fatalf("the key-customer form: %.3000s", kc)
		}
		campaign := func(customers string) (int, string, string) {
			return clerk.post("/surveys/campaigns", url.Values{"survey_campaign_name": {cur + " 重点客户问卷"}, "survey_quarter": {cur}, "survey_audience": {"key_customers"},
				"survey_template": {optionValue(t, kc, "客户满意度调查问卷（五级）")}, "unit": {jl}, "customers_" + jl: {customers}})
		}
		if status, body, _ := campaign(" \n "); status != http.StatusUnprocessableEntity || !strings.Contains(body, "重点客户不能为空") {
			t.Fatalf("a key-customer campaign without customers: %d %.2000s", status, body)
		}
		if status, _, loc := campaign("华中钢铁集团\n青山热电\n"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/surveys/campaigns/") {
			t.Fatalf("a key-customer campaign: %d %s", status, loc)
		}
	})
}

// TestBrowserQualityBoard looks at the board in Chromium, in Chinese and in English.
func TestBrowserQualityBoard(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("clerk", demo.DemoPassword)
	q, _ := lastQuarter(m.DB.Now())
	b.open("/inspections/checks?quarter=" + q)
	b.do("wait for the board", chromedp.WaitVisible(chromedp.CSS("table.checks")))
	if h := b.text("main h1"); !strings.Contains(h, "自查与抽查") {
		t.Errorf("heading %q", h)
	}
	if s := b.text(`tr[data-state="on_time"] .status`); s != "按时" {
		t.Errorf("an on-time report reads %q", s)
	}
	b.screenshot("quality-board")
	b.open("/complaints/direct?quarter=" + q)
	b.do("wait for the list", chromedp.WaitVisible(chromedp.CSS("table#direct")))
	b.screenshot("direct-deductions")
	b.open("/surveys/campaigns/new?audience=key_customers")
	b.do("wait for the form", chromedp.WaitVisible(chromedp.CSS("form#campaign-form textarea")))
	b.screenshot("key-customer-campaign")
	b.open("/lang/en?next=/inspections/checks?quarter=" + q)
	b.lang = "en"
	b.do("wait for the board", chromedp.WaitVisible(chromedp.CSS("table.checks")))
	if s := b.text(`tr[data-state="on_time"] .status`); s != "On time" {
		t.Errorf("an on-time report reads %q in English", s)
	}
	b.screenshot("quality-board")
	b.open("/complaints/direct?quarter=" + q)
	b.do("wait for the list", chromedp.WaitVisible(chromedp.CSS("table#direct")))
	if h := b.text("main h1"); !strings.HasPrefix(h, "Direct deductions") {
		t.Errorf("heading %q in English", h)
	}
	b.screenshot("direct-deductions")
}
