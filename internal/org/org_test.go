package org_test

import (
	"context"
	"slices"
	"testing"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

var admin = access.Principal{UserID: 0, Username: "root", Grants: []access.Grant{{Role: access.Admin}}}

func intp(n int) *int { return &n }

func mustUnit(t *testing.T, db *store.DB, parent int64, code string, kind org.Kind) org.Unit {
	t.Helper()
	in := org.UnitInput{ParentID: parent, Code: code, Name: code, Kind: kind}
	if kind == org.Area {
		in.Households, in.ThresholdBP = intp(400), intp(3000)
	}
	u, err := org.CreateUnit(context.Background(), db, admin, in)
	if err != nil {
		t.Fatalf("create unit %s: %v", code, err)
	}
	return u
}

// mustPerson adds a person to unit with roles over it.
func mustPerson(t *testing.T, db *store.DB, unit int64, name string, roles ...access.Role) org.Person {
	t.Helper()
	ctx := context.Background()
	p, err := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: unit, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	var grants []access.Grant
	for _, r := range roles {
		grants = append(grants, access.Grant{Role: r, UnitID: unit})
	}
	if p, err = org.SetGrants(ctx, db, admin, p.ID, grants); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUnitRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		co := mustUnit(t, db, 0, "CO", org.Company)
		dept := mustUnit(t, db, co.ID, "PROP", org.Department)
		area := mustUnit(t, db, dept.ID, "YXY", org.Area)
		tests := []struct {
			name  string
			in    org.UnitInput
			code  errs.Code
			field string
		}{
			{"duplicate code", org.UnitInput{ParentID: co.ID, Code: "PROP", Name: "x", Kind: org.Department}, errs.Conflict, "code"},
			{"no name", org.UnitInput{ParentID: co.ID, Code: "N", Kind: org.Department}, errs.Invalid, "name"},
			{"no code", org.UnitInput{ParentID: co.ID, Name: "n", Kind: org.Department}, errs.Invalid, "code"},
			{"bad kind", org.UnitInput{ParentID: co.ID, Code: "K", Name: "k", Kind: "planet"}, errs.Invalid, "kind"},
			{"negative households", org.UnitInput{ParentID: dept.ID, Code: "H", Name: "h", Kind: org.Area, Households: intp(-1)}, errs.Invalid, "households"},
			{"threshold over 100 %", org.UnitInput{ParentID: dept.ID, Code: "T", Name: "t", Kind: org.Area, ThresholdBP: intp(10001)}, errs.Invalid, "threshold"},
			{"households on a team", org.UnitInput{ParentID: dept.ID, Code: "TM", Name: "t", Kind: org.Team, Households: intp(3)}, errs.Invalid, "households"},
			{"unknown parent", org.UnitInput{ParentID: 9999, Code: "P", Name: "p", Kind: org.Team}, errs.Invalid, "parent_id"},
		}
		for _, tt := range tests {
			_, err := org.CreateUnit(ctx, db, admin, tt.in)
			e := errs.As(err)
			if e.Code != tt.code || e.Field != tt.field {
				t.Errorf("%s: err = %v (code %s, field %q), want %s on %q", tt.name, err, e.Code, e.Field, tt.code, tt.field)
			}
		}
		// A unit moved under its own child is refused and nothing changes.
		_, err := org.UpdateUnit(ctx, db, admin, dept.ID, org.UnitPatch{ParentID: &area.ID})
		if e := errs.As(err); e.Field != "parent_id" {
			t.Fatalf("move under own child: %v", err)
		}
		_, err = org.UpdateUnit(ctx, db, admin, dept.ID, org.UnitPatch{ParentID: &dept.ID})
		if e := errs.As(err); e.Field != "parent_id" {
			t.Fatalf("move under itself: %v", err)
		}
		got, _ := org.GetUnit(ctx, db, admin, dept.ID)
		if got.ParentID != co.ID {
			t.Fatalf("refused move changed parent to %d", got.ParentID)
		}
		// Deactivating a unit with active children is refused.
		if _, err := org.UpdateUnit(ctx, db, admin, dept.ID, org.UnitPatch{Active: new(bool)}); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("deactivate with children: %v", err)
		}
		// Deleting a unit in use is refused.
		if err := org.DeleteUnit(ctx, db, admin, dept.ID); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("delete in use: %v", err)
		}
		// Only the refusals' absence: 3 creations in the audit log.
		var n int
		db.Read(ctx, func(tx *store.Tx) error {
			_, n, _ = audit.List(ctx, tx, audit.Filter{Entity: "unit"})
			return nil
		})
		if n != 3 {
			t.Fatalf("audit has %d unit entries after 3 creations and only refusals, want 3", n)
		}
	})
}

func TestMoveRenameDeactivateKeepHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		co := mustUnit(t, db, 0, "CO", org.Company)
		a := mustUnit(t, db, co.ID, "A", org.Department)
		b := mustUnit(t, db, co.ID, "B", org.Department)
		team := mustUnit(t, db, a.ID, "T1", org.Team)
		name := "一班"
		if _, err := org.UpdateUnit(ctx, db, admin, team.ID, org.UnitPatch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if _, err := org.UpdateUnit(ctx, db, admin, team.ID, org.UnitPatch{ParentID: &b.ID}); err != nil {
			t.Fatal(err)
		}
		off := false
		if _, err := org.UpdateUnit(ctx, db, admin, team.ID, org.UnitPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		var entries []audit.Entry
		db.Read(ctx, func(tx *store.Tx) (err error) {
			entries, _, err = audit.List(ctx, tx, audit.Filter{Entity: "unit", EntityID: "4"})
			return err
		})
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		want := []string{"deactivate", "move", "update", "create"}
		if len(actions) != len(want) {
			t.Fatalf("history = %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("history = %v, want %v", actions, want)
			}
		}
		units, _ := org.ListUnits(ctx, db, admin, org.UnitFilter{})
		for _, u := range units {
			if u.ID == team.ID {
				t.Fatal("inactive unit listed by default")
			}
		}
		units, _ = org.ListUnits(ctx, db, admin, org.UnitFilter{IncludeInactive: true})
		if len(units) != 4 || units[3].ID != team.ID || units[3].Depth != 2 || units[3].Name != name {
			t.Fatalf("tree = %+v", units)
		}
	})
}

func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		co := mustUnit(t, db, 0, "CO", org.Company)
		prop := mustUnit(t, db, co.ID, "PROP", org.Department)
		yx := mustUnit(t, db, prop.ID, "YXY", org.Area)
		mg := mustUnit(t, db, prop.ID, "MGQ", org.Area)
		head := access.Principal{UserID: 42, Username: "head", Grants: []access.Grant{{Role: access.UnitHead, UnitID: yx.ID}}}
		deptAdmin := access.Principal{UserID: 43, Username: "da", Grants: []access.Grant{{Role: access.Admin, UnitID: prop.ID}}}

		if _, err := org.GetUnit(ctx, db, head, yx.ID); err != nil {
			t.Fatalf("head reads own unit: %v", err)
		}
		if _, err := org.GetUnit(ctx, db, head, mg.ID); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("head reads other unit: %v", err)
		}
		units, _ := org.ListUnits(ctx, db, head, org.UnitFilter{})
		if len(units) != 1 || units[0].ID != yx.ID {
			t.Fatalf("head lists %+v", units)
		}
		name := "x"
		if _, err := org.UpdateUnit(ctx, db, head, yx.ID, org.UnitPatch{Name: &name}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("head renames own unit: %v", err)
		}
		// A department admin cannot move a unit out of the department.
		if _, err := org.UpdateUnit(ctx, db, deptAdmin, mg.ID, org.UnitPatch{ParentID: &co.ID}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("dept admin moves unit outside scope: %v", err)
		}
		p, err := org.CreatePerson(ctx, db, deptAdmin, org.PersonInput{UnitID: yx.ID, Name: "张三", Phone: "13812341234"})
		if err != nil {
			t.Fatal(err)
		}
		// Nor grant a role outside the department, nor an organisation-wide one.
		for _, g := range []access.Grant{{Role: access.UnitHead, UnitID: co.ID}, {Role: access.Clerk}} {
			if _, err := org.SetGrants(ctx, db, deptAdmin, p.ID, []access.Grant{g}); errs.As(err).Field != "role_unit" {
				t.Errorf("grant %+v outside scope: %v", g, err)
			}
		}
		if _, err := org.SetGrants(ctx, db, deptAdmin, p.ID, []access.Grant{{Role: "emperor", UnitID: yx.ID}}); errs.As(err).Field != "role" {
			t.Errorf("unknown role: %v", err)
		}
		got, err := org.SetGrants(ctx, db, deptAdmin, p.ID, []access.Grant{{Role: access.UnitHead, UnitID: yx.ID}, {Role: access.UnitHead, UnitID: yx.ID}})
		if err != nil || len(got.Grants) != 1 {
			t.Fatalf("grant in scope: %+v, %v", got.Grants, err)
		}
		// The head cannot see people of another area.
		q, _ := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: mg.ID, Name: "李四"})
		if _, err := org.GetPerson(ctx, db, head, q.ID); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("head reads other area's person: %v", err)
		}
		people, _ := org.ListPeople(ctx, db, head, org.PersonFilter{})
		if len(people) != 1 || people[0].ID != p.ID {
			t.Fatalf("head lists people %+v", people)
		}
		if _, err := org.ListPeople(ctx, db, head, org.PersonFilter{UnitID: mg.ID}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("head lists other area's people: %v", err)
		}
	})
}

