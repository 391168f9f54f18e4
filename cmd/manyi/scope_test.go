package main

import (
	"net/http"
	"regexp"
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
	t.Parallel()
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

// TestCloseListScope: the demo's unit-monthly and survey-quarterly closes are over the
// property company, its other closes over 信息维修中心, 养老中心 and 物流公司. The head of 永馨园,
// a subject of the property company's closes, lists exactly those; a clerk of the logistics
// company lists only 物流公司's, and the head of an engineering unit none; neither opens a
// property company close (nor reads a reopen reason).
func TestCloseListScope(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		row := regexp.MustCompile(`<tr[^>]*><td><a href="(/assessment/closes/\d+)">[^<]*</a></td><td>.*?</td><td>([^<]*)</td>`)
		byParent := func(page string) map[string][]string {
			out := map[string][]string{}
			for _, r := range row.FindAllStringSubmatch(page, -1) {
				out[r[2]] = append(out[r[2]], r[1])
			}
			return out
		}
		clerk := demoClient(t, m.URL(), "clerk")
		_, page := clerk.get("/assessment")
		all := byParent(page)
		prop := all["物业公司"]
		if len(prop) == 0 || len(all["物流公司"]) == 0 {
			t.Fatalf("the demo's closes by parent: %v", all)
		}
		head := demoClient(t, m.URL(), "head.yongxin")
		if _, page := head.get("/assessment"); strings.Join(hrefsWithPrefix(t, page, "/assessment/closes/"), ",") != strings.Join(prop, ",") {
			t.Errorf("the head of 永馨园 lists %v, want the property company's %v", hrefsWithPrefix(t, page, "/assessment/closes/"), prop)
		}
		for user, want := range map[string][]string{"clerk.log": all["物流公司"], "head.gc1": nil} {
			c := demoClient(t, m.URL(), user)
			status, page := c.get("/assessment")
			if status != http.StatusOK {
				t.Fatalf("%s: /assessment %d", user, status)
			}
			if got := hrefsWithPrefix(t, page, "/assessment/closes/"); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s lists %v, want %v", user, got, want)
			}
			if status, _ := c.get(prop[0]); status != http.StatusNotFound {
				t.Errorf("%s opens %s: %d, want 404", user, prop[0], status)
			}
		}
	})
}

// TestMaintainerSeesOwnScore: on the monthly ranking a maintainer (staff only) sees his own
// row and not his teammates'; the foreman of his team sees the team's rows.
func TestMaintainerSeesOwnScore(t *testing.T) {
	t.Parallel()
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
