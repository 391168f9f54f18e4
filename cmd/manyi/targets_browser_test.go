package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/store"
)

// TestBrowserTargets opens the targets page and the project register as the engineering
// clerk, in Chinese and in English: the register's codes, units and days each stay on one
// line, and on a phone the page (its import form too) is no wider than the screen.
func TestBrowserTargets(t *testing.T) {
	t.Parallel()
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
		for _, col := range []string{"1", "3", "4", "7"} {
			if w := b.wrapped("#projects td:nth-child(" + col + ")"); len(w) > 0 {
				t.Errorf("%s: the register's column %s breaks %d cells over two lines: %q", lang, col, len(w), w[:min(3, len(w))])
			}
		}
		b.phoneFits("/projects")
	}
}
