package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestBrowserPublicComplaint is issue 6's public path in a real browser, in zh-CN and on a
// phone-sized screen: a resident without an account complains, gets a tracking code and
// follows the complaint with it; a wrong code shows nothing of anyone else's; a clerk finds
// the complaint and replies, and the resident sees the reply.
func TestBrowserPublicComplaint(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	start := time.Now()
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.phone()

	b.open("/complain")
	if h := b.text("main h1"); !strings.Contains(h, "服务投诉") {
		t.Fatalf("public form heading %q", h)
	}
	b.screenshot("complain")
	fill := func(description string) {
		t.Helper()
		unitID, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
			`[...document.querySelectorAll('#public-complaint select[name="unit_id"] option')].find(o => o.textContent.includes('永馨园'))?.value ?? ""`))
		if err != nil || unitID == "" {
			t.Fatalf("the public form offers no 永馨园 (%v)", err)
		}
		b.do("fill in the complaint",
			chromedp.SetValue(chromedp.CSS(`#public-complaint select[name="unit_id"]`), unitID),
			chromedp.SetValue(chromedp.CSS(`#public-complaint select[name="category"]`), "delay"),
			chromedp.SendKeys(chromedp.CSS(`#public-complaint input[name="complainant"]`), "浏览器业主"),
			chromedp.SendKeys(chromedp.CSS(`#public-complaint input[name="contact"]`), "13800001111"),
			chromedp.SetValue(chromedp.CSS(`#public-complaint textarea[name="description"]`), description),
		)
	}

	// A description of blanks passes the browser's required check but not the server's: the
	// message names the field, the field is marked, what was typed is kept, nothing is stored.
	fill("   ")
	if status := b.click("submit without a description", `#public-complaint button[type="submit"]`, "#form-error"); status != 422 {
		t.Errorf("refused complaint answered %d, want 422", status)
	}
	if e := b.text("#form-error"); !strings.Contains(e, "投诉内容") {
		t.Errorf("form error %q does not name 投诉内容", e)
	}
	if inv, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(`textarea[name="description"]`), "aria-invalid")); err != nil || inv.Value != "true" {
		t.Errorf("description aria-invalid = %+v (%v)", inv, err)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`input[name="complainant"]`))); v != "浏览器业主" {
		t.Errorf("the refused form lost the name: %q", v)
	}
	b.screenshot("complain-error")

	// The form again, filled in properly.
	b.open("/complain")
	fill("楼道灯坏了三天，报修后没有人来")
	b.click("submit the complaint", `#public-complaint button[type="submit"]`, "#tracking-code")
	code := strings.TrimSpace(b.text("#tracking-code"))
	if !regexp.MustCompile(`^TS-[0-9A-Z]{4}-[0-9A-Z]{4}$`).MatchString(code) {
		t.Fatalf("tracking code %q", code)
	}
	response := strings.TrimSpace(b.text("#response-code"))
	if !regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`).MatchString(response) {
		t.Fatalf("response code %q", response)
	}
	b.screenshot("complain-done")

	b.click("track the complaint", "#track-link", "#track-result")
	if s := b.text("#track-status"); s != "已登记" {
		t.Errorf("status on the tracking page %q, want 已登记", s)
	}
	page := b.text("main")
	if !strings.Contains(page, code) || strings.Contains(page, "浏览器业主") || strings.Contains(page, "13800001111") {
		t.Errorf("tracking page shows the wrong things: %q", page)
	}
	b.screenshot("track")

	// A wrong code (well-formed, not issued) says so and shows no complaint.
	b.open("/track")
	b.do("type a wrong code", chromedp.SendKeys(chromedp.CSS(`#track-form input[name="code"]`), "TS-AAAA-AAAA"))
	if status := b.click("look up a wrong code", `#track-form button[type="submit"]`, "#form-error"); status != 422 {
		t.Errorf("wrong code answered %d, want 422", status)
	}
	if e := b.text("#form-error"); !strings.Contains(e, "查询码不正确") {
		t.Errorf("wrong-code message %q", e)
	}
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#track-result').length`)); n != 0 {
		t.Error("a wrong code shows a complaint")
	}
	b.screenshot("track-unknown")

	// The clerk finds the complaint in the list and replies.
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.lang = "zh"
	b.login("clerk", demo.DemoPassword)
	b.open("/complaints")
	id, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`[...document.querySelectorAll('#complaints tr[data-id]')].find(r => r.querySelector('code')?.textContent === %q)?.dataset.id ?? ""`, code)))
	if err != nil || id == "" {
		t.Fatalf("the new complaint %s is not in /complaints (%v)", code, err)
	}
	row := `#complaints tr[data-id="` + id + `"]`
	if cells := b.text(row); !strings.Contains(cells, "永馨园") || !strings.Contains(cells, "网站") || !strings.Contains(cells, "已登记") {
		t.Errorf("the new complaint's row in /complaints: %q", cells)
	}
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(row+" a")))
	if err != nil || resp.Status != 200 {
		t.Fatalf("open the complaint: %v", err)
	}
	b.do("wait for the complaint", chromedp.WaitVisible(chromedp.CSS("#reply-form")))
	if d := b.text("#description"); !strings.Contains(d, "楼道灯坏了三天") {
		t.Errorf("complaint page description %q", d)
	}
	b.do("write the reply", chromedp.SendKeys(chromedp.CSS(`#reply-form textarea[name="text"]`), "已安排电工今天下午上门维修。"))
	b.click("reply", `#reply-form button[type="submit"]`, "#status")
	if s := b.text("#status"); s != "已回复" {
		t.Errorf("status after the reply %q, want 已回复", s)
	}

	// The resident sees the reply; the tracking page needs no session, but having one must
	// not show more.
	b.open("/track?code=" + code)
	b.do("wait for the result", chromedp.WaitVisible(chromedp.CSS("#track-reply")))
	if r := b.text("#track-reply"); !strings.Contains(r, "已安排电工今天下午上门维修") {
		t.Errorf("reply on the tracking page %q", r)
	}
	if s := b.text("#track-status"); s != "已回复" {
		t.Errorf("status on the tracking page %q, want 已回复", s)
	}

	// The clerk resolves; the resident confirms with the response code, which staff never saw.
	b.open("/complaints/" + id)
	b.do("write the solution", chromedp.SendKeys(chromedp.CSS(`#resolve-form textarea[name="text"]`), "灯已修好。"))
	b.click("resolve", `#resolve-form button[type="submit"]`, "#status")
	if strings.Contains(b.text("main"), response) {
		t.Error("the complaint page shows the response code to staff")
	}
	b.open("/track?code=" + code)
	b.do("type the response code", chromedp.SendKeys(chromedp.CSS(`#respond-form input[name="response_code"]`), strings.ToLower(response)))
	b.screenshot("track-respond")
	b.click("confirm", "#respond-satisfied", "#track-status")
	if s := b.text("#track-status"); s != "投诉人已确认" {
		t.Errorf("status after the resident confirms %q, want 投诉人已确认", s)
	}
	t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond))
}

