package workorder_test

import (
	"context"
	"strconv"
	"testing"

	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// TestFollowUpBecomesImprovementItem: the foreman's rectification of a 不满意 follow-up
// becomes a service-improvement item due by next month's meeting; the team reports it done;
// the clerk sends it back (with a reason) and later verifies it, after which it is final.
func TestFollowUpBecomesImprovementItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		o := f.order(t, f.maint, "13800001111", "2026-10-15 08:00", "2026-10-15 10:00")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err != nil {
			t.Fatal(err)
		}
		_, assignee, _ := callbackOf(t, db, o.ID)
		if _, err := workorder.Evaluate(ctx, db, f.caller(assignee), workorder.EvalInput{OrderID: o.ID, Kind: workorder.Callback, Score: 6, Comment: "响应太慢"}); err != nil {
			t.Fatal(err)
		}
		if err := workorder.SetMeeting(ctx, db, f.clerk, "2026-11", "2026-11-06"); err != nil {
			t.Fatal(err)
		}
		fus, err := workorder.FollowUps(ctx, db, f.clerk, "2026-10")
		if err != nil || len(fus) != 1 {
			t.Fatalf("follow-ups: %v %v", fus, err)
		}
		in := workorder.FollowUpInput{VisitedOn: "2026-10-16", Findings: "接报后两小时才联系", Rectification: "接报后 30 分钟内电话联系", Improvement: "缩短首次联系时间"}
		err = workorder.FileFollowUp(ctx, db, f.foreman, fus[0].ID, workorder.FollowUpInput{VisitedOn: in.VisitedOn, Findings: in.Findings, Rectification: in.Rectification, Improvement: stringOf('长', 101)})
		wantCode(t, err, errs.Invalid, "an item title of 101 characters")
		if err := workorder.FileFollowUp(ctx, db, f.foreman, fus[0].ID, in); err != nil {
			t.Fatal(err)
		}
		items, err := improvement.List(ctx, db, f.clerk, improvement.Filter{})
		if err != nil || len(items) != 1 {
			t.Fatalf("items: %+v %v", items, err)
		}
		it := items[0]
		if it.Title != "缩短首次联系时间" || it.Problem != in.Findings || it.Measures != in.Rectification || it.DueOn != "2026-11-06" ||
			it.Kind != improvement.WorkOrderFollowUp || it.Ref != strconv.FormatInt(fus[0].ID, 10) || it.SourceURL != "/workorders/followups/"+it.Ref ||
			it.Owner != "工长" || it.Status != improvement.Open {
			t.Fatalf("item %+v", it)
		}

		_, err = improvement.Verify(ctx, db, f.clerk, it.ID, improvement.Verification{Accept: true})
		wantCode(t, err, errs.Invalid, "verifying an item without evidence")
		_, err = improvement.Report(ctx, db, f.maint, it.ID, "已培训")
		wantCode(t, err, errs.Forbidden, "a maintainer reporting the team's item")
		_, err = improvement.Report(ctx, db, f.foreman, it.ID, " ")
		wantCode(t, err, errs.Invalid, "a report without evidence")
		if _, err := improvement.Report(ctx, db, f.foreman, it.ID, "班组已培训，10 月下旬平均联系时间 25 分钟"); err != nil {
			t.Fatal(err)
		}
		_, err = improvement.Verify(ctx, db, f.foreman, it.ID, improvement.Verification{Accept: true})
		wantCode(t, err, errs.Forbidden, "a foreman verifying his own item")
		_, err = improvement.Verify(ctx, db, f.clerk, it.ID, improvement.Verification{})
		wantCode(t, err, errs.Invalid, "sending back without a reason")
		if _, err := improvement.Verify(ctx, db, f.clerk, it.ID, improvement.Verification{Decision: "需附 11 月数据"}); err != nil {
			t.Fatal(err)
		}
		if _, err := improvement.Report(ctx, db, f.foreman, it.ID, "11 月平均联系时间 20 分钟"); err != nil {
			t.Fatal(err)
		}
		if _, err := improvement.Verify(ctx, db, f.clerk, it.ID, improvement.Verification{Accept: true}); err != nil {
			t.Fatal(err)
		}
		_, err = improvement.Report(ctx, db, f.foreman, it.ID, "再改")
		wantCode(t, err, errs.Conflict, "changing a verified item")
		if it, err = improvement.Get(ctx, db, f.foreman, it.ID); err != nil || it.Status != improvement.Verified || it.Evidence != "11 月平均联系时间 20 分钟" || it.VerifiedBy != "clerk" {
			t.Fatalf("final item %+v %v", it, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'improvement'"); n != 5 {
			t.Fatalf("%d audit entries for the item, want 5: created, reported, reopened, reported, verified", n)
		}
	})
}

