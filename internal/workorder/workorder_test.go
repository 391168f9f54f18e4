package workorder_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// fixture is a small maintenance centre: one team with a foreman and two maintainers, two
// dispatchers and a manager over the centre, and a clerk.
type fixture struct {
	db                    *store.DB
	centre, team          org.Unit
	foreman, clerk        access.Principal
	maint, maint2         access.Principal
	disp1, disp2, manager access.Principal
	now                   time.Time
}

func mustFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: time.Date(2026, 10, 16, 1, 0, 0, 0, time.UTC)} // 09:00 in Beijing
	db.Now = func() time.Time { return f.now }
	f.centre = f.unit(t, 0, "IMC", org.Department)
	f.team = f.unit(t, f.centre.ID, "IMC-WL", org.Team)
	person := func(u org.Unit, name string, role access.Role, scope int64) access.Principal {
		p := f.person(t, u.ID, name)
		g := []access.Grant{{Role: role, UnitID: scope}}
		if _, err := org.SetGrants(ctx, db, access.System, p.ID, g); err != nil {
			t.Fatal(err)
		}
		return access.Principal{UserID: p.ID, PersonID: p.ID, Username: name, Name: name, Grants: g}
	}
	f.foreman = person(f.team, "工长", access.Foreman, f.team.ID)
	f.maint = person(f.team, "维修人甲", access.Staff, f.team.ID)
	f.maint2 = person(f.team, "维修人乙", access.Staff, f.team.ID)
	f.disp1 = person(f.centre, "调度一", access.Dispatcher, f.centre.ID)
	f.disp2 = person(f.centre, "调度二", access.Dispatcher, f.centre.ID)
	f.manager = person(f.centre, "管理人员", access.Manager, f.centre.ID)
	f.clerk = person(f.centre, "质量管理员", access.Clerk, 0)
	return f
}

