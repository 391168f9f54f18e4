package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/access"
	"manyi/internal/demo"
	"manyi/internal/org"
	"manyi/internal/store"
)

// TestBrowserPickers is the clerk on a phone (390×844) in Chromium registering an order and
// charging a finding: choosing the team, or the unit of the person charged, reloads the people
// select from the API without sending the form (the no-script choose button stays hidden);
// the order and the finding are stored with the person chosen; both forms fit the screen, in
// Chinese and in English. Enter in a field registers the order, not the hidden choose button.
func TestBrowserPickers(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("clerk", demo.DemoPassword)
	b.phone()
	b.open("/workorders/new")
	b.choose(`select[name="team"]`, "终端班")
	people := b.options(`select[name="maintainer"]`)
	if len(people) != 5 || b.firstOption(`select[name="maintainer"]`) != "请选择" {
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
	b.choose(`select[name="maintainer"]`, people[0])
	b.pickerFits("the registration form")
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
	b.choose(`select[name="charged_unit"]`, "一病区")
	if people := b.options(`select[name="charged_person"]`); !strings.Contains(strings.Join(people, "|"), "杨春梅 · 护士") {
		t.Fatalf("一病区's people: %q", people)
	}
	if first := b.firstOption(`select[name="charged_person"]`); first != "只扣单位" {
		t.Fatalf("the person select's first option is %q", first)
	}
	b.choose(`select[name="checklist_item"]`, "C02")
	b.choose(`select[name="charged_person"]`, "杨春梅")
	b.do("describe", chromedp.SendKeys(chromedp.CSS(`textarea[name="finding_description"]`), "7 床护理记录缺夜班记录"))
	b.pickerFits("the inspection form")
	b.screenshot("inspection-new-charged")
	if status := b.click("file", `#inspection-form button.primary`, "#inspection"); status != 200 {
		t.Fatalf("filing: status %d", status)
	}
	if txt := b.text(".finding"); !strings.Contains(txt, "杨春梅") {
		t.Fatalf("the finding does not charge 杨春梅: %q", txt)
	}
	b.pickerFits("the inspection's page")
	b.screenshot("inspection-show-charged")

	b.open("/lang/en?next=/workorders/new")
	b.lang = "en-phone"
	b.choose(`select[name="team"]`, "网络班")
	b.options(`select[name="maintainer"]`)
	if first := b.firstOption(`select[name="maintainer"]`); first != "Choose" {
		t.Errorf("the English maintainer select starts with %q", first)
	}
	b.pickerFits("the English registration form")
	b.screenshot("wo-new")
	b.open("/inspections/new?kind=duty_round&unit=" + care)
	b.pickerFits("the English inspection form")
	b.screenshot("inspection-new")
}

// TestBrowserAccountForm is the administrator in Chromium giving a new maintainer an account
// from the person's page and from the accounts list: the unit comes chosen from the person's
// page, and choosing another unit reloads the people from the API without sending the form
// (the no-script list button stays hidden); the account is created for the person chosen.
// The form fits 1280 px and a 390 px phone, in Chinese and English.
func TestBrowserAccountForm(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	var net int64
	if err := m.DB.SQL().QueryRow("SELECT id FROM units WHERE code = 'IMC-WL'").Scan(&net); err != nil {
		t.Fatal(err)
	}
	p, err := org.CreatePerson(context.Background(), m.DB, access.System, org.PersonInput{UnitID: net, Name: "浏览器维修工", Title: "维修工"})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, m.URL())
	b.login("admin", testAdminPassword)
	b.open(fmt.Sprint("/org/people/", p.ID))
	b.screenshot("person-without-account")
	b.click("the person's account link", `a[href^="/org/users/new?person="]`, `select[name="person_id"]`)
	if unit, person := b.eval("the chosen unit", `document.querySelector('select[name="unit"]').selectedOptions[0].textContent.trim()`),
		b.eval("the chosen person", `document.querySelector('select[name="person_id"]').selectedOptions[0].textContent`); unit != "网络班" || person != "浏览器维修工 · 维修工" {
		t.Fatalf("the form from the person's page chose %q and %q", unit, person)
	}
	b.pickerFits("the account form")
	b.screenshot("user-new-person")

	// From the accounts list: another unit first, then 网络班 again, reloaded by the script.
	b.open("/org/users")
	b.click("new account", `a[href="/org/users/new"]`, `select[name="unit"]`)
	if first := b.firstOption(`select[name="person_id"]`); first != "请先选择单位" {
		t.Errorf("the person select starts with %q before a unit is chosen", first)
	}
	b.choose(`select[name="unit"]`, "终端班")
	if people := b.options(`select[name="person_id"]`); slices.Contains(people, "浏览器维修工 · 维修工") {
		t.Fatalf("终端班 lists 网络班's new maintainer: %q", people)
	}
	b.choose(`select[name="unit"]`, "网络班")
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`[...document.querySelectorAll('select[name="person_id"] option')].some(o => o.textContent === "浏览器维修工 · 维修工")`)); err != nil {
		t.Fatalf("网络班's people do not list the new maintainer: %v", err)
	}
	if first := b.firstOption(`select[name="person_id"]`); first != "请选择" {
		t.Errorf("the person select starts with %q once a unit is chosen", first)
	}
	b.choose(`select[name="person_id"]`, "浏览器维修工")
	b.do("fill in the account",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "browser.maint"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "long-enough-pw-1"),
	)
	b.pickerFits("the account form")
	b.screenshot("user-new")
	// Enter in the password saves: the list button is another form's.
	resp, err := chromedp.RunResponse(b.ctx, chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "\r"))
	if err != nil || resp.Status != 200 || b.path() != "/org/users" {
		t.Fatalf("saving the account: %v %v, on %s", resp, err, b.path())
	}
	var holder int64
	if err := m.DB.SQL().QueryRow("SELECT person_id FROM users WHERE username = 'browser.maint'").Scan(&holder); err != nil || holder != p.ID {
		t.Fatalf("the account browser.maint belongs to person %d (%v), want %d", holder, err, p.ID)
	}

	// The form in English at 1280 px, then on a phone in both languages.
	listed := func(what string) {
		t.Helper()
		b.choose(`select[name="unit"]`, "网络班")
		b.options(`select[name="person_id"]`)
		b.pickerFits(what)
		b.screenshot("user-new")
	}
	b.open("/lang/en?next=/org/users/new")
	b.lang = "en"
	listed("the English account form")
	if first := b.firstOption(`select[name="person_id"]`); first != "Choose" {
		t.Errorf("the English person select starts with %q", first)
	}
	b.phone()
	b.open("/org/users/new")
	listed("the English account form on a phone")
	b.open("/lang/zh-CN?next=/org/users/new")
	b.lang = "zh-phone"
	listed("the account form on a phone")
	b.open(fmt.Sprint("/org/people/", p.ID))
	b.pickerFits("the person's page on a phone")
	b.screenshot("person-with-account")
}

