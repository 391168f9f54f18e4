package complaint_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

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
		deadline := time.Now().Add(20 * time.Second)
		for count(t, db, "SELECT COUNT(*) FROM complaint_notifications WHERE complaint_id = ? AND kind = 'solution_breach'", c.ID) == 0 {
			if time.Now().After(deadline) {
				var kinds string
				db.Read(ctx, func(tx *store.Tx) error {
					rows, _ := tx.Query(ctx, "SELECT kind || ' ' || state || ' ' || CAST(metadata AS TEXT) || ' ' || CAST(created_at AS TEXT) FROM river_job")
					for rows != nil && rows.Next() {
						var k string
						rows.Scan(&k)
						kinds += k + "\n"
					}
					return nil
				})
				t.Fatalf("no escalation within 20 s; jobs:\n%s", kinds)
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(1500 * time.Millisecond) // let another sweep run
		a.Stop(ctx)
		b.Stop(ctx)
		r := start()
		time.Sleep(1500 * time.Millisecond)
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