// unit adds a unit named by its code, such as a second team under the centre.
func (f *fixture) unit(t *testing.T, parent int64, code string, kind org.Kind) org.Unit {
	t.Helper()
	u, err := org.CreateUnit(context.Background(), f.db, access.System, org.UnitInput{ParentID: parent, Code: code, Name: code, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// person adds a person without an account or role to a unit.
func (f *fixture) person(t *testing.T, unitID int64, name string) org.Person {
	t.Helper()
	p, err := org.CreatePerson(context.Background(), f.db, access.System, org.PersonInput{UnitID: unitID, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workorder.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

// order registers a hotline order of maintainer reported at rep and, when closed is not "",
// closes it then.
func (f *fixture) order(t *testing.T, maint access.Principal, phone, rep, closed string) workorder.Order {
	t.Helper()
	ctx := context.Background()
	o, err := workorder.Register(ctx, f.db, f.disp1, workorder.Input{Reporter: "王老师", Phone: phone, Location: "3号楼201", Device: "交换机",
		Fault: "网络不通", TeamID: f.team.ID, MaintainerID: maint.PersonID, ReportedAt: f.at(rep)})
	if err != nil {
		t.Fatal(err)
	}
	if closed != "" {
		if o, err = workorder.Close(ctx, f.db, f.foreman, o.ID, workorder.CloseInput{ClosedAt: f.at(closed), Cause: "网线松动", Measures: "重新压接"}); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func wantCode(t *testing.T, err error, code errs.Code, what string) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

func TestRegisterCloseRepeat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		o := f.order(t, f.maint, "13800001111", "2026-10-10 09:00", "2026-10-10 11:00")
		if o.CloseDay != "2026-10-10" || o.RepeatOf != 0 {
			t.Fatalf("order %+v", o)
		}
		_, err := workorder.Close(ctx, db, f.foreman, o.ID, workorder.CloseInput{ClosedAt: f.at("2026-10-10 12:00"), Cause: "x", Measures: "y"})
		wantCode(t, err, errs.Conflict, "closing twice")

		// The same phone and device within the window is a repeat report; after it is not.
		again := f.order(t, f.maint, "13800001111", "2026-10-14 09:00", "")
		if again.RepeatOf != o.ID {
			t.Fatalf("repeat_of = %d, want %d", again.RepeatOf, o.ID)
		}
		f.now = f.at("2026-10-20 09:00")
		late := f.order(t, f.maint, "13800001111", "2026-10-17 12:00", "")
		if late.RepeatOf != 0 {
			t.Fatalf("report 7+ days later linked to %d; window is 7 days from %s", late.RepeatOf, o.CloseDay)
		}
		if err := workorder.SaveSettings(ctx, db, f.clerk, workorder.Settings{RepeatDays: 3}); err != nil {
			t.Fatal(err)
		}
		other := f.order(t, f.maint, "13800001111", "2026-10-14 10:00", "")
		if other.RepeatOf != 0 {
			t.Fatal("a report 4 days later is a repeat under a 3-day window")
		}

		for _, tc := range []struct {
			name  string
			in    workorder.Input
			field string
		}{
			{"no reporter", workorder.Input{Phone: "1", TeamID: f.team.ID}, "reporter"},
			{"bad phone", workorder.Input{Reporter: "a", Phone: "abc", Location: "l", Device: "d", Fault: "f", TeamID: f.team.ID, MaintainerID: f.maint.PersonID, ReportedAt: f.now}, "phone"},
			{"not a team", workorder.Input{Reporter: "a", Phone: "13800001111", Location: "l", Device: "d", Fault: "f", TeamID: f.centre.ID, MaintainerID: f.maint.PersonID, ReportedAt: f.now}, "team"},
			{"not in team", workorder.Input{Reporter: "a", Phone: "13800001111", Location: "l", Device: "d", Fault: "f", TeamID: f.team.ID, MaintainerID: f.disp1.PersonID, ReportedAt: f.now}, "maintainer"},
			{"future", workorder.Input{Reporter: "a", Phone: "13800001111", Location: "l", Device: "d", Fault: "f", TeamID: f.team.ID, MaintainerID: f.maint.PersonID, ReportedAt: f.now.Add(time.Hour)}, "reported_at"},
		} {
			_, err := workorder.Register(ctx, db, f.disp1, tc.in)
			var e *errs.Error
			if !errors.As(err, &e) || e.Field != tc.field {
				t.Errorf("%s: got %v, want an error on %s", tc.name, err, tc.field)
			}
		}
		_, err = workorder.Register(ctx, db, f.maint, workorder.Input{Reporter: "a", Phone: "13800001111", Location: "l", Device: "d", Fault: "f", TeamID: f.team.ID, MaintainerID: f.maint.PersonID, ReportedAt: f.now})
		wantCode(t, err, errs.Forbidden, "a maintainer registering")
	})
}

func TestGenerateIdempotentReproducibleAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		for i := range 23 {
			m := f.maint
			if i%3 == 0 {
				m = f.maint2
			}
			f.order(t, m, fmt.Sprintf("1380000%04d", i), "2026-10-15 08:00", "2026-10-15 17:00")
		}
		f.order(t, f.maint, "13900000000", "2026-10-15 08:00", "") // open: no task

		_, err := workorder.Generate(ctx, db, f.disp1, "2026-10-15")
		wantCode(t, err, errs.Forbidden, "a dispatcher running the draw")
		_, err = workorder.Generate(ctx, db, f.clerk, "2026-10-16")
		wantCode(t, err, errs.Invalid, "drawing a day not over")

		// A crash half-way leaves nothing.
		restore := workorder.SetGenerateHook(func(n int) error {
			if n == 23 { // the self-evaluations are in, the callbacks not yet
				return errors.New("power cut")
			}
			return nil
		})
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err == nil {
			t.Fatal("the crash did not fail the draw")
		}
		restore()
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_tasks"); n != 0 {
			t.Fatalf("%d tasks left by a failed draw", n)
		}

		// Two runs at once: one draws, the other finds it done.
		var wg sync.WaitGroup
		results := make([]workorder.GenerateResult, 2)
		errsOut := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { results[i], errsOut[i] = workorder.Generate(ctx, db, f.clerk, "2026-10-15") })
		}
		wg.Wait()
		for _, err := range errsOut {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := results[0].Orders + results[1].Orders; got != 23 {
			t.Fatalf("orders drawn by the two runs: %d, want 23 (%+v)", got, results)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_tasks"); n != 46 {
			t.Fatalf("%d tasks, want 46", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_tasks WHERE role = 'manager'"); n != 2 {
			t.Fatalf("%d manager callbacks for 23 orders, want 2", n)
		}
		// Re-running changes nothing; the stored draw recomputes to the stored tasks.
		again, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15")
		if err != nil || again.Orders != 0 {
			t.Fatalf("second run: %+v, %v", again, err)
		}
		checks, err := workorder.Draws(ctx, db, "2026-10-15")
		if err != nil || len(checks) != 1 || !checks[0].Reproduced || checks[0].Orders != 23 {
			t.Fatalf("draw check %+v, %v", checks, err)
		}
	})
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow(context.Background(), q, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func callbackOf(t *testing.T, db *store.DB, orderID int64) (task int64, assignee int64, role string) {
	t.Helper()
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT id, assignee_id, role FROM workorder_tasks WHERE order_id = ? AND kind = 'callback'", orderID).Scan(&task, &assignee, &role)
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

func (f *fixture) caller(id int64) access.Principal {
	for _, p := range []access.Principal{f.disp1, f.disp2, f.manager} {
		if p.PersonID == id {
			return p
		}
	}
	panic("no caller")
}

func TestEvaluateRefusalsAndVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		o := f.order(t, f.maint, "13800001111", "2026-10-15 08:00", "2026-10-15 10:00")
		open := f.order(t, f.maint, "13800002222", "2026-10-15 08:00", "")
		o2 := f.order(t, f.maint2, "13800003333", "2026-10-15 08:00", "2026-10-15 10:00")

		_, err := workorder.Evaluate(ctx, db, f.foreman, workorder.EvalInput{OrderID: o.ID, Kind: workorder.SelfEvaluation, Score: 10})
		wantCode(t, err, errs.Conflict, "evaluating before the draw")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err != nil {
			t.Fatal(err)
		}
		_, err = workorder.Evaluate(ctx, db, f.foreman, workorder.EvalInput{OrderID: open.ID, Kind: workorder.SelfEvaluation, Score: 10})
		wantCode(t, err, errs.Conflict, "evaluating an unclosed order")

		_, assignee, _ := callbackOf(t, db, o.ID)
		caller := f.caller(assignee)
		notCaller := f.disp1
		if caller.PersonID == f.disp1.PersonID {
			notCaller = f.disp2
		}
		for _, s := range []int{0, 5, 7, 9, 11, -6} {
			_, err = workorder.Evaluate(ctx, db, caller, workorder.EvalInput{OrderID: o.ID, Kind: workorder.Callback, Score: s})
			wantCode(t, err, errs.Invalid, fmt.Sprintf("rating %d", s))
		}
		_, err = workorder.Evaluate(ctx, db, notCaller, workorder.EvalInput{OrderID: o.ID, Kind: workorder.Callback, Score: 10})
		wantCode(t, err, errs.Forbidden, "a callback by someone not assigned")
		_, err = workorder.Evaluate(ctx, db, f.maint, workorder.EvalInput{OrderID: o.ID, Kind: workorder.SelfEvaluation, Score: 10})
		wantCode(t, err, errs.Forbidden, "a maintainer rating his own order")
		_, err = workorder.Evaluate(ctx, db, caller, workorder.EvalInput{OrderID: o.ID, Kind: workorder.SelfEvaluation, Score: 10})
		wantCode(t, err, errs.Forbidden, "a dispatcher self-evaluating")

		k, err := workorder.Evaluate(ctx, db, caller, workorder.EvalInput{OrderID: o.ID, Kind: workorder.Callback, Score: 6, NoteSpeed: "两小时后才联系", Comment: "希望尽快响应"})
		if err != nil || k.Score != 6 || k.Version != 1 {
			t.Fatalf("callback: %+v, %v", k, err)
		}
		_, err = workorder.Evaluate(ctx, db, caller, workorder.EvalInput{OrderID: o.ID, Kind: workorder.Callback, Score: 10})
		wantCode(t, err, errs.Conflict, "a second evaluation of the same order and role")
		if _, err := workorder.Evaluate(ctx, db, f.foreman, workorder.EvalInput{OrderID: o.ID, Kind: workorder.SelfEvaluation, Score: 8, Comment: "原因分析不够完整"}); err != nil {
			t.Fatal(err)
		}

		// Revisions: a reason is needed, the maintainer may not, and history keeps both.
		_, err = workorder.Revise(ctx, db, caller, k.ID, workorder.EvalInput{Score: 8})
		wantCode(t, err, errs.Invalid, "a revision without a reason")
		_, err = workorder.Revise(ctx, db, f.maint, k.ID, workorder.EvalInput{Score: 10, Reason: "我觉得满意"})
		wantCode(t, err, errs.Forbidden, "the maintainer revising")
		if k, err = workorder.Revise(ctx, db, f.clerk, k.ID, workorder.EvalInput{Score: 8, Reason: "报修人来电更正"}); err != nil || k.Version != 2 {
			t.Fatalf("revise: %+v, %v", k, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_evaluations WHERE task_id = ?", k.ID); n != 2 {
			t.Fatalf("%d versions, want 2", n)
		}
		// The 不满意 callback opened a follow-up; the revision did not remove it.
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_followups"); n != 1 {
			t.Fatalf("%d follow-ups, want 1", n)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE workorder_evaluations SET score = 10")
			return err
		})
		if err == nil {
			t.Fatal("an evaluation was changed in place")
		}

		// Unreachable: two attempts keep the task open, the third settles it.
		_, assignee2, _ := callbackOf(t, db, o2.ID)
		c2 := f.caller(assignee2)
		for i := 1; i <= 3; i++ {
			k, err := workorder.Evaluate(ctx, db, c2, workorder.EvalInput{OrderID: o2.ID, Kind: workorder.Callback, Unreachable: true})
			if err != nil || k.Attempts != i || k.Done() != (i == 3) {
				t.Fatalf("attempt %d: %+v, %v", i, k, err)
			}
		}
		_, err = workorder.Evaluate(ctx, db, f.foreman, workorder.EvalInput{OrderID: o2.ID, Kind: workorder.SelfEvaluation, Unreachable: true})
		wantCode(t, err, errs.Invalid, "an unreachable self-evaluation")

		// The running aggregate followed the rating, its revision and the unreachable order:
		// one evaluated order, 8+8, equal to a full recomputation and to a rebuild.
		if n := count(t, db, "SELECT SUM(orders) FROM workorder_pairs WHERE month = '2026-10' AND self_score = 8 AND callback_score = 8"); n != 1 {
			t.Fatalf("aggregate 8+8 = %d", n)
		}
		if diffs, err := workorder.CheckPairs(ctx, db, "2026-10"); err != nil || len(diffs) != 0 {
			t.Fatalf("aggregate differs: %v %v", diffs, err)
		}
		if err := workorder.RebuildPairs(ctx, db, "2026-10"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_pairs WHERE month = '2026-10' AND orders > 0"); n != 1 {
			t.Fatalf("%d pairs after rebuild", n)
		}
	})
}

