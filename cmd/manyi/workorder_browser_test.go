package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestBrowserCallbackQueue is a dispatcher's morning in Chromium on demo data: the queue shows
// the next call with its script and no rating chosen; pressing 1 then Enter saves 满意 and
// brings the next call; U records an unanswered call.
func TestBrowserCallbackQueue(t *testing.T) {
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("dispatcher1", demo.DemoPassword)
	b.open("/workorders/queue")
	b.screenshot("wo-queue")
	first := b.attr("#current", "data-order")
	if first == "" {
		t.Fatal("no current call in the dispatcher's queue")
	}
	if checked, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector('input[name="score"]:checked')`)); checked {
		t.Fatal("a rating is preselected")
	}
	b.do("press 1", chromedp.KeyEvent("1"))
	if focused, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.id`)); focused != "save" {
		t.Fatalf("after 1 the focus is on %q, want the save button", focused)
	}
	resp, err := chromedp.RunResponse(b.ctx, chromedp.KeyEvent("\r"))
	if err != nil || resp.Status != 200 {
		t.Fatalf("Enter: %v %v", resp, err)
	}
	b.do("wait for the queue", chromedp.WaitVisible(chromedp.CSS("main")))
	if flash := b.text(".flash"); !strings.Contains(flash, first) || !strings.Contains(flash, "10") {
		t.Fatalf("flash after rating %s: %q", first, flash)
	}
	second := b.attr("#current", "data-order")
	if second == "" || second == first {
		t.Fatalf("the next call is %q after %q", second, first)
	}
	resp, err = chromedp.RunResponse(b.ctx, chromedp.KeyEvent("u"))
	if err != nil || resp.Status != 200 {
		t.Fatalf("U: %v %v", resp, err)
	}
	b.do("wait for the queue", chromedp.WaitVisible(chromedp.CSS("main")))
	if flash := b.text(".flash"); !strings.Contains(flash, "未接通") {
		t.Fatalf("flash after U: %q", flash)
	}
	b.screenshot("wo-queue-after")
	for _, p := range []struct{ path, name string }{
		{"/workorders", "wo-list"},
		{"/workorders/" + first, "wo-order"},
		{"/workorders/daily", "wo-daily"},
		{"/workorders/followups", "wo-followups"},
		{"/workorders/improvements", "wo-improvements"},
		{"/workorders/duty", "wo-duty"},
		{"/workorders/import", "wo-import"},
	} {
		b.open(p.path)
		b.screenshot(p.name)
	}
	// The improvement tracking table reads in English too, and its print button appears
	// only with scripts.
	b.open("/lang/en?next=/workorders/improvements")
	if title := b.text("h1"); title != "Improvement item tracking table" {
		t.Fatalf("English title %q", title)
	}
	if hidden, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("[data-print]").hidden`)); hidden {
		t.Fatal("the print button stays hidden with scripts running")
	}
	b.lang = "en"
	b.screenshot("wo-improvements")
}

// attr returns an attribute of the first element the selector matches, "" if none.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(`+"`"+sel+"`"+`)?.getAttribute(`+"`"+name+"`"+`) ?? ""`))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}
