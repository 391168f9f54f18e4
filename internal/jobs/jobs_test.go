package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/auth"
	"manyi/internal/jobs"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// The tests run one after the other, not in parallel: the audit gauges are per process.

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pending, err := jobs.Pending(ctx, db)
		if err != nil || len(pending) == 0 {
			t.Fatalf("Pending before Migrate = %v, %v; want River's migrations", pending, err)
		}
		for i := range 2 {
			if err := jobs.Migrate(ctx, db); err != nil {
				t.Fatalf("Migrate #%d: %v", i+1, err)
			}
			if pending, err := jobs.Pending(ctx, db); err != nil || len(pending) != 0 {
				t.Fatalf("Pending after Migrate #%d = %v, %v; want none", i+1, pending, err)
			}
		}
	})
}

func TestAuditVerifyIntact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustMigrate(t, db)
		if _, ok, err := jobs.LastAuditCheck(context.Background(), db); err != nil || ok {
			t.Fatalf("LastAuditCheck before any check = %v, %v; want none on record", ok, err)
		}
		mustRecordAudit(t, db, 3)
		mustSeal(t, db)

		r := mustStart(t, db, jobs.Options{})
		job := waitCompleted(t, r, "audit_verify")
		var out jobs.AuditVerifyOutput
		mustOutput(t, job, &out)
		if !out.Intact || out.Checked != 3 || out.BrokenAt != 0 || out.HeadSeq != 3 {
			t.Fatalf("audit_verify output = %+v; want intact, 3 checked", out)
		}
		// The administrator's home page reads the same output back.
		last, ok, err := jobs.LastAuditCheck(context.Background(), db)
		if err != nil || !ok || last.AuditVerifyOutput != out || time.Since(last.At) > time.Minute {
			t.Errorf("LastAuditCheck = %+v, %v, %v; want the job's output %+v, finished about now", last, ok, err, out)
		}
		if v := gauge(t, "manyi_audit_chain_intact"); v != 1 {
			t.Errorf("manyi_audit_chain_intact = %v, want 1", v)
		}
		if v := gauge(t, "manyi_audit_chain_checked_entries"); v != 3 {
			t.Errorf("manyi_audit_chain_checked_entries = %v, want 3", v)
		}
		if v := gauge(t, "manyi_audit_chain_last_check_timestamp_seconds"); time.Since(time.Unix(int64(v), 0)) > time.Minute {
			t.Errorf("manyi_audit_chain_last_check_timestamp_seconds = %v, want about now", v)
		}
	})
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustMigrate(t, db)
		mustRecordAudit(t, db, 3)
		mustSeal(t, db)
		// Someone with direct database access disables the append-only trigger and edits
		// an entry; the check must notice.
		dropTrigger := "DROP TRIGGER audit_log_no_update"
		if db.Dialect == store.Postgres {
			dropTrigger = "DROP TRIGGER audit_log_no_change ON audit_log"
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, dropTrigger); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		r := mustStart(t, db, jobs.Options{})
		job := waitCompleted(t, r, "audit_verify")
		var out jobs.AuditVerifyOutput
		mustOutput(t, job, &out)
		if out.Intact || out.BrokenAt != 2 {
			t.Fatalf("audit_verify output = %+v; want broken at 2", out)
		}
		if last, ok, err := jobs.LastAuditCheck(ctx, db); err != nil || !ok || last.Intact || last.BrokenAt != 2 {
			t.Errorf("LastAuditCheck = %+v, %v, %v; want broken at 2", last, ok, err)
		}
		if v := gauge(t, "manyi_audit_chain_intact"); v != 0 {
			t.Errorf("manyi_audit_chain_intact = %v, want 0", v)
		}
	})
}

// Entries committed while no instance sealed (a crash between commit and seal) are sealed
// when a runner starts, and a graceful stop leaves none behind.
func TestRunnerSealsTheBacklog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustMigrate(t, db)
		mustRecordAudit(t, db, 4)
		r := mustStart(t, db, jobs.Options{AuditSealEvery: time.Hour})
		mustRecordAudit(t, db, 2) // after the start-up pass; the stop's last pass seals them
		if err := r.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := audit.Verify(ctx, db)
		if err != nil || res.Checked != 6 || res.BrokenAt != 0 || res.Unsealed != 0 {
			t.Fatalf("Verify after a runner's start and stop = %+v, %v; want 6 sealed, none waiting", res, err)
		}
	})
}

