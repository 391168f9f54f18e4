package auth_test

import (
	"slices"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestAccountCandidates: who may get an account is one rule, read by the account form's list
// of a unit's people, the person's page and CreateUser alike — an active person without an
// account, in the administrator's scope with every role they hold. An area's administrator
// neither sees nor may open an account for an inactive person, one who has an account, one
// who holds a role beyond the area (an organisation-wide administrator without an account
// yet would otherwise be theirs to impersonate) or one of another area; each refusal names
// its reason and stores nothing.
func TestAccountCandidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		admin, user := setup(t, db)
		unit := func(code string) int64 {
			u, err := org.CreateUnit(ctx, db, admin, org.UnitInput{ParentID: user.UnitID, Code: code, Name: "区" + code, Kind: org.Department})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		a, b := unit("A"), unit("B")
		person := func(unitID int64, name string, grants ...access.Grant) int64 {
			p, err := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: unitID, Name: name, Title: "管家"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := org.SetGrants(ctx, db, admin, p.ID, grants); err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		free := person(a, "乙自由", access.Grant{Role: access.Staff, UnitID: a})
		holder := person(a, "丙有号")
		retired := person(a, "丁停用")
		boss := person(a, "甲总管", access.Grant{Role: access.Admin})
		beyond := person(a, "戊兼任", access.Grant{Role: access.UnitHead, UnitID: b})
		other := person(b, "己外区")
		if _, err := auth.CreateUser(ctx, db, admin, auth.UserInput{PersonID: holder, Username: "holder", Password: "long-enough-pw"}); err != nil {
			t.Fatal(err)
		}
		off := false
		if _, err := org.UpdatePerson(ctx, db, admin, retired, org.PersonPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		areaAdmin := access.Principal{UserID: 99, Username: "aa", Grants: []access.Grant{{Role: access.Admin, UnitID: a}}}

		ids := func(people []org.Person) []int64 {
			var out []int64
			for _, p := range people {
				out = append(out, p.ID)
			}
			return out
		}
		// The lists come by name in the database's collation, which the test asks it for.
		byName := func(people ...int64) []int64 {
			var out []int64
			db.Read(ctx, func(tx *store.Tx) (err error) {
				c, args := tx.AnyOf("id", people)
				out, err = store.All(ctx, tx, func(s store.Scanner) (id int64, err error) { return id, s.Scan(&id) }, "SELECT id FROM people WHERE "+c+" ORDER BY name, id", args...)
				return err
			})
			return out
		}
		all := byName(boss, free, beyond)
		if len(all) != 3 {
			t.Fatalf("people by name: %v", all)
		}
		for _, c := range []struct {
			who  access.Principal
			want []int64
		}{{areaAdmin, []int64{free}}, {admin, all}} {
			got, err := auth.AccountCandidates(ctx, db, c.who, a)
			if err != nil || !slices.Equal(ids(got), c.want) {
				t.Errorf("%s: candidates of A %v %v, want %v", c.who.Username, ids(got), err, c.want)
			}
		}
		if _, err := auth.AccountCandidates(ctx, db, areaAdmin, b); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("the area's administrator lists area B: %v", err)
		}
		if _, err := auth.AccountCandidates(ctx, db, admin, 999999); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("candidates of a unit that does not exist: %v", err)
		}

		// The form opened from a person's page chooses their unit; a unit not offered lists nobody.
		if c, err := auth.ChooseAccountPerson(ctx, db, admin, 0, free); err != nil || c.UnitID != a || !slices.Equal(ids(c.People), all) {
			t.Errorf("the form for 乙自由: unit %d, people %v, %v", c.UnitID, ids(c.People), err)
		}
		if c, err := auth.ChooseAccountPerson(ctx, db, areaAdmin, b, 0); err != nil || c.UnitID != 0 || len(c.People) != 0 || len(c.Units) != 1 || c.Units[0].ID != a {
			t.Errorf("the area's administrator asking for area B: %+v, %v", c, err)
		}
		if c, err := auth.ChooseAccountPerson(ctx, db, areaAdmin, 0, 0); err != nil || c.UnitID != a {
			t.Errorf("the area's administrator's one unit is not chosen for them: %+v, %v", c, err)
		}

		count := func() int {
			var n int
			db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n) })
			return n
		}
		before := count()
		for _, r := range []struct {
			name    string
			person  int64
			code    errs.Code
			field   string
			key, zh string
		}{
			{"an organisation-wide administrator", boss, errs.Forbidden, "", "org.person_outranks", "超出您管理范围"},
			{"a unit head of area B", beyond, errs.Forbidden, "", "org.person_outranks", "超出您管理范围"},
			{"a person of area B", other, errs.Forbidden, "", "err.out_of_scope", "您无权访问该单位的数据"},
			{"an inactive person", retired, errs.Invalid, "person_id", "auth.person_inactive", "人员“丁停用”已停用，不能开通账号"},
			{"a person with an account", holder, errs.Conflict, "person_id", "auth.person_has_user", "该人员已经有账号"},
			{"a person who does not exist", 999999, errs.Invalid, "person_id", "org.ref_missing", "人员不存在"},
		} {
			_, err := auth.CreateUser(ctx, db, areaAdmin, auth.UserInput{PersonID: r.person, Username: "taken-over", Password: "long-enough-pw"})
			if e := errs.As(err); e.Code != r.code || e.Field != r.field || e.Key != r.key || !strings.Contains(e.Message(locale.ZH), r.zh) {
				t.Errorf("%s: %v (%s %q %s), want %s on %q: %s", r.name, err, e.Code, e.Field, e.Key, r.code, r.field, r.key)
			}
			// The person's page offers no account form for them.
			if u, may, err := auth.PersonAccount(ctx, db, areaAdmin, r.person); err != nil || may || (u != nil) != (r.person == holder) {
				t.Errorf("%s's page: account %v, offers one %v, %v", r.name, u, may, err)
			}
		}
		if msg := errs.As(func() error {
			_, err := auth.CreateUser(ctx, db, areaAdmin, auth.UserInput{PersonID: retired, Username: "retired", Password: "long-enough-pw"})
			return err
		}()).Message(locale.EN); msg != "Person “丁停用” is inactive and cannot be given an account" {
			t.Errorf("the English refusal: %q", msg)
		}
		if n := count(); n != before {
			t.Fatalf("%d accounts after the refusals, %d before", n, before)
		}

		if _, may, err := auth.PersonAccount(ctx, db, areaAdmin, free); !may || err != nil {
			t.Fatalf("乙自由's page offers no account: %v", err)
		}
		if _, err := auth.CreateUser(ctx, db, areaAdmin, auth.UserInput{PersonID: free, Username: "free", Password: "long-enough-pw"}); err != nil {
			t.Fatal(err)
		}
		if got, err := auth.AccountCandidates(ctx, db, areaAdmin, a); err != nil || len(got) != 0 {
			t.Errorf("candidates of A after 乙自由's account: %v %v", ids(got), err)
		}
		if u, may, err := auth.PersonAccount(ctx, db, areaAdmin, free); may || u == nil || u.Username != "free" || err != nil {
			t.Errorf("乙自由's page: account %v, offers another %v, %v", u, may, err)
		}
	})
}