// TestBrowserComplaintAndAssessmentPages visits the complaint, calendar and period-close
// pages in both languages for screenshots; without MANYI_SCREENSHOTS it only checks that
// each page shows its main element.
func TestBrowserComplaintAndAssessmentPages(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("clerk", demo.DemoPassword)
	for _, lang := range []string{"zh", "en"} {
		if lang == "en" {
			b.open("/lang/en?next=/")
		}
		b.lang = lang
		b.pages()
		b.phoneScreenshots("/complain", "/track", "/complaints")
	}
}

// href returns the href of the first link the JavaScript expression finds, or fails.
func (b *browser) href(what, js string) string {
	b.t.Helper()
	h, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js+`?.getAttribute('href') ?? ""`))
	if err != nil || h == "" {
		b.t.Fatalf("no link to %s on %s (%v)", what, b.path(), err)
	}
	return h
}

// pages visits the complaint and assessment pages, wait for each one's main element.
func (b *browser) pages() {
	b.t.Helper()
	visit := func(path, name, sel string) {
		b.t.Helper()
		b.open(path)
		b.do("wait for "+sel+" on "+path, chromedp.WaitVisible(chromedp.CSS(sel)))
		b.screenshot(name)
	}
	visit("/complaints", "complaints", "table#complaints")
	breached := b.href("a breached complaint", `document.querySelector('#complaints span.clock.breached')?.closest('tr').querySelector('a')`)
	open := b.href("an open complaint", `[...document.querySelectorAll('#complaints tr')].find(r => r.querySelector('.clock.on_track, .clock.due_soon'))?.querySelector('a')`)
	visit(breached, "complaint-breached", "#clocks .clock.breached")
	visit(open, "complaint-open", "#clocks")
	visit("/complaints/stats", "complaint-stats", "main table")
	visit("/complaints/notifications", "complaint-notifications", "main h1")
	visit("/calendar", "calendar", "main h1")
	visit("/assessment", "assessment", "main table")
	closeHref := b.href("the September close", `[...document.querySelectorAll('a[href^="/assessment/closes/"]')].find(a => a.textContent.trim() === '2026-09')`)
	visit(closeHref, "close", "main table")
	result := b.href("玫瑰区's result", `[...document.querySelectorAll('a[href*="/units/"]')].find(a => a.textContent.includes('玫瑰区'))`)
	visit(result, "result", "main h1")
	visit("/assessment/evidence", "evidence", "main table")
	visit("/assessment/schemes", "schemes", "main table")
}