// TestMonthlyWorkedExample reproduces docs/policies.md §4's example: 20 evaluated orders, 15 at
// 10+10, 4 at 8+10, 1 at 8+6 → 22.3; an unreachable order is listed and not counted.
func TestMonthlyWorkedExample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		var ids []int64
		for i := range 21 {
			ids = append(ids, f.order(t, f.maint, fmt.Sprintf("1380000%04d", i), "2026-10-12 08:00", "2026-10-12 09:00").ID)
		}
		m2 := f.order(t, f.maint2, "13911112222", "2026-10-12 08:00", "2026-10-12 09:00")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-12"); err != nil {
			t.Fatal(err)
		}
		rate := func(id int64, self, cb int) {
			t.Helper()
			if _, err := workorder.Evaluate(ctx, db, f.foreman, workorder.EvalInput{OrderID: id, Kind: workorder.SelfEvaluation, Score: self}); err != nil {
				t.Fatal(err)
			}
			_, a, _ := callbackOf(t, db, id)
			in := workorder.EvalInput{OrderID: id, Kind: workorder.Callback, Score: cb, Unreachable: cb == 0}
			if cb == workorder.Dissatisfied {
				in.Comment = "响应太慢"
			}
			for range map[bool]int{true: workorder.MaxAttempts, false: 1}[cb == 0] {
				if _, err := workorder.Evaluate(ctx, db, f.caller(a), in); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i, id := range ids {
			switch {
			case i < 15:
				rate(id, 10, 10)
			case i < 19:
				rate(id, 8, 10)
			case i == 19:
				rate(id, 8, 6)
			default:
				rate(id, 10, 0) // unreachable
			}
		}
		rate(m2.ID, 10, 10)
		r, err := workorder.Monthly(ctx, db, f.clerk, "2026-10", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Maintainers) != 2 {
			t.Fatalf("%d maintainers", len(r.Maintainers))
		}
		top := r.Maintainers[0]
		if top.ID != f.maint.PersonID || top.TotalString() != "22.3" || top.Evaluated != 20 || len(top.Unreachable) != 1 || top.Unreachable[0] != ids[20] {
			t.Fatalf("top %+v total %s", top, top.TotalString())
		}
		// The team's 21 orders: (386 + 20) ÷ 21 = 19.33, with no volume bonus.
		if r.Star == nil || r.Star.ID != f.maint.PersonID || r.BestTeam == nil || r.BestTeam.Evaluated != 21 || r.BestTeam.TotalString() != "19.33" {
			t.Fatalf("star %+v best team %+v", r.Star, r.BestTeam)
		}
		if r.Maintainers[1].TotalString() != "20.15" {
			t.Fatalf("second %s", r.Maintainers[1].TotalString())
		}

		if diffs, err := workorder.CheckPairs(ctx, db, "2026-10"); err != nil || len(diffs) != 0 {
			t.Fatalf("aggregate differs from the tasks: %v %v", diffs, err)
		}
		maint, teams, err := workorder.Daily(ctx, db, f.clerk, "2026-10-12")
		if err != nil || len(maint) != 2 || len(teams) != 1 || teams[0].Orders != 22 || teams[0].Unreachable != 1 || teams[0].Dissatisfied != 1 {
			t.Fatalf("daily %+v %+v %v", maint, teams, err)
		}
	})
}

