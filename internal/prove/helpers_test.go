package prove

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
)

// needProve skips the proofs outside `make prove`: they take minutes and drive processes.
func needProve(t *testing.T) {
	t.Helper()
	if os.Getenv("MANYI_PROVE") == "" {
		t.Skip("reliability proofs run with `make prove` (MANYI_PROVE=1)")
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// buildManyi builds the real binary once per test run, as an operator would install it.
func buildManyi(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "manyi")
	out, err := exec.Command("go", "build", "-o", bin, "manyi/cmd/manyi").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// eachDialect runs fn on a fresh SQLite file and, when MANYI_TEST_POSTGRES is set, on a
// fresh PostgreSQL database that is dropped afterwards.
func eachDialect(t *testing.T, fn func(t *testing.T, d store.Dialect, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, store.SQLite, filepath.Join(t.TempDir(), "prove.db"))
	})
	base := storetest.PostgresURL()
	if base == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, store.Postgres, newPostgresDB(t)) })
}

// newPostgresDB creates an empty database on the test server, dropped when the test ends.
func newPostgresDB(t *testing.T) string {
	t.Helper()
	base := storetest.PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("manyi_prove_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// seedInvitations prepares a database with an open campaign of the current quarter and
// returns n fresh invitation codes, through the same area functions an administrator's
// clicks reach.
func seedInvitations(t *testing.T, dbURL string, n int) []string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := survey.SeedTemplates(ctx, db); err != nil {
		t.Fatal(err)
	}
	tpls, err := survey.ListTemplates(ctx, db)
	if err != nil || len(tpls) == 0 {
		t.Fatalf("templates: %v", err)
	}
	root, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "PROVE", Name: "可靠性验证物业公司", Kind: org.Company})
	if err != nil {
		t.Fatal(err)
	}
	const perArea = 20000 // a campaign's most households per unit
	in := survey.CampaignInput{Name: "可靠性验证", Quarter: survey.QuarterOf(time.Now()), TemplateID: tpls[0].ID}
	for i := 0; i*perArea < n; i++ {
		households, threshold := perArea, 3000
		a, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: fmt.Sprintf("PROVE-%d", i),
			Name: fmt.Sprintf("验证小区%d", i+1), Kind: org.Area, Households: &households, ThresholdBP: &threshold})
		if err != nil {
			t.Fatal(err)
		}
		in.Units = append(in.Units, survey.CampaignUnitInput{UnitID: a.ID})
	}
	c, err := survey.CreateCampaign(ctx, db, access.System, in)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, "SELECT code FROM survey_invitations WHERE campaign_id = ? ORDER BY id", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rand.Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
	return codes
}

type server struct {
	cmd     *exec.Cmd
	base    string
	started time.Time
	readyIn time.Duration
}

var freePort = func() func(t *testing.T, instance string) string {
	ports := map[string]string{}
	return func(t *testing.T, instance string) string {
		key := t.Name() + "/" + instance
		if p, ok := ports[key]; ok {
			return p // the same port across restarts, as behind a load balancer
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports[key] = l.Addr().String()
		return ports[key]
	}
}()

// startServer starts `manyi serve` and waits until /readyz answers 200.
func startServer(t *testing.T, bin, dbURL string) *server {
	t.Helper()
	return startInstance(t, bin, dbURL, "a")
}

// startInstance starts one of several instances of manyi on one database and waits until
// it is ready.
func startInstance(t *testing.T, bin, dbURL, instance string) *server {
	t.Helper()
	s := launch(t, bin, dbURL, instance)
	s.waitUp(t)
	return s
}

// launch starts `manyi serve` without waiting for it; the process is killed when the test
// ends if it still runs. Its log goes to the test's directory.
func launch(t *testing.T, bin, dbURL, instance string) *server {
	t.Helper()
	addr := freePort(t, instance)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dbURL, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "MANYI_ADMIN_PASSWORD=prove-admin-password-2026")
	cmd.Stdout = io.Discard
	logf, err := os.OpenFile(filepath.Join(logDir(t), "server-"+instance+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stderr = logf
	s := &server{cmd: cmd, base: "http://" + addr, started: time.Now()}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return s
}

// logDir is where the servers of a test write their logs: kept under the system's temporary
// directory so that a failed proof can be read afterwards.
func logDir(t *testing.T) string {
	dir := filepath.Join(os.TempDir(), "manyi-prove", strings.ReplaceAll(t.Name(), "/", "-"))
	if !logDirs[dir] {
		logDirs[dir] = true
		os.RemoveAll(dir) // an earlier run's logs
	}
	os.MkdirAll(dir, 0o755)
	return dir
}

var logDirs = map[string]bool{}

// waitUp waits until /readyz answers 200.
func (s *server) waitUp(t *testing.T) {
	t.Helper()
	deadline := s.started.Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.readyIn = time.Since(s.started)
				return
			}
		}
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			s.cmd.Wait()
			t.Fatalf("server not ready after 30 s (last: %v); its log is in %s", err, logDir(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop ends the server as an operator does, with SIGTERM.
func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

// residentClient is a phone on its own address: every connection leaves from a random
// loopback address (Linux answers on all of 127.0.0.0/8), so each resident has the
// rate-limit bucket a resident behind their own connection has.
func residentClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second,
		LocalAddr: &net.TCPAddr{IP: net.IPv4(127, byte(1+rand.IntN(250)), byte(rand.IntN(256)), byte(1+rand.IntN(250)))}}
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 1},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

var (
	inputRE = regexp.MustCompile(`<input[^>]*>`)
	attrRE  = regexp.MustCompile(`(name|value|type)="([^"]*)"`)
)

// fetchForm GETs a questionnaire and fills it as a resident would: the hidden fields as they
// are, the first choice of every radio group (the most satisfied level).
func fetchForm(hc *http.Client, base, code string) (map[string][]string, error) {
	resp, err := hc.Get(base + "/s/" + code)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /s/%s: %d", code, resp.StatusCode)
	}
	form := url.Values{}
	for _, in := range inputRE.FindAllString(string(body), -1) {
		a := map[string]string{}
		for _, m := range attrRE.FindAllStringSubmatch(in, -1) {
			a[m[1]] = m[2]
		}
		switch a["type"] {
		case "hidden":
			form.Set(a["name"], a["value"])
		case "radio":
			if !form.Has(a["name"]) {
				form.Set(a["name"], a["value"])
			}
		}
	}
	if form.Get("idem") == "" {
		return nil, fmt.Errorf("GET /s/%s: no idempotency key in the form", code)
	}
	return form, nil
}

func postForm(hc *http.Client, target string, form url.Values) (status int, location string, err error) {
	resp, err := hc.Post(target, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), nil
}