// tableFit is how wide a table is against the room it has.
type tableFit struct {
	Table     float64 `json:"table"`     // the table's scrollWidth: all its columns
	Container float64 `json:"container"` // the width of main's content box
	Page      float64 `json:"page"`      // the document's scrollWidth
	Viewport  float64 `json:"viewport"`
}

// TestBrowserWideTablesFit: at 1280×800 the English complaint list, whose headings and SLA
// clocks are longer than the Chinese ones, and the improvement tracking table, with its eleven
// columns, fit their column: no horizontal scrolling of the table or the page. The tracking
// table's numbers, units and due days stay on one line, as do the booking list's units.
func TestBrowserWideTablesFit(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 800))
	b.login("clerk", "manyi-demo-2026")
	b.open("/lang/en?next=/complaints")
	b.lang = "en"
	for _, c := range []struct{ path, table string }{{"/complaints", "#complaints"}, {"/improvements", "#items"}} {
		b.open(c.path)
		b.do("wait for the list", chromedp.WaitVisible(chromedp.CSS(c.table+` tbody tr[data-id]`)))
		fit, err := chromedp.Run(b.ctx, chromedp.Evaluate[tableFit](fmt.Sprintf(`(() => {
			const main = document.querySelector('main'), cs = getComputedStyle(main);
			return {
				table: document.querySelector(%q).scrollWidth,
				container: main.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight),
				page: document.documentElement.scrollWidth,
				viewport: document.documentElement.clientWidth,
			};
		})()`, c.table)))
		if err != nil {
			t.Fatal(err)
		}
		b.screenshot(shotName(c.path) + "-1280")
		if fit.Table > fit.Container+0.5 || fit.Page > fit.Viewport {
			t.Errorf("at 1280×800 %s is %.0f px wide in a %.0f px column (page %.0f px, viewport %.0f px)", c.table, fit.Table, fit.Container, fit.Page, fit.Viewport)
		}
	}
	for _, sel := range []string{"#items td:nth-child(1)", "#items td:nth-child(3)", "#items td:nth-child(9)"} {
		if w := b.wrapped(sel); len(w) > 0 {
			t.Errorf("the tracking table breaks %s over two lines: %q", sel, w[:min(3, len(w))])
		}
	}
	if label := strings.TrimSpace(b.text(`label:has(> input[name="overdue"])`)); label != "Overdue only" {
		t.Errorf("the overdue filter reads %q, want Overdue only", label)
	}
	b.open("/bookings")
	if w := b.wrapped("#bookings td:nth-child(2)"); len(w) > 0 {
		t.Errorf("the booking list breaks units over two lines: %q", w[:min(3, len(w))])
	}
}