func TestPersonValidation(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	co := mustUnit(t, db, 0, "CO", org.Company)
	for _, tt := range []struct {
		in    org.PersonInput
		field string
	}{
		{org.PersonInput{UnitID: co.ID}, "name"},
		{org.PersonInput{Name: "x"}, "unit_id"},
		{org.PersonInput{UnitID: co.ID, Name: "x", Phone: "abc"}, "phone"},
		{org.PersonInput{UnitID: 999, Name: "x"}, "unit_id"},
	} {
		if _, err := org.CreatePerson(ctx, db, admin, tt.in); errs.As(err).Field != tt.field {
			t.Errorf("CreatePerson(%+v) = %v, want error on %s", tt.in, err, tt.field)
		}
	}
	if got := org.MaskPhone("13812341234"); got != "138****1234" {
		t.Errorf("MaskPhone = %s", got)
	}
}

// TestScopedAdminCannotTakeOverWiderAdmin: an administrator of one area must not be able to
// change the record, roles or account of someone whose roles reach beyond that area.
func TestScopedAdminCannotTakeOverWiderAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		co := mustUnit(t, db, 0, "CO", org.Company)
		yx := mustUnit(t, db, co.ID, "YXY", org.Area)
		boss, err := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: yx.ID, Name: "总管理员"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := org.SetGrants(ctx, db, admin, boss.ID, []access.Grant{{Role: access.Admin}}); err != nil {
			t.Fatal(err)
		}
		areaAdmin := access.Principal{UserID: 7, Username: "aa", Grants: []access.Grant{{Role: access.Admin, UnitID: yx.ID}}}
		off := false
		if _, err := org.UpdatePerson(ctx, db, areaAdmin, boss.ID, org.PersonPatch{Active: &off}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("area admin deactivates an organisation-wide admin: %v", err)
		}
		if _, err := org.SetGrants(ctx, db, areaAdmin, boss.ID, []access.Grant{{Role: access.Admin}, {Role: access.Staff, UnitID: yx.ID}}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("area admin edits an organisation-wide admin's roles: %v", err)
		}
		if _, err := org.ListPeople(ctx, db, admin, org.PersonFilter{UnitID: 9999}); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("people of a unit that does not exist: %v", err)
		}
	})
}

// TestReadPeople reads by unit and role, by id, and nobody for an empty list: a close reads
// only the people it assesses, a page only those it names.
func TestReadPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		co := mustUnit(t, db, 0, "CO", org.Company)
		a := mustUnit(t, db, co.ID, "A", org.Team)
		b := mustUnit(t, db, co.ID, "B", org.Team)
		a2 := mustPerson(t, db, a.ID, "Bo", access.Staff) // made first: the order by name is not by id
		a1 := mustPerson(t, db, a.ID, "Ann", access.Staff, access.Foreman)
		plain := mustPerson(t, db, a.ID, "丙")
		head := mustPerson(t, db, a.ID, "丁", access.UnitHead)
		b1 := mustPerson(t, db, b.ID, "戊", access.Staff)
		ids := func(q org.PeopleQuery) []int64 {
			t.Helper()
			var got []org.Person
			if err := db.Read(ctx, func(tx *store.Tx) (err error) { got, err = org.ReadPeople(ctx, tx, q); return err }); err != nil {
				t.Fatal(err)
			}
			out := []int64{}
			for _, p := range got {
				if q.Roles != nil && len(p.Grants) == 0 {
					t.Errorf("%s read without grants", p.Name)
				}
				out = append(out, p.ID)
			}
			return out
		}
		want := []int64{a1.ID, a2.ID}
		if got := ids(org.PeopleQuery{UnitIDs: []int64{a.ID}, Roles: []access.Role{access.Staff}}); !slices.Equal(got, want) {
			t.Errorf("staff of A: %v, want %v by name", got, want)
		}
		if got := ids(org.PeopleQuery{Roles: []access.Role{access.UnitHead}}); !slices.Equal(got, []int64{head.ID}) {
			t.Errorf("unit heads: %v, want %d", got, head.ID)
		}
		got := ids(org.PeopleQuery{IDs: []int64{b1.ID, plain.ID, 1 << 40}})
		slices.Sort(got)
		if !slices.Equal(got, []int64{plain.ID, b1.ID}) {
			t.Errorf("by id: %v, want %d and %d", got, plain.ID, b1.ID)
		}
		if got := ids(org.PeopleQuery{IDs: []int64{}}); len(got) != 0 {
			t.Errorf("no ids read %v", got)
		}
	})
}

