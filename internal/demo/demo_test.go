package demo_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/complaint"
	"manyi/internal/demo"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// The demo's size; change these with the tree in data.go and the overview in docs/demo.md.
const (
	wantUnits  = 38
	wantPeople = 103
	wantUsers  = 15
)

// passwordCost is what the demo's fifteen accounts cost to hash in these tests, which load the
// demo six times and check what it holds, not the hash's strength (internal/auth proves what
// production stores).
var passwordCost = auth.Cost{Memory: 64, Time: 1, Threads: 1}

func testCtx() context.Context { return auth.WithCost(context.Background(), passwordCost) }

func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		// serve --demo creates the administrator first; the demo must live beside it.
		if _, _, _, err := auth.EnsureAdmin(ctx, db, ""); err != nil {
			t.Fatal(err)
		}
		sum, err := demo.Load(ctx, db)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if sum.Units != wantUnits || sum.People != wantPeople || sum.Users != wantUsers || len(sum.Accounts) != wantUsers {
			t.Errorf("summary = %d units, %d people, %d users, %d accounts; want %d, %d, %d",
				sum.Units, sum.People, sum.Users, len(sum.Accounts), wantUnits, wantPeople, wantUsers)
		}

		checkLogistics(t, ctx, db)

		units, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(units) != wantUnits {
			t.Errorf("%d units in the database, want %d", len(units), wantUnits)
		}
		people, err := org.ListPeople(ctx, db, access.System, org.PersonFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != wantPeople+1 { // + the administrator
			t.Errorf("%d people in the database, want %d + admin", len(people), wantPeople)
		}
		users, err := auth.ListUsers(ctx, db, access.System)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != wantUsers+1 {
			t.Errorf("%d users in the database, want %d + admin", len(users), wantUsers)
		}

		byName := map[string]org.Unit{}
		for _, u := range units {
			byName[u.Name] = u
		}
		areas := []struct {
			name        string
			households  int
			thresholdBP int
		}{
			{"牡丹处", 1200, 1000},
			{"月季处", 960, 1000},
			{"永馨园", 400, 3000},
			{"玫瑰区", 620, 3000},
		}
		for _, a := range areas {
			u, ok := byName[a.name]
			switch {
			case !ok:
				t.Errorf("no unit %s", a.name)
			case u.Kind != org.Area || u.Households == nil || u.ThresholdBP == nil:
				t.Errorf("%s: kind %s, households %v, threshold %v; want an area with both", a.name, u.Kind, u.Households, u.ThresholdBP)
			case *u.Households != a.households || *u.ThresholdBP != a.thresholdBP:
				t.Errorf("%s: %d households, threshold %d bp; want %d, %d", a.name, *u.Households, *u.ThresholdBP, a.households, a.thresholdBP)
			}
		}
		for _, name := range []string{"市场经营部", "物流业务部", "武汉业务部", "订单处理中心", "储运中心", "招标分公司", "计量检测中心", "质量管理工作小组",
			"服务管理科", "品质部", "信息维修中心", "调度室", "养老中心", "综合部", "生活部", "一病区"} {
			if _, ok := byName[name]; !ok {
				t.Errorf("no unit %s", name)
			}
		}

		// Every role but admin (created by EnsureAdmin) has an account that logs in with the
		// documented password and holds that role.
		covered := map[access.Role]bool{}
		principals := map[string]access.Principal{}
		for _, a := range sum.Accounts {
			s, err := auth.Login(ctx, db, a.Username, demo.DemoPassword, "127.0.0.1", "test")
			if err != nil {
				t.Errorf("login %s: %v", a.Username, err)
				continue
			}
			p, _, err := auth.Authenticate(ctx, db, s.Token)
			if err != nil {
				t.Errorf("authenticate %s: %v", a.Username, err)
				continue
			}
			if !p.Has(a.Role) {
				t.Errorf("%s holds %v, want role %s", a.Username, p.Grants, a.Role)
			}
			covered[a.Role] = true
			principals[a.Username] = p
		}
		for _, r := range access.Roles {
			if r != access.Admin && !covered[r] {
				t.Errorf("no demo account for role %s", r)
			}
		}

		// Scope: the head of 永馨园 reads 永馨园 but not 玫瑰区.
		head := principals["head.yongxin"]
		if _, err := org.GetUnit(ctx, db, head, byName["永馨园"].ID); err != nil {
			t.Errorf("head.yongxin reads 永馨园: %v", err)
		}
		if _, err := org.GetUnit(ctx, db, head, byName["玫瑰区"].ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("head.yongxin reads 玫瑰区: err = %v, want forbidden", err)
		}

		// A year of complaints: every channel, some valid and some major, some replied late
		// and some still open past their reply deadline.
		cs, total, err := complaint.List(ctx, db, access.System, complaint.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if total < 80 || len(cs) != total {
			t.Errorf("%d demo complaints (%d listed), want about 96", total, len(cs))
		}
		classes, channels := map[complaint.Class]int{}, map[complaint.Channel]int{}
		lateReply, openBreached := 0, 0
		for _, c := range cs {
			classes[c.Class]++
			channels[c.Channel]++
			switch {
			case c.RepliedAt != nil && c.RepliedAt.After(c.ReplyDueAt):
				lateReply++
			case c.RepliedAt == nil && !c.Status.Finished() && c.ReplyDueAt.Before(db.Now()):
				openBreached++
			}
		}
		if classes[complaint.Valid] == 0 || classes[complaint.Major] == 0 || classes[complaint.Invalid] == 0 {
			t.Errorf("demo complaints by class %v, want some of each", classes)
		}
		if len(channels) != len(complaint.Channels) {
			t.Errorf("demo complaints by channel %v, want every channel", channels)
		}
		if lateReply == 0 || openBreached == 0 {
			t.Errorf("%d replied late and %d open past the reply deadline, want some of each", lateReply, openBreached)
		}

		// A second load refuses and changes nothing.
		again, err := demo.Load(ctx, db)
		if e := errs.As(err); e.Code != errs.Conflict || e.Key != "demo.not_empty" {
			t.Fatalf("second load: err = %v, want demo.not_empty", err)
		}
		if again.Units != 0 || again.People != 0 || again.Users != 0 {
			t.Errorf("second load reports %+v", again)
		}
		after, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(units) {
			t.Errorf("second load: %d units, want %d", len(after), len(units))
		}
	})
}

