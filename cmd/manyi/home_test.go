package main

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"manyi/internal/store"
)

// homeCard is a to-do card as the home page shows it.
type homeCardSeen struct {
	role, key, href string
	count           int // -1 when the card shows no count
	alert           bool
}

// homeCards parses the home page: every section's role and every card in it.
func homeCards(t *testing.T, page string) []homeCardSeen {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []homeCardSeen
	var walk func(n *html.Node, role string)
	walk = func(n *html.Node, role string) {
		if n.Type == html.ElementNode {
			if r := nodeAttr(n, "data-role"); r != "" {
				role = r
			}
			if key := nodeAttr(n, "data-todo"); key != "" {
				c := homeCardSeen{role: role, key: key, href: nodeAttr(n, "href"), count: -1, alert: strings.Contains(nodeAttr(n, "class"), "todo-alert")}
				for k := n.FirstChild; k != nil; k = k.NextSibling {
					if k.Type == html.ElementNode && nodeAttr(k, "class") == "todo-count" && k.FirstChild != nil {
						if c.count, err = strconv.Atoi(strings.TrimSpace(k.FirstChild.Data)); err != nil {
							t.Fatalf("card %s: count %q is not a number", key, k.FirstChild.Data)
						}
					}
				}
				out = append(out, c)
			}
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k, role)
		}
	}
	walk(doc, "")
	return out
}

// TestHomePerRole logs in as every demo account and the administrator: each sees a section
// for each of its roles (and none for a role it lacks), each card's link opens (no page that
// refuses), and a late count is marked as such.
func TestHomePerRole(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		accounts := map[string][]string{
			"admin": {"admin"}, "clerk": {"clerk"}, "committee": {"committee"}, "head.yongxin": {"unit_head"},
			"foreman.net": {"foreman"}, "dispatcher1": {"dispatcher"}, "manager1": {"manager"},
			"staff1": {"staff"}, "nurse1": {"staff"},
		}
		// What issue 15 asks each role's page to show: the clerk's late callbacks, the
		// committee's budget, a head's and a maintainer's own trend (the demo has closed months
		// for both), a dispatcher's progress through the day, the audit chain's state.
		wantCards := map[string][]string{
			"admin": {"home.audit_chain"}, "clerk": {"home.callbacks_overdue", "home.closes_draft", "home.imports_staged"},
			"committee": {"home.closes_to_approve", "home.budget"}, "head.yongxin": {"home.complaints_open", "home.trend"},
			"dispatcher1": {"home.callbacks_waiting", "home.calls_today"}, "foreman.net": {"home.self_evaluations", "home.followup_visits"},
			"staff1": {"home.my_notices", "home.trend"},
		}
		for user, roles := range accounts {
			c := newClient(t, m.URL())
			if user == "admin" {
				c.login(user, testAdminPassword)
			} else {
				c.login(user, "manyi-demo-2026")
			}
			status, body := c.get("/")
			if status != http.StatusOK {
				t.Fatalf("%s: home %d", user, status)
			}
			cards := homeCards(t, body)
			seen := map[string]bool{}
			for _, card := range cards {
				seen[card.role] = true
				if card.alert && card.count == 0 {
					t.Errorf("%s: card %s is marked late with a count of %d", user, card.key, card.count)
				}
				if st, page := c.get(card.href); st != http.StatusOK {
					t.Errorf("%s: card %s links to %s, which answers %d %.120s", user, card.key, card.href, st, page)
				}
			}
			for _, r := range roles {
				if !seen[r] {
					t.Errorf("%s: no section for role %s (cards %v)", user, r, cards)
				}
			}
			for _, key := range wantCards[user] {
				if !slices.ContainsFunc(cards, func(c homeCardSeen) bool { return c.key == key }) {
					t.Errorf("%s: no card %s (cards %v)", user, key, cards)
				}
			}
			if len(seen) != len(roles) {
				t.Errorf("%s: sections for %v, want only %v", user, seen, roles)
			}
		}
	})
}

// TestHomeCountsFollowTheRecords checks one count against its list: the clerk's open
// complaints on the home page equal the open complaints the complaint list shows.
func TestHomeCountsFollowTheRecords(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, store.SQLite)
	c := newClient(t, m.URL())
	c.login("clerk", "manyi-demo-2026")
	_, body := c.get("/")
	open := -1
	for _, card := range homeCards(t, body) {
		if card.key == "home.complaints_open" {
			open = card.count
		}
	}
	if open <= 0 {
		t.Fatalf("the clerk's home shows %d open complaints; the demo has some", open)
	}
	_, list := c.get("/complaints?open=1")
	rows := len(htmlNodes(t, list, func(n *html.Node) bool { return n.Data == "tr" && nodeAttr(n, "data-id") != "" }))
	if rows >= 50 {
		t.Fatalf("the list is paged at 50 rows; this check needs fewer open complaints than that")
	}
	if rows != open {
		t.Errorf("home says %d open complaints, the open-complaint list shows %d", open, rows)
	}
}