// TestMonthlyByCentre ranks each maintenance centre on its own: the best team and the star
// are a centre's, the first centre is shown unless another is chosen, and a centre outside the
// actor's scope is refused.
func TestMonthlyByCentre(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		other := f.unit(t, 0, "JMC", org.Department)
		team := f.unit(t, other.ID, "JMC-WL", org.Team)
		p := f.person(t, team.ID, "维修人丙")
		// The running aggregate as ratings leave it: the other centre's maintainer is better.
		for _, row := range []struct{ m, team, self, cb int64 }{{f.maint.PersonID, f.team.ID, 8, 10}, {p.ID, team.ID, 10, 10}} {
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO workorder_pairs (month, maintainer_id, team_id, self_score, callback_score, orders) VALUES ('2026-10', ?, ?, ?, ?, 3)",
					row.m, row.team, row.self, row.cb)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		names := func(r workorder.Ranking) string {
			var out []string
			for _, s := range r.Maintainers {
				out = append(out, s.Name)
			}
			return strings.Join(out, ",")
		}
		first, err := workorder.Monthly(ctx, db, f.clerk, "2026-10", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Centres) != 2 || first.Centre.ID != f.centre.ID || names(first) != "维修人甲" || first.Star == nil || first.Star.ID != f.maint.PersonID {
			t.Fatalf("first centre: %+v, maintainers %s", first.Centre, names(first))
		}
		second, err := workorder.Monthly(ctx, db, f.clerk, "2026-10", other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if second.Centre.ID != other.ID || names(second) != "维修人丙" || second.BestTeam == nil || second.BestTeam.ID != team.ID || second.Star.Place != 1 {
			t.Fatalf("second centre: %+v, maintainers %s, best team %+v", second.Centre, names(second), second.BestTeam)
		}
		// The foreman sees his team's centre only; the other centre is not his to choose.
		if _, err := workorder.Monthly(ctx, db, f.foreman, "2026-10", other.ID); errs.As(err) == nil || errs.As(err).Field != "centre" {
			t.Fatalf("foreman choosing another centre: %v", err)
		}
		if own, err := workorder.Monthly(ctx, db, f.foreman, "2026-10", 0); err != nil || len(own.Centres) != 1 || own.Centre.ID != f.centre.ID {
			t.Fatalf("foreman's centres: %+v %v", own.Centres, err)
		}
	})
}

