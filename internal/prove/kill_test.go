package prove

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"manyi/internal/store"
)

// TestKillUnderLoad is the crash proof: 32 residents answer questionnaires, each with the
// idempotency key of its form, while the server is killed with SIGKILL at random moments and
// started again. After every cycle each acknowledged answer (the thank-you redirect reached
// the resident) must be stored exactly once, SQLite's integrity check must pass, and the
// restarted server must be ready within 5 seconds. A request cut off by the kill is retried
// after the restart with the same key, as a resident pressing the button again would; the
// retry must land on the thank-you page without a second answer.
func TestKillUnderLoad(t *testing.T) {
	needProve(t)
	cycles := envInt(t, "MANYI_PROVE_CYCLES", 100)
	bin := buildManyi(t)
	eachDialect(t, func(t *testing.T, d store.Dialect, dbURL string) {
		// About 200 answers are acknowledged per cycle on this machine; keep plenty in hand.
		codes := seedInvitations(t, dbURL, max(40000, cycles*500))
		r := &killRun{t: t, bin: bin, dbURL: dbURL, dialect: d, codes: codes, clients: 32,
			rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}
		r.run(cycles)
	})
}

type killRun struct {
	t       *testing.T
	bin     string
	dbURL   string
	dialect store.Dialect
	codes   []string
	clients int
	rng     *rand.Rand

	next     atomic.Int64 // index of the next fresh code
	mu       sync.Mutex
	acked    map[string]bool // invitation code → acknowledged
	pending  []*submission   // cut off by a kill: retried after the restart
	attempts int             // POSTs sent
	retried  int             // POSTs retried after a kill
	refused  []string        // unexpected answers, for the report
	ready    []time.Duration
}

// submission is one resident's answer: the form as fetched, so a retry repeats it exactly.
type submission struct {
	code string
	form map[string][]string
}

func (r *killRun) run(cycles int) {
	t := r.t
	r.acked = map[string]bool{}
	srv := startServer(t, r.bin, r.dbURL)
	r.ready = append(r.ready, srv.readyIn)
	start := time.Now()
	for cycle := 1; cycle <= cycles; cycle++ {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range r.clients {
			wg.Go(func() { r.client(srv.base, stop) })
		}
		// Kill at a random moment, so the kill lands anywhere in a request: before the
		// commit, between commit and reply, while a reply is on the wire.
		time.Sleep(time.Duration(50+r.rng.IntN(450)) * time.Millisecond)
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("cycle %d: kill: %v", cycle, err)
		}
		srv.cmd.Wait()
		close(stop)
		wg.Wait()
		r.verify(cycle)
		if t.Failed() {
			return
		}
		srv = startServer(t, r.bin, r.dbURL)
		r.ready = append(r.ready, srv.readyIn)
		if srv.readyIn > 5*time.Second {
			t.Errorf("cycle %d: ready after %v, more than 5 s", cycle, srv.readyIn)
		}
		r.retry(srv.base)
	}
	srv.stop()
	r.verify(cycles + 1)
	sort.Slice(r.ready, func(i, j int) bool { return r.ready[i] < r.ready[j] })
	t.Logf("PROVE kill-9 %s: %d cycles in %v; %d POSTs, %d acknowledged, %d retried after a kill, all present exactly once; ready p50 %v, max %v",
		r.dialect, cycles, time.Since(start).Round(time.Second), r.attempts, len(r.acked), r.retried,
		r.ready[len(r.ready)/2].Round(time.Millisecond), r.ready[len(r.ready)-1].Round(time.Millisecond))
	if len(r.refused) > 0 {
		t.Errorf("unexpected answers: %s", strings.Join(r.refused[:min(10, len(r.refused))], "; "))
	}
}

// client answers fresh questionnaires, one resident after another, until stop; a submission the kill cut off is kept for
// retrying.
func (r *killRun) client(base string, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		i := r.next.Add(1) - 1
		if int(i) >= len(r.codes) {
			r.t.Errorf("ran out of invitations after %d", i)
			return
		}
		code := r.codes[i]
		hc := residentClient() // a new resident, on a phone of their own
		form, err := fetchForm(hc, base, code)
		if err != nil {
			continue // the server died while showing the form: nothing was submitted
		}
		r.submit(hc, base, &submission{code: code, form: form})
	}
}

func (r *killRun) submit(hc *http.Client, base string, s *submission) {
	status, loc, err := postForm(hc, base+"/s/"+s.code, s.form)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	switch {
	case err != nil:
		r.pending = append(r.pending, s)
	case status == http.StatusSeeOther && loc == "/s/"+s.code+"/thanks":
		r.acked[s.code] = true
	default:
		r.refused = append(r.refused, fmt.Sprintf("%s: %d %s", s.code, status, loc))
	}
}

// retry sends again every submission a kill cut off, with its key.
func (r *killRun) retry(base string) {
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	r.retried += len(pending)
	r.mu.Unlock()
	for _, s := range pending {
		r.submit(residentClient(), base, s)
	}
}

// verify reads the database while the server is down: every acknowledged answer is there,
// none twice, and SQLite's file is sound.
func (r *killRun) verify(cycle int) {
	t := r.t
	ctx := context.Background()
	db, err := store.Open(ctx, r.dbURL)
	if err != nil {
		t.Fatalf("cycle %d: open for checking: %v", cycle, err)
	}
	defer db.Close()
	tx, err := db.BeginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if r.dialect == store.SQLite {
		var ok string
		if err := tx.QueryRow(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("cycle %d: integrity_check: %q %v", cycle, ok, err)
		}
	}
	rows, err := tx.Query(ctx, `SELECT i.code, COUNT(a.id) FROM survey_invitations i
		LEFT JOIN survey_answers a ON a.invitation_id = i.id GROUP BY i.code HAVING COUNT(a.id) > 0`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			t.Fatal(err)
		}
		stored[code] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for code := range r.acked {
		switch n := stored[code]; {
		case n == 0:
			t.Errorf("cycle %d: answer to %s was acknowledged but is not stored", cycle, code)
		case n > 1:
			t.Errorf("cycle %d: answer to %s stored %d times", cycle, code, n)
		}
	}
}
