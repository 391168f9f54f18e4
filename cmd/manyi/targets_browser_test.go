package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/store"
)

// TestBrowserTargets opens the targets page and the project register as the engineering
// clerk, in Chinese and in English.
func TestBrowserTargets(t *testing.T) {
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("clerk.eng", "manyi-demo-2026")
	for _, lang := range []string{"zh", "en"} {
		if lang == "en" {
			b.open("/lang/en?next=/targets")
			b.lang = "en"
		} else {
			b.open("/targets")
		}
		b.do("wait for the targets", chromedp.WaitVisible(chromedp.CSS(`section[data-target="eng-first-pass"] table`)))
		b.screenshot("targets")
		b.open("/projects")
		b.do("wait for the register", chromedp.WaitVisible(chromedp.CSS(`table#projects tr[data-id]`)))
		b.screenshot("projects")
	}
}
