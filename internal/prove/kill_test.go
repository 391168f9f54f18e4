package prove

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"sort"
	"strings"
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
		r := &killRun{residents: newResidents(t, codes), bin: bin, dbURL: dbURL, dialect: d,
			rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}
		r.run(cycles)
	})
}

type killRun struct {
	*residents
	bin     string
	dbURL   string
	dialect store.Dialect
	rng     *rand.Rand
	ready   []time.Duration
}

func (r *killRun) run(cycles int) {
	t := r.t
	srv := startServer(t, r.bin, r.dbURL)
	r.ready = append(r.ready, srv.readyIn)
	start := time.Now()
	var slow []string
	for cycle := 1; cycle <= cycles; cycle++ {
		stop := make(chan struct{})
		done := r.start(srv.base, 32, stop)
		// Kill at a random moment, so the kill lands anywhere in a request: before the
		// commit, between commit and reply, while a reply is on the wire.
		time.Sleep(time.Duration(50+r.rng.IntN(450)) * time.Millisecond)
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("cycle %d: kill: %v", cycle, err)
		}
		srv.cmd.Wait()
		close(stop)
		<-done
		r.verify(cycle)
		if t.Failed() {
			return // something acknowledged was lost: the log above says what
		}
		srv = startServer(t, r.bin, r.dbURL)
		r.ready = append(r.ready, srv.readyIn)
		if srv.readyIn > 5*time.Second {
			slow = append(slow, fmt.Sprintf("cycle %d: %v", cycle, srv.readyIn.Round(time.Millisecond)))
		}
		r.retry(srv.base)
	}
	srv.stop()
	r.verify(cycles + 1)
	// Entries appended before a kill and not yet sealed are sealed after the restart: the
	// chain is whole.
	if out, err := exec.Command(r.bin, "audit", "verify", "--db", r.dbURL).CombinedOutput(); err != nil || !strings.Contains(string(out), "intact") {
		t.Errorf("the audit chain after %d kills: %v\n%s", cycles, err, out)
	}
	if len(slow) > 0 {
		t.Errorf("ready after more than 5 s in %d of %d restarts: %s", len(slow), cycles, strings.Join(slow, "; "))
	}
	sort.Slice(r.ready, func(i, j int) bool { return r.ready[i] < r.ready[j] })
	t.Logf("PROVE kill-9 %s: %d cycles in %v; %d POSTs, %d acknowledged, %d retried after a kill, all present exactly once; ready p50 %v, max %v",
		r.dialect, cycles, time.Since(start).Round(time.Second), r.attempts, len(r.acked), r.retried,
		r.ready[len(r.ready)/2].Round(time.Millisecond), r.ready[len(r.ready)-1].Round(time.Millisecond))
	if u := r.unexpected(); u != "" {
		t.Errorf("unexpected answers: %s", u)
	}
}

// verify reads the database while the server is down.
func (r *killRun) verify(cycle int) {
	checkStored(r.t, fmt.Sprintf("cycle %d", cycle), r.dbURL, r.ackedNow())
}
