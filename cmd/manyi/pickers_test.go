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

// selectOptions are the values of a page's select named name, but its empty first option.
func selectOptions(t *testing.T, page, name string) []string {
	t.Helper()
	var out []string
	for _, n := range htmlNodes(t, page, func(n *html.Node) bool {
		return n.Data == "option" && n.Parent != nil && nodeAttr(n.Parent, "name") == name && nodeAttr(n, "value") != ""
	}) {
		out = append(out, nodeAttr(n, "value"))
	}
	return out
}

// formErrorText is the text of the form's refusal, "" when there is none.
func formErrorText(t *testing.T, page string) string {
	t.Helper()
	for _, n := range htmlNodes(t, page, func(n *html.Node) bool { return nodeAttr(n, "id") == "form-error" }) {
		return htmlText(n)
	}
	return ""
}

// TestPickersScoped (issue 14): the registration form, the new-inspection form, the account
// form and a unit's page read what they show in a fixed number of statements and list only
// the people of the team or unit chosen, so that people added to other teams change neither
// (at national scale these pages listed every maintainer in scope, or every person without an
// account). A unit's own people are paged. Choosing a
// team or unit without scripts keeps what was typed; a maintainer of another team and a
// person outside the inspected unit are refused on their field in Chinese and English, and
// nothing is stored.
func TestPickersScoped(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		ctx := context.Background()
		id := func(query string) string {
			t.Helper()
			var v int64
			if err := m.DB.SQL().QueryRow(query).Scan(&v); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return fmt.Sprint(v)
		}
		unit := func(code string) string { return id("SELECT id FROM units WHERE code = '" + code + "'") }
		net, term, care, ward1, ward2 := unit("IMC-WL"), unit("IMC-ZD"), unit("CARE"), unit("CARE-BQ1"), unit("CARE-BQ2")
		root := id("SELECT MIN(id) FROM units WHERE parent_id IS NULL")
		checklist := id("SELECT MAX(id) FROM inspection_checklists WHERE code = 'CARE-ROUND'")
		clerk, admin := demoClient(t, m.URL(), "clerk"), demoClient(t, m.URL(), "admin")

		pages := []struct {
			c          *client
			path, list string // list: the select whose options, or the table whose rows, are counted
		}{
			{clerk, "/workorders/new?team=" + net, "maintainer"},
			{clerk, "/inspections/new?kind=duty_round&unit=" + care + "&checklist=" + checklist, "charged_person"},
			{admin, "/org/units/" + root, "#unit-people"},
			{admin, "/org/users/new?unit=" + net, "person_id"},
		}
		type seen struct {
			statements int64
			shown      []string
			next       bool
		}
		look := func() []seen {
			t.Helper()
			var out []seen
			for _, p := range pages {
				before := m.DB.Statements()
				status, page := p.c.get(p.path)
				if status != http.StatusOK {
					t.Fatalf("%s: %d %.300s", p.path, status, page)
				}
				s := seen{statements: m.DB.Statements() - before, next: strings.Contains(page, `rel="next"`)}
				if table, ok := strings.CutPrefix(p.list, "#"); ok {
					for _, tr := range htmlNodes(t, page, func(n *html.Node) bool {
						return n.Data == "tr" && n.Parent != nil && n.Parent.Parent != nil && nodeAttr(n.Parent.Parent, "id") == table && n.Parent.Data == "tbody"
					}) {
						s.shown = append(s.shown, htmlText(tr))
					}
				} else {
					s.shown = selectOptions(t, page, p.list)
				}
				out = append(out, s)
			}
			return out
		}
		grow := func(unitID string, n int, title string) []int64 {
			t.Helper()
			var u int64
			fmt.Sscan(unitID, &u)
			var ids []int64
			for i := range n {
				p, err := org.CreatePerson(ctx, m.DB, access.System, org.PersonInput{UnitID: u, Name: fmt.Sprintf("%s%03d", title, i), Title: title})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := org.SetGrants(ctx, m.DB, access.System, p.ID, []access.Grant{{Role: access.Staff, UnitID: u}}); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, p.ID)
			}
			return ids
		}

		small := look()
		for i, s := range small {
			if len(s.shown) == 0 {
				t.Fatalf("%s lists nobody", pages[i].path)
			}
		}
		others := grow(term, 40, "增员维修人")
		grow(ward2, 40, "增员护理员")
		large := look()
		for i, p := range pages {
			if large[i].statements != small[i].statements || !slices.Equal(large[i].shown, small[i].shown) {
				t.Errorf("%s: %d statements and %d rows, %d and %d after people joined other units",
					p.path, small[i].statements, len(small[i].shown), large[i].statements, len(large[i].shown))
			}
		}
		grow(root, 60, "集团职员")
		paged := look()[2]
		if paged.statements != small[2].statements || len(paged.shown) != 50 || !paged.next {
			t.Errorf("the root's page with 60 more people of its own: %d statements (%d before), %d rows, next link %v; want a page of 50",
				paged.statements, small[2].statements, len(paged.shown), paged.next)
		}
		t.Logf("statements per page: %d, %d, %d", large[0].statements, large[1].statements, large[2].statements)

		count := func(table string) string { return id("SELECT COUNT(*) FROM " + table) }
		orders, inspections := count("work_orders"), count("inspections")

		// The team's choose button, as a browser without scripts sends it: the form comes
		// back as typed with the other team's maintainers, and nothing is registered.
		order := url.Values{"wo_source": {"hotline"}, "reported_at": {m.DB.Now().In(shanghai(t)).Format("2006-01-02T15:04")}, "reporter": {"王老师"},
			"phone": {"13800001111"}, "location": {"3号楼201"}, "device": {"交换机"}, "fault": {"网络不通"}, "team": {term}}
		pick := url.Values{"pick": {"1"}}
		for k, v := range order {
			pick[k] = v
		}
		status, page, _ := clerk.post("/workorders", pick)
		offered := selectOptions(t, page, "maintainer")
		if status != http.StatusOK || !strings.Contains(page, `value="王老师"`) || !slices.Contains(offered, fmt.Sprint(others[0])) || len(offered) != 5+len(others) {
			t.Fatalf("choosing 终端班: %d, %d maintainers offered %.300s", status, len(offered), page)
		}
		// Registered for 网络班 with 终端班's maintainer: refused on the maintainer.
		order.Set("team", net)
		order.Set("maintainer", fmt.Sprint(others[0]))
		for path, want := range map[string]string{"/workorders": "维修人不是该班组的在岗人员", "/workorders?lang=en": "Maintainer is not an active member of this team"} {
			status, page, _ := clerk.post(path, order)
			if status != http.StatusUnprocessableEntity || formErrorText(t, page) != want || !strings.Contains(page, `name="maintainer" required data-empty`) {
				t.Errorf("%s with another team's maintainer: %d %q, want 422 %q", path, status, formErrorText(t, page), want)
			}
		}

		// The same on the new-inspection form: the unit of the person charged chosen without
		// scripts, then a person of the other ward charged on 一病区's round.
		var bq2 []string
		_, list, _ := clerk.do("GET", "/api/v1/inspections/units/"+care+"/chargeable?charged_unit="+ward2, nil, nil)
		for _, s := range strings.Split(list, `"id":`)[1:] {
			bq2 = append(bq2, s[:strings.IndexAny(s, ",}")])
		}
		_, form := clerk.get(pages[1].path)
		item := optionValue(t, form, "C02 ")
		fields := map[string]string{"inspection_kind": "duty_round", "unit_id": care, "checklist_id": checklist, "checklist_item": item,
			"finding_description": "5 床护理记录未填写", "charged_unit": ward2, "pick": "1"}
		status, page, _ = clerk.postMultipart("/inspections", fields, "", nil)
		if got := selectOptions(t, page, "charged_person"); status != http.StatusOK || !strings.Contains(page, "5 床护理记录未填写") || !slices.Equal(got, bq2) || len(bq2) < 40 {
			t.Fatalf("choosing 二病区 on 养老中心's round: %d, offered %v, the API lists %v", status, got, bq2)
		}
		delete(fields, "pick")
		fields["unit_id"], fields["charged_person"] = ward1, bq2[0]
		for path, want := range map[string]string{"/inspections": "不在被检查单位或其下级单位工作", "/inspections?lang=en": "does not work in the inspected unit or a unit under it"} {
			status, page, _ := clerk.postMultipart(path, fields, "", nil)
			if status != http.StatusUnprocessableEntity || !strings.Contains(formErrorText(t, page), want) {
				t.Errorf("%s charging 二病区's worker on 一病区's round: %d %q, want 422 %q", path, status, formErrorText(t, page), want)
			}
		}
		if count("work_orders") != orders || count("inspections") != inspections {
			t.Error("a chosen team or a refused form stored a record")
		}
	})
}