// TestReproducible loads the demo twice into separate databases and compares every person,
// then checks the documentation against what was loaded.
func TestReproducible(t *testing.T) {
	ctx := testCtx()
	var runs [2][]string
	var sum demo.Summary
	for i := range runs {
		db := storetest.OpenSQLite(t)
		var err error
		if sum, err = demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		people, err := org.ListPeople(ctx, db, access.System, org.PersonFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, p := range people {
			if len(p.Phone) != 11 {
				t.Errorf("%s: phone %q is not 11 digits", p.Name, p.Phone)
			}
			if seen[p.Name] || seen[p.Phone] {
				t.Errorf("%s %s: name or phone used twice", p.Name, p.Phone)
			}
			seen[p.Name], seen[p.Phone] = true, true
			runs[i] = append(runs[i], p.Name+" "+p.Phone+" "+p.Title)
		}
	}
	if strings.Join(runs[0], "\n") != strings.Join(runs[1], "\n") {
		t.Errorf("two loads differ:\n%v\n%v", runs[0], runs[1])
	}
	checkDocumented(t, sum)
}

// checkDocumented checks that docs/demo.md gives the demo's size, the password and every
// account.
func checkDocumented(t *testing.T, sum demo.Summary) {
	t.Helper()
	b, err := os.ReadFile("../../docs/demo.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if counts := fmt.Sprintf("%d units, %d people (plus the administrator), %d accounts", sum.Units, sum.People, sum.Users); !strings.Contains(doc, counts) {
		t.Errorf("docs/demo.md does not say %q", counts)
	}
	if !strings.Contains(doc, demo.DemoPassword) {
		t.Errorf("docs/demo.md does not give the password %s", demo.DemoPassword)
	}
	for _, a := range sum.Accounts {
		row := "| `" + a.Username + "` |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/demo.md has no row starting %s", row)
		}
	}
}