// eval runs js in the page and returns its string value; step names it in a failure.
func (b *browser) eval(step, js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// choose picks the option of the select whose text, after a unit's indent, starts with
// label, as a finger does: the change event follows.
func (b *browser) choose(sel, label string) {
	b.t.Helper()
	if v := b.eval("choose "+label, `(() => { const s = document.querySelector('`+sel+`');
		const o = [...s.options].find(o => o.textContent.replace(/^\u3000+/, "").startsWith('`+label+`'));
		if (!o) return "";
		s.value = o.value; s.dispatchEvent(new Event("change", {bubbles: true})); return o.value })()`); v == "" {
		b.t.Fatalf("%s has no option %s", sel, label)
	}
}

// firstOption is the text of the select's first option: what it asks for before a choice.
func (b *browser) firstOption(sel string) string {
	b.t.Helper()
	return b.eval("the first option of "+sel, `document.querySelector('`+sel+`').options[0].textContent`)
}

// options waits until the select lists people, and returns their labels.
func (b *browser) options(sel string) []string {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelectorAll('`+sel+` option').length > 1`)); err != nil {
		b.t.Fatalf("%s is not filled: %v", sel, err)
	}
	return strings.Split(b.eval("read "+sel, `[...document.querySelectorAll('`+sel+` option')].slice(1).map(o => o.textContent).join("|")`), "|")
}

// pickerFits fails the test if the page is wider than the screen or shows a picker's
// no-script list button while scripts run.
func (b *browser) pickerFits(page string) {
	b.t.Helper()
	if wide, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
		b.t.Errorf("%s is wider than the screen", page)
	}
	if shown := b.eval("the choose buttons", `[...document.querySelectorAll("[data-pick]")].filter(b => b.getClientRects().length > 0).length + ""`); shown != "0" {
		b.t.Errorf("%s shows %s choose buttons with scripts running", page, shown)
	}
}