// TestListPeopleBeyondParameterLimit lists more people than either database takes parameters
// in one statement (SQLite 32,766, PostgreSQL 65,535): the national-scale organisation has
// 100,000, and the list's grants were once read with one parameter a person.
func TestListPeopleBeyondParameterLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("70,000 people")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUnit(t, db, 0, "BIG", org.Company)
		const n = 70_000
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
				INSERT INTO people (unit_id, name, created_at, updated_at) SELECT ?, 'p' || CAST(i AS TEXT), ?, ? FROM seq`, n, u.ID, tx.Now, tx.Now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		people, err := org.ListPeople(ctx, db, admin, org.PersonFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != n {
			t.Fatalf("%d people listed, want %d", len(people), n)
		}
	})
}

// TestUnitPeople: a unit's list reads its subtree or, Exact, the unit itself, paged by name
// within the scope; Members and IsMember are the active people of the unit itself.
func TestUnitPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		co := mustUnit(t, db, 0, "CO", org.Company)
		centre := mustUnit(t, db, co.ID, "IMC", org.Department)
		net := mustUnit(t, db, centre.ID, "IMC-WL", org.Team)
		term := mustUnit(t, db, centre.ID, "IMC-ZD", org.Team)
		head := mustPerson(t, db, centre.ID, "主任")
		a, b, gone := mustPerson(t, db, net.ID, "维修A"), mustPerson(t, db, net.ID, "维修B"), mustPerson(t, db, net.ID, "维修C")
		other := mustPerson(t, db, term.ID, "维修D")
		off := false
		if _, err := org.UpdatePerson(ctx, db, admin, gone.ID, org.PersonPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		ids := func(people []org.Person) []int64 {
			var out []int64
			for _, p := range people {
				out = append(out, p.ID)
			}
			return out
		}
		foreman := access.Principal{Username: "fm", Grants: []access.Grant{{Role: access.Foreman, UnitID: net.ID}}}
		for _, tt := range []struct {
			name  string
			actor access.Principal
			f     org.PersonFilter
			want  []int64
		}{
			{"the centre and its teams", admin, org.PersonFilter{UnitID: centre.ID}, []int64{head.ID, a.ID, b.ID, other.ID}},
			{"the centre itself", admin, org.PersonFilter{UnitID: centre.ID, Exact: true}, []int64{head.ID}},
			{"a team with the inactive", admin, org.PersonFilter{UnitID: net.ID, Exact: true, IncludeInactive: true}, []int64{a.ID, b.ID, gone.ID}},
			{"a foreman's scope", foreman, org.PersonFilter{}, []int64{a.ID, b.ID}},
			{"a page of one", admin, org.PersonFilter{UnitID: centre.ID, Page: &store.Page{Limit: 1}}, []int64{head.ID, a.ID}},
		} {
			got, err := org.ListPeople(ctx, db, tt.actor, tt.f)
			if err != nil || !slices.Equal(ids(got), tt.want) {
				t.Errorf("%s: %v %v, want %v", tt.name, ids(got), err, tt.want)
			}
		}
		if _, err := org.ListPeople(ctx, db, foreman, org.PersonFilter{UnitID: term.ID, Exact: true}); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a foreman lists another team: %v", err)
		}
		err := db.Read(ctx, func(tx *store.Tx) error {
			members, err := org.Members(ctx, tx, net.ID)
			if err != nil || !slices.Equal(ids(members), []int64{a.ID, b.ID}) {
				t.Errorf("members of the team: %v %v", ids(members), err)
			}
			for _, c := range []struct {
				person org.Person
				want   bool
			}{{a, true}, {gone, false}, {other, false}, {head, false}} {
				if got, err := org.IsMember(ctx, tx, net.ID, c.person.ID); err != nil || got != c.want {
					t.Errorf("IsMember(team, %s) = %v %v, want %v", c.person.Name, got, err, c.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
