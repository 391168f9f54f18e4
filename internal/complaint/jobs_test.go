package complaint_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/complaint"
	"manyi/internal/jobs"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestBreachEscalatesThroughJobQueue: two instances run the SLA job; a breached complaint
// gets exactly one escalation, and it is still there after both stop and a third starts.
func TestBreachEscalatesThroughJobQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		f := setup(t, db, "2026-03-02 10:00")
		c := f.register(t, complaint.Input{})
		f.now = at("2026-03-05 11:00") // reply and solution both overdue
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		start := func() *jobs.Runner {
			r, err := jobs.Start(ctx, db, logger, jobs.Options{Register: complaint.Workers(db, logger), PeriodicJobs: complaint.PeriodicJobs(time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		a, b := start(), start()
		sweeps := sweepsDone(t, a, b)
		for count(t, db, "SELECT COUNT(*) FROM complaint_notifications WHERE complaint_id = ? AND kind = 'solution_breach'", c.ID) == 0 {
			awaitSweep(t, sweeps)
		}
		awaitSweep(t, sweeps) // a sweep after the escalation, which must not escalate again
		a.Stop(ctx)
		b.Stop(ctx)
		r := start()
		awaitSweep(t, sweepsDone(t, r))
		r.Stop(ctx)
		for _, kind := range []string{"reply_breach", "solution_breach"} {
			if n := count(t, db, "SELECT COUNT(*) FROM complaint_notifications WHERE complaint_id = ? AND kind = ?", c.ID, kind); n != 1 {
				t.Errorf("%s notifications: %d, want 1", kind, n)
			}
		}
		if n := count(t, db, "SELECT COUNT(*) FROM complaint_events WHERE complaint_id = ? AND action = 'escalate'", c.ID); n != 2 {
			t.Errorf("escalate events: %d, want 2", n)
		}
		// Each escalation is in the audit log once, which is what webhooks announce.
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'complaint' AND entity_id = ? AND action = 'escalate'", fmt.Sprint(c.ID)); n != 2 {
			t.Errorf("escalate audit entries: %d, want 2", n)
		}
	})
}

// sweepsDone delivers an event each time one of the runners completes an SLA sweep.
func sweepsDone(t *testing.T, runners ...*jobs.Runner) <-chan *river.Event {
	t.Helper()
	out := make(chan *river.Event, 16)
	for _, r := range runners {
		events, cancel := r.Client().Subscribe(river.EventKindJobCompleted)
		t.Cleanup(cancel)
		go func() {
			for e := range events {
				if e.Job.Kind == (complaint.SLAArgs{}).Kind() {
					out <- e
				}
			}
		}()
	}
	return out
}

// awaitSweep waits for the next completed sweep; the periodic job runs every second.
func awaitSweep(t *testing.T, sweeps <-chan *river.Event) {
	t.Helper()
	select {
	case <-sweeps:
	case <-time.After(20 * time.Second):
		t.Fatal("no SLA sweep completed within 20 s")
	}
}

// BenchmarkDashboard100k is the SLA dashboard of 100,000 open complaints (docs/benchmarks.md).
func BenchmarkDashboard100k(b *testing.B) {
	db := storetest.OpenSQLite(b)
	var cal = mustCalendar(b, db)
	pol := complaint.DefaultPolicy
	now := at("2026-03-10 10:00")
	open := make([]complaint.Complaint, 100_000)
	for i := range open {
		rec := now.Add(-time.Duration(i%200) * time.Hour)
		due, _ := pol.SolutionDue(cal, rec)
		open[i] = complaint.Complaint{Status: complaint.Registered, ReceivedAt: rec, ReplyDueAt: pol.ReplyDue(rec), SolutionDueAt: &due}
	}
	b.ReportAllocs()
	for b.Loop() {
		d := complaint.Summarize(open, pol, cal, now)
		if d.Open != 100_000 {
			b.Fatal(d)
		}
	}
}