func TestRankTieBreak(t *testing.T) {
	score := func(name, total string, evaluated, dissatisfied int) workorder.Score {
		s := workorder.Score{Name: name, Evaluated: evaluated, Dissatisfied: dissatisfied}
		if total != "" {
			d := scheme.MustDecimal(total)
			s.Result.Total = &d
		}
		return s
	}
	got := []workorder.Score{
		score("none", "", 0, 0),
		score("fewer orders", "22.3", 20, 0),
		score("more unhappy", "22.3", 21, 3),
		score("best", "23", 5, 5),
		score("winner of tie", "22.3", 21, 1),
	}
	workorder.Rank(got)
	var names []string
	for _, s := range got {
		names = append(names, s.Name)
	}
	want := []string{"best", "winner of tie", "more unhappy", "fewer orders", "none"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("rank %v, want %v", names, want)
	}
}

// TestFactSource gives period close the worked example's maintainer: 20 evaluated orders,
// the unreachable one left out.
func TestFactSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		a := f.order(t, f.maint, "13800001111", "2026-10-12 08:00", "2026-10-12 09:00")
		b := f.order(t, f.maint, "13800002222", "2026-10-12 08:00", "2026-10-12 09:00")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-12"); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{a.ID, b.ID} {
			if _, err := workorder.Evaluate(ctx, db, f.foreman, workorder.EvalInput{OrderID: id, Kind: workorder.SelfEvaluation, Score: 8}); err != nil {
				t.Fatal(err)
			}
		}
		_, who, _ := callbackOf(t, db, a.ID)
		if _, err := workorder.Evaluate(ctx, db, f.caller(who), workorder.EvalInput{OrderID: a.ID, Kind: workorder.Callback, Score: 6, Comment: "响应太慢"}); err != nil {
			t.Fatal(err)
		}
		from := time.Date(2026, 10, 1, 0, 0, 0, 0, workorder.Zone)
		var facts []assessment.Fact
		err := db.Read(ctx, func(tx *store.Tx) (err error) {
			facts, err = workorder.FactSource{}.Facts(ctx, tx, assessment.FactQuery{PersonID: f.maint.PersonID, Period: "2026-10",
				From: from.UTC(), To: from.AddDate(0, 1, 0).UTC(), Names: []string{"orders"}})
			return err
		})
		if err != nil || len(facts) != 1 || fmt.Sprint(facts[0].Value) != "[[8 6]]" || len(facts[0].Records) != 1 || facts[0].Records[0].URL != fmt.Sprintf("/workorders/%d", a.ID) {
			t.Fatalf("facts %+v, %v", facts, err)
		}
	})
}

// TestOwnScoresOnly: only a person whose every grant is staff is limited to his own row; any
// wider role keeps the rows of its scope.
func TestOwnScoresOnly(t *testing.T) {
	for _, c := range []struct {
		name   string
		grants []access.Grant
		want   bool
	}{
		{"maintainer", []access.Grant{{Role: access.Staff, UnitID: 7}}, true},
		{"maintainer in two teams", []access.Grant{{Role: access.Staff, UnitID: 7}, {Role: access.Staff, UnitID: 8}}, true},
		{"foreman", []access.Grant{{Role: access.Foreman, UnitID: 7}}, false},
		{"maintainer and foreman", []access.Grant{{Role: access.Staff, UnitID: 7}, {Role: access.Foreman, UnitID: 7}}, false},
		{"manager", []access.Grant{{Role: access.Manager, UnitID: 3}}, false},
		{"clerk", []access.Grant{{Role: access.Clerk}}, false},
	} {
		if got := workorder.OwnScoresOnly(access.Principal{Grants: c.grants}); got != c.want {
			t.Errorf("%s: OwnScoresOnly = %v, want %v", c.name, got, c.want)
		}
	}
}
