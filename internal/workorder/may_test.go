package workorder_test

import (
	"context"
	"testing"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// TestMayReviseMatchesRevise: the revise form is offered (MayRevise) to exactly those whom
// Revise lets change the result, but for a foreman of another team, whose team only Revise
// can check. A dispatcher or a manager is offered no self-evaluation, nor a callback assigned
// to someone else; the rated maintainer nothing.
func TestMayReviseMatchesRevise(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		other := f.unit(t, f.centre.ID, "IMC-JF", org.Team)
		otherForeman := access.Principal{Username: "other", Grants: []access.Grant{{Role: access.Foreman, UnitID: other.ID}}}

		o := f.order(t, f.maint, "13800001111", "2026-10-15 08:00", "2026-10-15 10:00")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err != nil {
			t.Fatal(err)
		}
		_, assignee, _ := callbackOf(t, db, o.ID)
		caller := f.caller(assignee)
		notCaller := f.disp1
		if caller.PersonID == f.disp1.PersonID {
			notCaller = f.disp2
		}
		for _, in := range []struct {
			who  access.Principal
			kind workorder.Kind
		}{{caller, workorder.Callback}, {f.foreman, workorder.SelfEvaluation}} {
			if _, err := workorder.Evaluate(ctx, db, in.who, workorder.EvalInput{OrderID: o.ID, Kind: in.kind, Score: 8, Comment: "一般"}); err != nil {
				t.Fatal(err)
			}
		}
		tasks, _, err := workorder.OrderTasks(ctx, db, f.clerk, o.ID)
		if err != nil || len(tasks) != 2 {
			t.Fatalf("tasks %+v %v", tasks, err)
		}
		task := map[workorder.Kind]workorder.Task{}
		for _, k := range tasks {
			task[k.Kind] = k
		}

		for _, c := range []struct {
			name    string
			who     access.Principal
			kind    workorder.Kind
			offered bool
			refused errs.Code // "" when Revise saves
		}{
			{"the clerk, a callback", f.clerk, workorder.Callback, true, ""},
			{"the assigned caller", caller, workorder.Callback, true, ""},
			{"another dispatcher, a callback", notCaller, workorder.Callback, false, errs.Forbidden},
			{"the foreman, a callback", f.foreman, workorder.Callback, false, errs.Forbidden},
			{"the maintainer, a callback", f.maint, workorder.Callback, false, errs.Forbidden},
			{"the clerk, a self-evaluation", f.clerk, workorder.SelfEvaluation, true, ""},
			{"the team's foreman", f.foreman, workorder.SelfEvaluation, true, ""},
			{"a dispatcher, a self-evaluation", f.disp1, workorder.SelfEvaluation, false, errs.Forbidden},
			{"a manager, a self-evaluation", f.manager, workorder.SelfEvaluation, false, errs.Forbidden},
			{"the maintainer, a self-evaluation", f.maint, workorder.SelfEvaluation, false, errs.Forbidden},
			{"another team's foreman", otherForeman, workorder.SelfEvaluation, true, errs.Forbidden},
		} {
			k := task[c.kind]
			if got := workorder.MayRevise(c.who, k); got != c.offered {
				t.Errorf("%s: MayRevise = %v, want %v", c.name, got, c.offered)
			}
			_, err := workorder.Revise(ctx, db, c.who, k.ID, workorder.EvalInput{Score: 10, Reason: "更正"})
			if (c.refused == "" && err != nil) || (c.refused != "" && errs.CodeOf(err) != c.refused) {
				t.Errorf("%s: Revise: %v, want %q", c.name, err, c.refused)
			}
		}
	})
}
