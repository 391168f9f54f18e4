package workorder_test

import (
	"context"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// TestCallbackBacklogAndCallsToday: a callback counts as late only after its deadline and
// only for readers whose scope holds its team; a dispatcher's calls today are the callbacks
// they recorded since local midnight.
func TestCallbackBacklogAndCallsToday(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		rated := f.order(t, f.maint, "13800001111", "2026-10-15 08:00", "2026-10-15 10:00")
		late := f.order(t, f.maint2, "13800003333", "2026-10-15 08:00", "2026-10-15 11:00")
		if _, err := workorder.Generate(ctx, db, f.clerk, "2026-10-15"); err != nil {
			t.Fatal(err)
		}
		var due time.Time
		var day string
		err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT due_at, day FROM workorder_tasks WHERE order_id = ? AND kind = 'callback'", late.ID).Scan(&due, &day)
		})
		if err != nil {
			t.Fatal(err)
		}
		other := f.unit(t, 0, "OTHER", org.Department)
		outsider := access.Principal{Username: "outsider", Grants: []access.Grant{{Role: access.Clerk, UnitID: other.ID}}}
		backlog := func(who access.Principal) workorder.Backlog {
			t.Helper()
			b, err := workorder.CallbackBacklog(ctx, db, who)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		calls := func(who access.Principal) int {
			t.Helper()
			n, err := workorder.CallsToday(ctx, db, who)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		f.now = due.Add(-time.Hour) // the evening of the deadline
		if b := backlog(f.clerk); b.Overdue != 0 || b.OldestDay != "" {
			t.Errorf("backlog before the deadline = %+v; want none", b)
		}
		_, assignee, _ := callbackOf(t, db, rated.ID)
		caller := f.caller(assignee)
		if _, err := workorder.Evaluate(ctx, db, caller, workorder.EvalInput{OrderID: rated.ID, Kind: workorder.Callback, Score: 10}); err != nil {
			t.Fatal(err)
		}
		if n := calls(caller); n != 1 {
			t.Errorf("calls today after one callback = %d, want 1", n)
		}

		f.now = due.Add(time.Hour) // past the deadline, a new day
		if b := backlog(f.clerk); b.Overdue != 1 || b.OldestDay != day {
			t.Errorf("backlog after the deadline = %+v; want the unrated callback of %s", b, day)
		}
		if b := backlog(f.foreman); b.Overdue != 1 {
			t.Errorf("the team's foreman sees a backlog of %d, want 1", b.Overdue)
		}
		if b := backlog(outsider); b.Overdue != 0 {
			t.Errorf("a clerk of another unit sees a backlog of %d, want 0", b.Overdue)
		}
		if n := calls(caller); n != 0 {
			t.Errorf("calls today on the next day = %d, want 0 (yesterday's call is not today's)", n)
		}
	})
}