func stringOf(r rune, n int) string {
	out := make([]rune, n)
	for i := range out {
		out[i] = r
	}
	return string(out)
}

// TestDutyRosterDecidesCallers: with a roster for the day of the calls, only the people on
// it get callbacks; a role nobody of which is on the roster falls back to everyone.
func TestDutyRosterDecidesCallers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		for i := range 6 {
			f.order(t, f.maint, "1380000111"+string(rune('0'+i)), "2026-10-15 08:00", "2026-10-15 10:00")
		}
		err := workorder.SetRoster(ctx, db, f.disp1, []string{"2026-10-16"}, map[string][]int64{"2026-10-16": {f.disp2.PersonID}})
		wantCode(t, err, errs.Forbidden, "a dispatcher keeping the roster")
		err = workorder.SetRoster(ctx, db, f.clerk, []string{"2026-10-16"}, map[string][]int64{"2026-10-16": {f.maint.PersonID}})
		wantCode(t, err, errs.Invalid, "a maintainer on the callback roster")
		if err := workorder.SetRoster(ctx, db, f.clerk, []string{"2026-10-16"}, map[string][]int64{"2026-10-16": {f.disp2.PersonID}}); err != nil {
			t.Fatal(err)
		}
		r, err := workorder.LoadRoster(ctx, db, f.clerk, "2026-10-16")
		if err != nil || !r.On["2026-10-16"][f.disp2.PersonID] || r.On["2026-10-16"][f.disp1.PersonID] || len(r.Callers) != 3 {
			t.Fatalf("roster %+v %v", r, err)
		}
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err != nil {
			t.Fatal(err)
		}
		// Orders closed on the 15th are called on the 16th: every dispatcher call is disp2's.
		// (Six orders of one maintainer give managers ⌊6/10⌋ = 0 calls.)
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_tasks WHERE kind = 'callback' AND role = 'dispatcher' AND assignee_id <> ?", f.disp2.PersonID); n != 0 {
			t.Fatalf("%d dispatcher calls for someone off duty", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM workorder_tasks WHERE kind = 'callback' AND role = 'dispatcher'"); n != 6 {
			t.Fatalf("%d dispatcher calls, want 6", n)
		}
	})
}

// TestExtendTask: a special case moves a task's deadline by one day, once, with a reason,
// by its evaluator or a clerk; a done task is not extended.
func TestExtendTask(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		o := f.order(t, f.maint, "13800001111", "2026-10-15 08:00", "2026-10-15 10:00")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err != nil {
			t.Fatal(err)
		}
		id, assignee, _ := callbackOf(t, db, o.ID)
		caller := f.caller(assignee)
		other := f.disp1
		if caller.PersonID == f.disp1.PersonID {
			other = f.disp2
		}
		_, err := workorder.ExtendTask(ctx, db, caller, id, "  ")
		wantCode(t, err, errs.Invalid, "an extension without a reason")
		_, err = workorder.ExtendTask(ctx, db, other, id, "报修人出差")
		wantCode(t, err, errs.Forbidden, "an extension by another caller")
		k, err := workorder.ExtendTask(ctx, db, caller, id, "报修人出差，次日返回")
		if err != nil || k.DueDay() != "2026-10-17" || k.Extension != "报修人出差，次日返回" {
			t.Fatalf("extended: due %s, %q, %v", k.DueDay(), k.Extension, err)
		}
		_, err = workorder.ExtendTask(ctx, db, f.clerk, id, "再延一天")
		wantCode(t, err, errs.Conflict, "a second extension")
		if _, err := workorder.Evaluate(ctx, db, f.foreman, workorder.EvalInput{OrderID: o.ID, Kind: workorder.SelfEvaluation, Score: 10}); err != nil {
			t.Fatal(err)
		}
		selfID := int64(count(t, db, "SELECT id FROM workorder_tasks WHERE order_id = ? AND kind = 'self'", o.ID))
		_, err = workorder.ExtendTask(ctx, db, f.clerk, selfID, "补充说明")
		wantCode(t, err, errs.Conflict, "extending a done task")
	})
}