func TestSessionCleanup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustMigrate(t, db)
		if _, _, _, err := auth.EnsureAdmin(ctx, db, "correct-horse-battery"); err != nil {
			t.Fatal(err)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, s := range []struct {
				id      string
				expires time.Time
			}{{"expired", tx.Now.Add(-time.Hour)}, {"valid", tx.Now.Add(time.Hour)}} {
				_, err := tx.Exec(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at)
					SELECT ?, id, 'csrf', ?, ?, ? FROM users WHERE username = 'admin'`, s.id, tx.Now, s.expires, tx.Now)
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// A short interval proves the periodic wiring without waiting an hour.
		r := mustStart(t, db, jobs.Options{SessionCleanupEvery: time.Second})
		waitCompleted(t, r, "session_cleanup")
		// With a one-second interval a slow machine may complete several runs before we look;
		// together they must have removed the expired session.
		var removed int64
		res, err := r.Client().JobList(ctx, river.NewJobListParams().Kinds("session_cleanup"))
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range res.Jobs {
			if j.State == rivertype.JobStateCompleted {
				var out jobs.SessionCleanupOutput
				mustOutput(t, j, &out)
				removed += out.Removed
			}
		}
		if removed < 1 {
			t.Errorf("session_cleanup runs removed %d rows; want the expired session removed", removed)
		}
		var ids []string
		err = db.Read(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, "SELECT id FROM sessions ORDER BY id")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(ids, ",") != "valid" {
			t.Fatalf("sessions after clean-up = %v; want only the valid one", ids)
		}
	})
}

func TestTwoInstancesRunUniqueJobOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustMigrate(t, db)
		// Two instances on one database: only the elected leader schedules periodic jobs.
		a := mustStart(t, db, jobs.Options{})
		b := mustStart(t, db, jobs.Options{})
		waitCompleted(t, a, "audit_verify")

		// Whoever asks again within the hour is told the job already exists.
		for _, r := range []*jobs.Runner{a, b} {
			res, err := r.Insert(ctx, jobs.AuditVerifyArgs{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.UniqueSkippedAsDuplicate {
				t.Errorf("second audit_verify within the hour was inserted as job %d; want skipped as duplicate", res.Job.ID)
			}
		}
		if n := count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = 'audit_verify'"); n != 1 {
			t.Errorf("audit_verify jobs = %d, want 1", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM river_leader"); n != 1 {
			t.Errorf("river_leader rows = %d, want 1", n)
		}
	})
}

// pingArgs stands for a job of a later area.
type pingArgs struct {
	Note string `json:"note"`
}

func (pingArgs) Kind() string { return "test_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
}

func (pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	return river.RecordOutput(ctx, "pong: "+job.Args.Note)
}

func TestAreaJobInsertedInTxSurvivesRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustMigrate(t, db)
		register := func(w *river.Workers) { river.AddWorker(w, pingWorker{}) }

		// An instance started with --no-jobs enqueues but works nothing.
		idle := mustStart(t, db, jobs.Options{NoWork: true, Register: register})
		errRefused := errors.New("refused")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := idle.InsertTx(ctx, tx, pingArgs{Note: "rolled back"}, nil); err != nil {
				return err
			}
			return errRefused
		})
		if !errors.Is(err, errRefused) {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := idle.InsertTx(ctx, tx, pingArgs{Note: "committed"}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM river_job WHERE kind = 'test_ping' AND state = 'available'"); n != 1 {
			t.Fatalf("available test_ping jobs = %d; want 1 (the rolled-back one must not exist)", n)
		}
		if err := idle.Stop(ctx); err != nil {
			t.Fatal(err)
		}

		// A working instance started later runs it.
		r := mustStart(t, db, jobs.Options{Register: register})
		job := waitCompleted(t, r, "test_ping")
		var out string
		mustOutput(t, job, &out)
		if out != "pong: committed" {
			t.Fatalf("test_ping output = %q", out)
		}
	})
}

func mustMigrate(t *testing.T, db *store.DB) {
	t.Helper()
	if err := jobs.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func mustSeal(t *testing.T, db *store.DB) {
	t.Helper()
	if _, _, err := audit.SealAll(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func mustRecordAudit(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return audit.Record(ctx, tx, access.System, audit.Change{Action: "create", Entity: "unit", EntityID: i, After: map[string]int{"n": i}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// mustStart starts a runner that is stopped when the test ends. Its logs go to the test's
// output, shown on failure or with -v.
func mustStart(t *testing.T, db *store.DB, opts jobs.Options) *jobs.Runner {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	r, err := jobs.Start(context.Background(), db, logger, jobs.ForTest(opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return r
}

// waitCompleted polls until a job of kind has completed and returns it; it fails with the
// jobs it saw if none completes within 15 seconds.
func waitCompleted(t *testing.T, r *jobs.Runner, kind string) *rivertype.JobRow {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := r.Client().JobList(ctx, river.NewJobListParams().Kinds(kind))
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, j := range res.Jobs {
			if j.State == rivertype.JobStateCompleted {
				return j
			}
			seen = append(seen, fmt.Sprintf("job %d %s attempt %d errors %v", j.ID, j.State, j.Attempt, j.Errors))
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s job completed within 15s; jobs seen: %v", kind, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustOutput(t *testing.T, job *rivertype.JobRow, v any) {
	t.Helper()
	if err := json.Unmarshal(job.Output(), v); err != nil {
		t.Fatalf("job %d output %q: %v", job.ID, job.Output(), err)
	}
}

func count(t *testing.T, db *store.DB, query string) int {
	t.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), query).Scan(&n)
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// gauge reads an unlabelled gauge from the default registry, as /metrics would show it.
func gauge(t *testing.T, name string) float64 {
	t.Helper()
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("gauge %s not registered or not set", name)
	return 0
}
