package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"manyi/internal/store"
)

// hrefsWithPrefix lists the links of a page whose href starts with prefix.
func hrefsWithPrefix(t *testing.T, page, prefix string) []string {
	t.Helper()
	var out []string
	for _, a := range htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(nodeAttr(n, "href"), prefix) }) {
		out = append(out, nodeAttr(a, "href"))
	}
	return out
}

// TestSamplingScope: the weekly samples and the GM workbook show the whole organisation's
// population, so only the organisation's clerk, the committee and the administrator read
// them; a unit's clerk, a unit head and a nurse are refused with 403.
func TestSamplingScope(t *testing.T) {
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		clerk := demoClient(t, m.URL(), "clerk")
		status, page := clerk.get("/sampling")
		if status != http.StatusOK {
			t.Fatalf("clerk: /sampling %d", status)
		}
		paths := []string{"/sampling", "/sampling/report.xlsx"}
		paths = append(paths, hrefsWithPrefix(t, page, "/sampling/draws/")...)
		if len(paths) < 3 {
			t.Fatalf("the demo's latest week has no draw to open")
		}
		for _, tc := range []struct {
			user string
			want int
		}{{"clerk", 200}, {"committee", 200}, {"admin", 200}, {"clerk.log", 403}, {"head.yongxin", 403}, {"manager1", 403}, {"nurse1", 403}} {
			c := demoClient(t, m.URL(), tc.user)
			for _, p := range paths[:3] {
				if status, _ := c.get(p); status != tc.want {
					t.Errorf("%s: %s answers %d, want %d", tc.user, p, status, tc.want)
				}
			}
		}
	})
}

// TestCloseListScope: the demo's closes are over the property company; a clerk of the
// logistics company and the head of an engineering unit neither list them nor open them (nor
// read a reopen reason), while the head of 永馨园, a subject of the close, lists them.
func TestCloseListScope(t *testing.T) {
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		clerk := demoClient(t, m.URL(), "clerk")
		_, page := clerk.get("/assessment")
		closes := hrefsWithPrefix(t, page, "/assessment/closes/")
		if len(closes) == 0 {
			t.Fatal("the demo has no close")
		}
		head := demoClient(t, m.URL(), "head.yongxin")
		if _, page := head.get("/assessment"); len(hrefsWithPrefix(t, page, "/assessment/closes/")) != len(closes) {
			t.Errorf("the head of 永馨园 lists %d closes, want %d", len(hrefsWithPrefix(t, page, "/assessment/closes/")), len(closes))
		}
		for _, user := range []string{"clerk.log", "head.gc1"} {
			c := demoClient(t, m.URL(), user)
			status, page := c.get("/assessment")
			if status != http.StatusOK {
				t.Fatalf("%s: /assessment %d", user, status)
			}
			if got := hrefsWithPrefix(t, page, "/assessment/closes/"); len(got) != 0 {
				t.Errorf("%s lists closes outside his scope: %v", user, got)
			}
			if status, _ := c.get(closes[0]); status != http.StatusNotFound {
				t.Errorf("%s opens %s: %d, want 404", user, closes[0], status)
			}
		}
	})
}

// TestMaintainerSeesOwnScore: on the monthly ranking a maintainer (staff only) sees his own
// row and not his teammates'; the foreman of his team sees the team's rows.
func TestMaintainerSeesOwnScore(t *testing.T) {
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		rows := func(user, month string) []*html.Node {
			c := demoClient(t, m.URL(), user)
			status, page := c.get("/workorders/monthly?month=" + month)
			if status != http.StatusOK {
				t.Fatalf("%s: monthly %d", user, status)
			}
			return htmlNodes(t, page, func(n *html.Node) bool {
				return n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" && n.Parent.Parent != nil && nodeAttr(n.Parent.Parent, "id") == "ranking" &&
					len(htmlText(n)) > 0 && !strings.Contains(nodeAttr(n.FirstChild, "class"), "muted")
			})
		}
		month := time.Now().In(shanghai(t)).AddDate(0, -1, 0).Format("2006-01")
		if n := len(rows("foreman.net", month)); n < 2 {
			t.Fatalf("the foreman sees %d maintainers in %s; the demo has a team", n, month)
		}
		own := rows("staff1", month)
		if len(own) != 1 {
			t.Fatalf("the maintainer sees %d rows, want his own only", len(own))
		}
		if !strings.Contains(htmlText(own[0]), "何海涛") {
			t.Errorf("the maintainer's row is not his: %q", htmlText(own[0]))
		}
	})
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// htmlText is the text inside n.
func htmlText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}
