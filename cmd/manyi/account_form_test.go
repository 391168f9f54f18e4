package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
)

// selectedOption is the value of the chosen option of a page's select named name, "" when
// none is.
func selectedOption(t *testing.T, page, name string) string {
	t.Helper()
	for _, n := range htmlNodes(t, page, func(n *html.Node) bool {
		return n.Data == "option" && n.Parent != nil && nodeAttr(n.Parent, "name") == name && slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "selected" })
	}) {
		return nodeAttr(n, "value")
	}
	return ""
}

// TestAccountForm (issue 14): the account form asks for a unit, then offers that unit's people
// who may get an account, the list its API answers. Without scripts the unit's list button
// sends a form of its own, which reloads the page with ?unit= and so never carries the
// password; a person's page opens the form with their unit and them chosen, and offers none
// to an inactive person. A person with an account and an inactive one are refused on the
// person, in Chinese and English, the form coming back with their unit chosen, and nothing
// is stored; the person chosen gets the account and leaves the list.
func TestAccountForm(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		ctx := context.Background()
		admin := demoClient(t, m.URL(), "admin")
		var net, holder int64
		if err := m.DB.SQL().QueryRow("SELECT id FROM units WHERE code = 'IMC-WL'").Scan(&net); err != nil {
			t.Fatal(err)
		}
		if err := m.DB.SQL().QueryRow(fmt.Sprintf("SELECT MIN(u.person_id) FROM users u JOIN people p ON p.id = u.person_id WHERE p.unit_id = %d", net)).Scan(&holder); err != nil {
			t.Fatal(err)
		}
		person := func(name string) int64 {
			p, err := org.CreatePerson(ctx, m.DB, access.System, org.PersonInput{UnitID: net, Name: name, Title: "维修工"})
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		fresh, retired := person("新来的维修工"), person("离职的维修工")
		off := false
		if _, err := org.UpdatePerson(ctx, m.DB, access.System, retired, org.PersonPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		netID, freshID := fmt.Sprint(net), fmt.Sprint(fresh)
		users := func() int {
			var n int
			if err := m.DB.SQL().QueryRow("SELECT COUNT(*) FROM users").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// No unit chosen: the units, nobody yet. The unit select and its list button belong to
		// the GET form that reloads the page; the person select to the form that creates.
		_, page := admin.get("/org/users/new")
		if units, people := selectOptions(t, page, "unit"), selectOptions(t, page, "person_id"); len(units) < 10 || len(people) != 0 {
			t.Fatalf("the form without a unit: %d units, %d people", len(units), len(people))
		}
		owned := htmlNodes(t, page, func(n *html.Node) bool { return nodeAttr(n, "form") == "user-unit" })
		lister := htmlNodes(t, page, func(n *html.Node) bool {
			return n.Data == "form" && nodeAttr(n, "id") == "user-unit" && nodeAttr(n, "method") == "get" && nodeAttr(n, "action") == "/org/users/new"
		})
		if len(owned) != 2 || nodeAttr(owned[0], "name") != "unit" || nodeAttr(owned[1], "type") != "submit" || len(lister) != 1 {
			t.Fatalf("the unit's list form: %d elements of it, %d forms", len(owned), len(lister))
		}

		// The list button, as a browser without scripts sends it: the unit's people who may get
		// an account, as the API lists them.
		_, page = admin.get("/org/users/new?unit=" + netID)
		offered := selectOptions(t, page, "person_id")
		_, list, _ := admin.do("GET", "/api/v1/units/"+netID+"/account-candidates", nil, nil)
		var api []string
		for _, s := range strings.Split(list, `"id":`)[1:] {
			api = append(api, s[:strings.IndexAny(s, ",}")])
		}
		if !slices.Equal(offered, api) || !slices.Contains(offered, freshID) || slices.Contains(offered, fmt.Sprint(retired)) ||
			slices.Contains(offered, fmt.Sprint(holder)) || selectedOption(t, page, "unit") != netID {
			t.Fatalf("网络班's people: the form offers %v, the API %v (new %d, inactive %d, with an account %d)", offered, api, fresh, retired, holder)
		}

		// From a person's page: the form with their unit and them chosen. An inactive person's
		// page and an account holder's offer no form.
		newAccount := func(page string) int {
			return len(htmlNodes(t, page, func(n *html.Node) bool {
				return n.Data == "a" && strings.HasPrefix(nodeAttr(n, "href"), "/org/users/new")
			}))
		}
		for id, offers := range map[int64]int{fresh: 1, retired: 0, holder: 0} {
			if _, page := admin.get(fmt.Sprint("/org/people/", id)); newAccount(page) != offers {
				t.Errorf("person %d's page: %d links to the account form, want %d", id, newAccount(page), offers)
			}
		}
		_, page = admin.get("/org/users/new?person=" + freshID)
		if selectedOption(t, page, "unit") != netID || selectedOption(t, page, "person_id") != freshID {
			t.Errorf("the form from the new maintainer's page chose unit %q and person %q", selectedOption(t, page, "unit"), selectedOption(t, page, "person_id"))
		}

		before := users()
		for _, r := range []struct {
			person       int64
			path, status string
			want         string
		}{
			{holder, "/org/users", "409", "该人员已经有账号"},
			{holder, "/org/users?lang=en", "409", "This Person already has an account"},
			{retired, "/org/users", "422", "人员“离职的维修工”已停用，不能开通账号"},
			{retired, "/org/users?lang=en", "422", "Person “离职的维修工” is inactive and cannot be given an account"},
		} {
			status, page, _ := admin.post(r.path, url.Values{"person_id": {fmt.Sprint(r.person)}, "username": {"new.maint"}, "password": {"long-enough-pw-1"}, "locale": {"zh-CN"}})
			invalid := htmlNodes(t, page, func(n *html.Node) bool {
				return nodeAttr(n, "name") == "person_id" && nodeAttr(n, "aria-invalid") == "true"
			})
			if fmt.Sprint(status) != r.status || formErrorText(t, page) != r.want || len(invalid) != 1 || selectedOption(t, page, "unit") != netID {
				t.Errorf("%s for person %d: %d %q, unit %q; want %s %q on the person, 网络班 chosen", r.path, r.person, status, formErrorText(t, page), selectedOption(t, page, "unit"), r.status, r.want)
			}
		}
		if n := users(); n != before {
			t.Fatalf("%d accounts after the refusals, %d before", n, before)
		}

		status, _, loc := admin.post("/org/users", url.Values{"person_id": {freshID}, "username": {"new.maint"}, "password": {"long-enough-pw-1"}, "locale": {"zh-CN"}})
		if status != http.StatusSeeOther || loc != "/org/users" || users() != before+1 {
			t.Fatalf("creating the new maintainer's account: %d %q", status, loc)
		}
		if _, page := admin.get("/org/users/new?unit=" + netID); slices.Contains(selectOptions(t, page, "person_id"), freshID) {
			t.Error("the new maintainer is still offered an account")
		}
		_, page = admin.get("/org/people/" + freshID)
		shown := htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "code" && htmlText(n) == "new.maint" })
		if len(shown) != 1 || newAccount(page) != 0 {
			t.Errorf("the new maintainer's page shows the account %d times and %d links to the form", len(shown), newAccount(page))
		}
	})
}
