package prove

import (
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"manyi/internal/store/storetest"
)

// TestDiskFull runs the SQLite server on a small file system of its own (a tmpfs), fills
// it while residents answer, and checks that every answer the server could not store was
// refused (none acknowledged and lost), that the server keeps serving, and that once space
// returns the residents' retries and new answers are stored, with a sound file.
func TestDiskFull(t *testing.T) {
	needProve(t)
	if os.Geteuid() != 0 {
		t.Fatal("the disk-full proof mounts a tmpfs and needs root (CI runs as root)")
	}
	bin := buildManyi(t)
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	dbURL := filepath.Join(dir, "full.db")
	res := newResidents(t, seedInvitations(t, dbURL, 20000))
	srv := startServer(t, bin, dbURL)
	defer srv.stop()

	filler := filepath.Join(dir, "filler")
	fill(t, filler)
	stop := make(chan struct{})
	done := res.start(srv.base, 8, stop)
	waitFailures(t, res, 50)
	close(stop)
	<-done
	full := res.failureSummary()
	if res.failures[http.StatusServiceUnavailable] == 0 || len(res.failures) != 1 {
		t.Errorf("on a full disk submissions should be refused with 503 (storage full), got %s", full)
	}
	if resp, err := http.Get(srv.base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the server does not serve on a full disk: %v", err)
	}
	status, body := publicPage(t, srv.base+"/s/"+res.codes[len(res.codes)-1])
	ackedFull := len(res.ackedNow())

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	res.retry(srv.base)
	stop = make(chan struct{})
	done = res.start(srv.base, 8, stop)
	waitAcked(t, res, ackedFull+200)
	close(stop)
	<-done
	res.retry(srv.base)
	srv.stop()
	if n := res.pendingCount(); n > 0 {
		t.Errorf("%d answers still not stored after space returned", n)
	}
	if u := res.unexpected(); u != "" {
		t.Errorf("unexpected answers: %s", u)
	}
	checkStored(t, "after the disk was full", dbURL, res.ackedNow())
	t.Logf("PROVE disk-full sqlite: with the disk full %s (a questionnaire page answered %d, %q); %d acknowledged before and during, %d after space returned, every one stored once, integrity ok",
		full, status, body, ackedFull, len(res.ackedNow())-ackedFull)
}

// fill writes to path until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v", err)
			}
			return
		}
	}
}

func waitFailures(t *testing.T, r *residents, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for r.pendingCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d answers refused in 60 s on a full disk (%s)", r.pendingCount(), r.failureSummary())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// publicPage is what a resident's phone shows: the status and the page's heading or message.
func publicPage(t *testing.T, target string) (int, string) {
	t.Helper()
	resp, err := http.Get(target)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s := string(b)
	if i := strings.Index(s, "<h1"); i >= 0 {
		s = s[i:]
		if j := strings.Index(s, "</h1>"); j >= 0 {
			s = s[strings.Index(s, ">")+1 : j]
		}
	}
	return resp.StatusCode, strings.TrimSpace(s[:min(len(s), 120)])
}

// TestPostgresRestart restarts the PostgreSQL server while residents answer: the service must
// be ready again within 10 seconds of the database's return, an answer refused meanwhile is
// refused with 503 "try again later", and nothing acknowledged may be lost or stored twice
// (answers cut off are retried with their keys).
func TestPostgresRestart(t *testing.T) {
	needProve(t)
	if storetest.PostgresURL() == "" {
		t.Fatal("the PostgreSQL proofs need MANYI_TEST_POSTGRES")
	}
	bin := buildManyi(t)
	dbURL := newPostgresDB(t)
	res := newResidents(t, seedInvitations(t, dbURL, 20000))
	srv := startServer(t, bin, dbURL)
	defer srv.stop()
	stop := make(chan struct{})
	done := res.start(srv.base, 32, stop)
	waitAcked(t, res, 300)
	pgRestart(t)
	back := time.Now()
	recovered := waitReady(t, srv.base, 10*time.Second)
	ackedAtReturn := len(res.ackedNow())
	waitAcked(t, res, ackedAtReturn+300)
	close(stop)
	<-done
	res.retry(srv.base)
	if n := res.pendingCount(); n > 0 {
		t.Errorf("%d answers still not stored after PostgreSQL returned", n)
	}
	if u := res.unexpected(); u != "" {
		t.Errorf("unexpected answers: %s", u)
	}
	// A resident whose answer met the restart must read "try again later" (503), not an
	// internal error.
	res.mu.Lock()
	for status, n := range res.failures {
		if status != 0 && status != http.StatusServiceUnavailable {
			t.Errorf("while PostgreSQL restarted, %d answers got status %d (want 503 or a cut connection)", n, status)
		}
	}
	res.mu.Unlock()
	srv.stop()
	checkStored(t, "after PostgreSQL restarted", dbURL, res.ackedNow())
	t.Logf("PROVE postgres-restart: ready %v after PostgreSQL was back; while it restarted %s; %d acknowledged in all, every one stored once",
		recovered.Sub(back).Round(time.Millisecond), res.failureSummary(), len(res.ackedNow()))
}

// waitReady polls /readyz until it answers 200 and returns when; it fails the test after limit.
func waitReady(t *testing.T, base string, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready %v after PostgreSQL returned", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pgRestart restarts the machine's PostgreSQL cluster as its operator would.
func pgRestart(t *testing.T) {
	t.Helper()
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		t.Fatalf("no PostgreSQL cluster under /etc/postgresql: %v", err)
	}
	cmd := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", "restart")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}
