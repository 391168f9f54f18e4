package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"manyi/internal/store"
)

// demoAccounts are the demo's logins, one or more per role (docs/demo.md), and the
// administrator.
var demoAccounts = []string{"admin", "clerk", "clerk.log", "clerk.eng", "committee", "head.yongxin", "head.gc1", "head.care",
	"foreman.net", "dispatcher1", "manager1", "staff1", "nurse1"}

// demoClient is a client on base logged in as a demo account (the administrator has the
// tests' password).
func demoClient(t testing.TB, base, user string) *client {
	t.Helper()
	c := newClient(t, base)
	if user == "admin" {
		c.login(user, testAdminPassword)
	} else {
		c.login(user, "manyi-demo-2026")
	}
	return c
}

// isNavLink reports whether n is a link of the main navigation or of an area's tab bar: the
// links every page offers, which must all open for whoever sees them.
func isNavLink(n *html.Node) bool {
	if n.Data != "a" || nodeAttr(n, "href") == "" {
		return false
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "nav" {
			c := strings.Fields(nodeAttr(p, "class"))
			return slices.Contains(c, "main") || slices.Contains(c, "tabs")
		}
	}
	return false
}

// navWalk visits every page reachable from the home page through the navigation and the tab
// bars, each once, and calls visit with the page's path, status and body. Only local paths
// are followed; the walk is bounded by the number of distinct links, a few dozen a role.
func navWalk(t *testing.T, c *client, visit func(path string, status int, body string)) {
	t.Helper()
	seen := map[string]bool{"/": true}
	queue := []string{"/"}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		status, body := c.get(path)
		visit(path, status, body)
		if status != http.StatusOK {
			continue
		}
		for _, a := range htmlNodes(t, body, isNavLink) {
			href := nodeAttr(a, "href")
			if strings.HasPrefix(href, "?") {
				href = strings.SplitN(path, "?", 2)[0] + href
			}
			if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") || strings.HasPrefix(href, "/lang/") || seen[href] {
				continue
			}
			seen[href] = true
			queue = append(queue, href)
		}
	}
}

// TestNavigationOffersOnlyWhatOpens logs in as every demo role and walks every link of the
// navigation and the tab bars from the home page: none may answer 403, because a page that
// refuses should not have been offered.
func TestNavigationOffersOnlyWhatOpens(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		for _, user := range demoAccounts {
			c := demoClient(t, m.URL(), user)
			navWalk(t, c, func(path string, status int, _ string) {
				if status != http.StatusOK {
					t.Errorf("%s: the navigation offers %s, which answers %d", user, path, status)
				}
			})
		}
	})
}
