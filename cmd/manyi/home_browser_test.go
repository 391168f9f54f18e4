package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/store"
)

// TestBrowserHome shows the clerk's and the dispatcher's home pages in Chromium, in Chinese
// and in English: the clerk's to-do cards and the dispatcher's waiting callbacks.
func TestBrowserHome(t *testing.T) {
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	for _, tc := range []struct{ user, role string }{{"clerk", "clerk"}, {"dispatcher1", "dispatcher"}} {
		b := newBrowser(t, m.URL())
		b.login(tc.user, "manyi-demo-2026")
		b.do("wait for the to-do cards", chromedp.WaitVisible(chromedp.CSS(`section.home-role[data-role="`+tc.role+`"] a.todo`)))
		b.screenshot("home-" + tc.user)
		b.open("/lang/en?next=/")
		b.lang = "en"
		b.do("wait for the English cards", chromedp.WaitVisible(chromedp.CSS(`section.home-role[data-role="`+tc.role+`"] a.todo`)))
		if h := b.text(`section.home-role[data-role="` + tc.role + `"] h2`); h == "" {
			t.Errorf("%s: the role's section has no heading", tc.user)
		}
		b.screenshot("home-" + tc.user)
	}
}
