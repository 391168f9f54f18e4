package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestBrowserPickers is the clerk on a phone (390×844) in Chromium registering an order and
// charging a finding: choosing the team, or the unit of the person charged, reloads the people
// select from the API without sending the form (the no-script choose button stays hidden);
// the order and the finding are stored with the person chosen; both forms fit the screen, in
// Chinese and in English. Enter in a field registers the order, not the hidden choose button.
func TestBrowserPickers(t *testing.T) {
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("clerk", demo.DemoPassword)
	b.phone()
	eval := func(step, js string) string {
		t.Helper()
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	// choose picks the option of the select whose text starts with label, as a finger does:
	// the change event follows.
	choose := func(sel, label string) {
		t.Helper()
		if v := eval("choose "+label, `(() => { const s = document.querySelector('`+sel+`');
			const o = [...s.options].find(o => o.textContent.startsWith('`+label+`'));
			if (!o) return "";
			s.value = o.value; s.dispatchEvent(new Event("change", {bubbles: true})); return o.value })()`); v == "" {
			t.Fatalf("%s has no option %s", sel, label)
		}
	}
	// options waits until the select lists people, and returns their labels.
	options := func(sel string) []string {
		t.Helper()
		if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelectorAll('`+sel+` option').length > 1`)); err != nil {
			t.Fatalf("%s is not filled: %v", sel, err)
		}
		return strings.Split(eval("read "+sel, `[...document.querySelectorAll('`+sel+` option')].slice(1).map(o => o.textContent).join("|")`), "|")
	}
	fits := func(page string) {
		t.Helper()
		if wide, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
			t.Errorf("%s is wider than the phone's screen", page)
		}
		if shown := eval("the choose buttons", `[...document.querySelectorAll("[data-pick]")].filter(b => b.getClientRects().length > 0).length + ""`); shown != "0" {
			t.Errorf("%s shows %s choose buttons with scripts running", page, shown)
		}
	}

	b.open("/workorders/new")
	choose(`select[name="team"]`, "终端班")
	people := options(`select[name="maintainer"]`)
	if len(people) != 5 || eval("first option", `document.querySelector('select[name="maintainer"]').options[0].textContent`) != "请选择" {
		t.Fatalf("终端班's maintainers: %q", people)
	}
	maintainer, _, _ := strings.Cut(people[0], " · ")
	b.do("fill in the order",
		chromedp.SendKeys(chromedp.CSS(`input[name="reporter"]`), "浏览器报修人"),
		chromedp.SendKeys(chromedp.CSS(`input[name="phone"]`), "13911120009"),
		chromedp.SendKeys(chromedp.CSS(`input[name="location"]`), "图书馆二楼"),
		chromedp.SendKeys(chromedp.CSS(`input[name="device"]`), "打印机"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="fault"]`), "卡纸"),
	)
	choose(`select[name="maintainer"]`, people[0])
	fits("the registration form")
	b.screenshot("wo-new")
	// Enter in a field registers, as the form's first button is its main action, not the
	// hidden choose button.
	resp, err := chromedp.RunResponse(b.ctx, chromedp.SendKeys(chromedp.CSS(`input[name="device"]`), "\r"))
	if err != nil || resp.Status != 200 || !strings.HasPrefix(b.path(), "/workorders/") || b.path() == "/workorders/new" {
		t.Fatalf("Enter in the form: %v %v, on %s", resp, err, b.path())
	}
	if page := b.text("main"); !strings.Contains(page, maintainer) || !strings.Contains(page, "终端班") {
		t.Fatalf("the order does not name 终端班 and %s: %.300s", maintainer, page)
	}

	var care string
	if err := m.DB.SQL().QueryRow("SELECT id FROM units WHERE code = 'CARE'").Scan(&care); err != nil {
		t.Fatal(err)
	}
	b.open("/inspections/new?kind=duty_round&unit=" + care)
	choose(`select[name="charged_unit"]`, "　一病区")
	if people := options(`select[name="charged_person"]`); !strings.Contains(strings.Join(people, "|"), "杨春梅 · 护士") {
		t.Fatalf("一病区's people: %q", people)
	}
	if first := eval("first option", `document.querySelector('select[name="charged_person"]').options[0].textContent`); first != "只扣单位" {
		t.Fatalf("the person select's first option is %q", first)
	}
	choose(`select[name="checklist_item"]`, "C02")
	choose(`select[name="charged_person"]`, "杨春梅")
	b.do("describe", chromedp.SendKeys(chromedp.CSS(`textarea[name="finding_description"]`), "7 床护理记录缺夜班记录"))
	fits("the inspection form")
	b.screenshot("inspection-new-charged")
	if status := b.click("file", `#inspection-form button.primary`, "#inspection"); status != 200 {
		t.Fatalf("filing: status %d", status)
	}
	if txt := b.text(".finding"); !strings.Contains(txt, "杨春梅") {
		t.Fatalf("the finding does not charge 杨春梅: %q", txt)
	}
	fits("the inspection's page")
	b.screenshot("inspection-show-charged")

	b.open("/lang/en?next=/workorders/new")
	b.lang = "en-phone"
	choose(`select[name="team"]`, "网络班")
	options(`select[name="maintainer"]`)
	if first := eval("first option", `document.querySelector('select[name="maintainer"]').options[0].textContent`); first != "Choose" {
		t.Errorf("the English maintainer select starts with %q", first)
	}
	fits("the English registration form")
	b.screenshot("wo-new")
	b.open("/inspections/new?kind=duty_round&unit=" + care)
	fits("the English inspection form")
	b.screenshot("inspection-new")
}
