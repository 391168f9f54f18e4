package prove

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"manyi/internal/store"
)

// periodicKinds are the scheduled jobs that run when an instance becomes the leader (the
// session clean-up waits for its first interval): each must run once, on the elected leader,
// however many instances serve.
var periodicKinds = []string{"audit_verify", "complaint_sla", "workorder_draw", "inspection_overdue", "survey_purge", "overdue_sweep"}

// TestTwoInstancesRunJobsOnce starts two instances of the binary at the same moment on one
// PostgreSQL database, as behind a load balancer: the daily draw of callback tasks, the SLA
// escalations, the retention purge and the other scheduled jobs each run exactly once, and
// while residents answer through both, the two audit sealers extend one intact chain.
func TestTwoInstancesRunJobsOnce(t *testing.T) {
	needProve(t)
	dbURL := newPostgresDBOrFail(t)
	codes := seedInvitations(t, dbURL, 2000)
	bin := buildManyi(t)
	a, b := launch(t, bin, dbURL, "a"), launch(t, bin, dbURL, "b")
	a.waitUp(t)
	b.waitUp(t)
	counts := waitJobs(t, dbURL, periodicKinds)
	leaders := countOf(t, dbURL, "SELECT COUNT(*) FROM river_leader")
	// Residents answer through both instances at once: each answer appends an audit entry,
	// and both instances' sealers extend the one chain.
	res := newResidents(t, codes)
	stop := make(chan struct{})
	doneA, doneB := res.start(a.base, 8, stop), res.start(b.base, 8, stop)
	waitAcked(t, res, 400)
	close(stop)
	<-doneA
	<-doneB
	// Counted while both still serve. Leadership can still move before then (a leader that
	// misses its renewal on a loaded machine is replaced), and the new leader runs the jobs
	// whose period has turned since (the SLA sweep's minute often has): that is the failover
	// working. A double run is two completions in one period, the period being what each
	// job is unique by, so runs are counted per period.
	after, periods := jobCounts(t, dbURL)
	a.stop()
	b.stop()
	out, err := exec.Command(bin, "audit", "verify", "--db", dbURL, "--seal").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "intact") || !strings.Contains(string(out), "waiting to be sealed: 0") {
		t.Errorf("the audit chain after two instances wrote and sealed at once: %v\n%s", err, out)
	}
	for _, kind := range periodicKinds {
		if after[kind] == 0 || after[kind] != periods[kind] {
			t.Errorf("%s ran %d times in %d periods on two instances, want once a period", kind, after[kind], periods[kind])
		}
	}
	if leaders != 1 {
		t.Errorf("%d leaders while two instances ran, want 1", leaders)
	}
	t.Logf("PROVE two-instances postgres: %d scheduled jobs each ran once a period (%v) with one leader; %d answers through both instances, the audit chain sealed and intact", len(counts), after, len(res.ackedNow()))
}

func newPostgresDBOrFail(t *testing.T) string {
	t.Helper()
	if os.Getenv("MANYI_TEST_POSTGRES") == "" {
		t.Fatal("the PostgreSQL proofs need MANYI_TEST_POSTGRES")
	}
	return newPostgresDB(t)
}

// waitJobs waits until every kind has a completed job and returns the counts.
func waitJobs(t *testing.T, dbURL string, kinds []string) map[string]int {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		counts, _ := jobCounts(t, dbURL)
		missing := ""
		for _, k := range kinds {
			if counts[k] == 0 {
				missing = k
			}
		}
		if missing == "" {
			return counts
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has not run within 45 s of the start (%v)", missing, counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jobCounts is, per kind, the jobs that completed and the distinct periods they ran in:
// river's unique key of the job, which is the period for jobs unique by period and the day
// drawn for the draw. A job enqueued without its uniqueness has no key and so no period.
func jobCounts(t *testing.T, dbURL string) (runs, periods map[string]int) {
	t.Helper()
	runs, periods = map[string]int{}, map[string]int{}
	readOnly(t, dbURL, func(ctx context.Context, tx *store.Tx, _ store.Dialect) {
		rows, err := tx.Query(ctx, "SELECT kind, COUNT(*), COUNT(DISTINCT unique_key) FROM river_job WHERE state = 'completed' GROUP BY kind")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var kind string
			var n, p int
			if err := rows.Scan(&kind, &n, &p); err != nil {
				t.Fatal(err)
			}
			runs[kind], periods[kind] = n, p
		}
	})
	return runs, periods
}

func countOf(t *testing.T, dbURL, query string) int {
	t.Helper()
	var n int
	readOnly(t, dbURL, func(ctx context.Context, tx *store.Tx, _ store.Dialect) {
		if err := tx.QueryRow(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
	})
	return n
}
