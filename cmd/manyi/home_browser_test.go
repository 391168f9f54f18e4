package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/store"
)

// TestBrowserHome shows every role's home page in Chromium, in Chinese and in English, on
// both databases: each account sees its role's section with its to-do cards under a heading
// in the language chosen. Which cards a role gets, and that each opens, is TestHomePerRole's.
func TestBrowserHome(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	accounts := []struct{ user, role string }{
		{"admin", "admin"}, {"clerk", "clerk"}, {"committee", "committee"}, {"head.yongxin", "unit_head"},
		{"foreman.net", "foreman"}, {"dispatcher1", "dispatcher"}, {"manager1", "manager"},
		{"staff1", "staff"}, {"nurse1", "staff"},
	}
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		b := newBrowser(t, m.URL())
		for _, tc := range accounts {
			password := "manyi-demo-2026"
			if tc.user == "admin" {
				password = testAdminPassword
			}
			section := `section.home-role[data-role="` + tc.role + `"]`
			b.login(tc.user, password)
			for _, lang := range []struct{ path, tag string }{{"zh", "zh-CN"}, {"en", "en"}} {
				b.open("/lang/" + lang.path + "?next=/")
				b.lang = lang.path
				b.do(tc.user+": wait for the to-do cards", chromedp.WaitVisible(chromedp.CSS(section+` a.todo`)))
				if got := b.attr("html", "lang"); got != lang.tag {
					t.Errorf("%s: the page is in %q after choosing %q", tc.user, got, lang.tag)
				}
				if h := b.text(section + ` h2`); h == "" {
					t.Errorf("%s (%s): the role's section has no heading", tc.user, lang.tag)
				}
				b.screenshot("home-" + tc.user)
			}
			b.open("/lang/zh?next=/")
			b.click(tc.user+": log out", `form[action="/logout"] button`, `input[name="password"]`)
		}
	})
}
