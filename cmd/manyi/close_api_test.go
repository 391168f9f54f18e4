package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// token logs in and creates an API token on the account page.
func apiToken(t testing.TB, base, username string) map[string]string {
	t.Helper()
	c := newClient(t, base)
	c.login(username, demo.DemoPassword)
	c.get("/account")
	_, page, _ := c.post("/account/tokens", url.Values{"name": {"close"}})
	tm := regexp.MustCompile(`id="new-token">(manyi_[^<]+)<`).FindStringSubmatch(page)
	if tm == nil {
		t.Fatalf("no token for %s: %.300s", username, page)
	}
	return map[string]string{"Authorization": "Bearer " + tm[1], "Content-Type": "application/json"}
}

// TestCloseAPI drives a care-deductions close of the demo through the API with tokens:
// start, the decisions, a refused payroll while it is a draft, the committee's approval, lock,
// the drill-down from a locked result to an inspection finding, the ledger lines with their
// source and the payroll, and the same payroll as XLSX from the ledger page (numbers as
// numbers). A unit head reads only their unit's lines.
func TestCloseAPI(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		api := newClient(t, m.URL())
		clerk, committee := apiToken(t, m.URL(), "clerk"), apiToken(t, m.URL(), "committee")
		call := func(who map[string]string, method, path, body string, want int) map[string]any {
			t.Helper()
			status, out, _ := api.do(method, path, strings.NewReader(body), who)
			if status != want {
				t.Fatalf("%s %s: %d, want %d: %.500s", method, path, status, want, out)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			return v
		}
		units := call(clerk, "GET", "/api/v1/units?kind=company", "", 200)
		var care float64
		for _, u := range units["items"].([]any) {
			if u := u.(map[string]any); u["name"] == "养老中心" {
				care = u["id"].(float64)
			}
		}
		month := demoMonth(-2) // the demo approved last month's close; this one is open
		c := call(clerk, "POST", "/api/v1/assessment/closes", fmt.Sprintf(`{"scheme_code": "care-deductions", "period": %q, "parent_unit_id": %d}`, month, int64(care)), 201)
		id := int64(c["id"].(float64))
		closeURL := fmt.Sprintf("/api/v1/assessment/closes/%d", id)
		// A second close of the scheme and period names the period.
		e := call(clerk, "POST", "/api/v1/assessment/closes", fmt.Sprintf(`{"scheme_code": "care-deductions", "period": %q, "parent_unit_id": %d}`, month, int64(care)), 409)
		if e["error"].(map[string]any)["field"] != "period" && e["error"].(map[string]any)["field"] != "assessment_period" {
			t.Fatalf("second close: %v", e)
		}
		// The payroll of the month is refused while the close is a draft.
		e = call(committee, "GET", "/api/v1/assessment/payroll?month="+month, "", 422)
		if !strings.Contains(fmt.Sprint(e), "care-deductions "+month) {
			t.Fatalf("payroll of a draft: %v", e)
		}
		call(clerk, "POST", closeURL+"/approve", "", 403)
		call(committee, "POST", closeURL+"/approve", "", 200)
		call(clerk, "POST", closeURL+"/lock", "", 200)

		v := call(committee, "GET", closeURL, "", 200)
		if v["close"].(map[string]any)["status"] != "locked" {
			t.Fatalf("close: %v", v["close"])
		}
		var subject map[string]any
		for _, r := range v["results"].([]any) {
			r := r.(map[string]any)
			res := r["result"].(map[string]any)
			if tot, _ := res["total"].(string); tot != "" && tot != "0" && r["person_id"] != nil {
				subject = r
				break
			}
		}
		if subject == nil {
			t.Fatalf("no person with deductions: %v", v["results"])
		}
		rv := call(committee, "GET", fmt.Sprintf("%s/result?unit_id=%d&person_id=%d", closeURL, int64(subject["unit_id"].(float64)), int64(subject["person_id"].(float64))), "", 200)
		comps := rv["components"].([]any)
		facts := comps[0].(map[string]any)["Facts"].([]any)
		recs := facts[0].(map[string]any)["Records"].([]any)
		if len(recs) == 0 || !strings.HasPrefix(recs[0].(map[string]any)["url"].(string), "/inspections/") {
			t.Fatalf("drill-down: %v", comps)
		}
		if status, _ := api.get(recs[0].(map[string]any)["url"].(string)); status == http.StatusNotFound {
			t.Fatal("the record's page is not there")
		}

		ledger := call(committee, "GET", "/api/v1/assessment/ledger?month="+month+"&scheme=care-deductions", "", 200)
		items := ledger["items"].([]any)
		if len(items) == 0 {
			t.Fatal("no ledger lines")
		}
		// The shape of a line, pinned: every field a payroll script reads; amounts are strings.
		var keys []string
		for k := range items[0].(map[string]any) {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if got := strings.Join(keys, ","); got != "amount,close_id,close_version,created_at,id,kind,measure,pay_month,period,person_id,person_name,result_id,scheme_code,scheme_name,superseded,unit_id,unit_name" {
			t.Fatalf("ledger line fields: %s", got)
		}
		if _, ok := items[0].(map[string]any)["amount"].(string); !ok {
			t.Fatalf("amount is not a decimal string: %v", items[0])
		}
		for _, it := range items {
			l := it.(map[string]any)
			if l["close_id"].(float64) != float64(id) || l["result_id"] == nil || l["period"] != month || l["person_name"] == "" {
				t.Fatalf("ledger line without its source: %v", l)
			}
			// The source names the scheme as people know it, not only by its code.
			if name, _ := l["scheme_name"].(map[string]any); name["zh"] != "养老机构查房扣分" || name["en"] == "" {
				t.Fatalf("ledger line's scheme name: %v", l["scheme_name"])
			}
		}
		pr := call(committee, "GET", "/api/v1/assessment/payroll?month="+month, "", 200)
		if len(pr["lines"].([]any)) < len(items) {
			t.Fatalf("payroll: %v", pr)
		}

		// A unit head reads their own unit's lines only, and cannot start a close.
		head := apiToken(t, m.URL(), "head.yongxin")
		hl := call(head, "GET", "/api/v1/assessment/ledger?year="+quarterOf(demoMonth(-3))[:4], "", 200)
		for _, it := range hl["items"].([]any) {
			if l := it.(map[string]any); l["unit_name"] != "永馨园" {
				t.Fatalf("head sees another unit's line: %v", l)
			}
		}
		call(head, "POST", "/api/v1/assessment/closes", fmt.Sprintf(`{"scheme_code": "care-deductions", "period": %q, "parent_unit_id": %d}`, demoMonth(-3), int64(care)), 403)
		// The care home's close is none of his business: it does not exist for him.
		call(head, "GET", closeURL, "", 404)

		// The payroll office's workbook, from the ledger page.
		web := newClient(t, m.URL())
		web.login("committee", demo.DemoPassword)
		status, body, h := web.do("GET", "/assessment/ledger?month="+month+"&format=xlsx", nil, nil)
		if status != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("payroll export: %d %s", status, h.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		sheet := f.GetSheetName(0)
		if typ, _ := f.GetCellType(sheet, "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Fatalf("amount cell type %v", typ)
		}
		rows, _ := f.GetRows(sheet)
		if len(rows) < 2 || !strings.Contains(rows[0][0], "发放月份") {
			t.Fatalf("payroll rows: %v", rows)
		}
		if len(rows[1]) < 8 || rows[1][7] != "养老机构查房扣分" {
			t.Fatalf("payroll scheme column: %v", rows[1])
		}
		yuan := 0
		for _, r := range rows[1:] {
			if len(r) > 4 && r[4] != "" && !strings.HasPrefix(r[0], "合计") {
				if _, err := fmt.Sscan(r[4], new(float64)); err != nil {
					t.Fatalf("amount %q is not a number", r[4])
				}
				yuan++
			}
		}
		if yuan == 0 {
			t.Fatalf("no amounts in %v", rows)
		}
		// The pages of the close, a person's result, the year and the ledger.
		for _, tc := range []struct{ path, want string }{
			{fmt.Sprintf("/assessment/closes/%d", id), `id="close-ledger"`},
			{fmt.Sprintf("/assessment/closes/%d/units/%d?person=%d", id, int64(subject["unit_id"].(float64)), int64(subject["person_id"].(float64))), `class="record-link"`},
			{"/assessment/year?scheme=care-deductions&year=" + demoMonth(-1)[:4], `id="reviews"`},
			{"/assessment/year?scheme=maintainer-monthly&year=" + demoMonth(-1)[:4], `id="awards"`},
			{"/assessment/year?scheme=dept-quarterly-weighted&year=" + demoMonth(-3)[:4], `href="/assessment/ledger"`},
			{"/assessment/ledger?month=" + month, `id="ledger"`},
		} {
			if status, page := web.get(tc.path); status != 200 || !strings.Contains(page, tc.want) {
				t.Fatalf("GET %s: %d, lacks %s", tc.path, status, tc.want)
			}
		}
		// HR's decision on the demo's dismissal review, by the care home's head, from the year
		// page; a decision without a reason is refused naming the field.
		hr := newClient(t, m.URL())
		hr.login("head.care", demo.DemoPassword)
		last := demoMonth(-1)
		_, yp := hr.get("/assessment/year?scheme=care-deductions&year=" + last[:4])
		pm := regexp.MustCompile(`name="period" value="` + last + `"><input type="hidden" name="person_id" value="(\d+)"`).FindStringSubmatch(yp)
		if pm == nil {
			t.Fatalf("no dismissal review to decide on the year page: %.300s", yp)
		}
		form := url.Values{"scheme": {"care-deductions"}, "year": {last[:4]}, "period": {last}, "person_id": {pm[1]}, "outcome": {"kept"}}
		if status, body, _ := hr.post("/assessment/year/hr", form); status != http.StatusUnprocessableEntity || !strings.Contains(body, "理由不能为空") {
			t.Fatalf("HR decision without a reason: %d", status)
		}
		form.Set("reason", "本人已整改，留用察看三个月")
		if status, _, _ := hr.post("/assessment/year/hr", form); status != http.StatusSeeOther {
			t.Fatalf("HR decision: %d", status)
		}
		if _, yp := web.get("/assessment/year?scheme=care-deductions&year=" + last[:4]); !strings.Contains(yp, "留用 · head.care") {
			t.Fatal("the year page does not show HR's decision and who made it")
		}
		// The work group's expense: refused without an amount, naming it.
		wg := newClient(t, m.URL())
		wg.login("clerk.log", demo.DemoPassword)
		wg.get("/assessment/ledger")
		if status, body, _ := wg.post("/assessment/ledger/expenses", url.Values{"spent_on": {last + "-03"}, "note": {"质量分析会资料印制"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "金额（元）不能为空") {
			t.Fatalf("expense without an amount: %d", status)
		}
		if status, _, _ := wg.post("/assessment/ledger/expenses", url.Values{"spent_on": {last + "-03"}, "amount": {"860"}, "note": {"质量分析会资料印制"}}); status != http.StatusSeeOther {
			t.Fatalf("expense: %d", status)
		}

		// A month without an approved close (next month) is refused on the page too, naming the field.
		if status, body, _ := web.do("GET", "/assessment/ledger?month="+demoMonth(1)+"&format=xlsx", nil, nil); status != http.StatusUnprocessableEntity || !strings.Contains(body, "发放月份") {
			t.Fatalf("export of an unapproved month: %d", status)
		}
	})
}
