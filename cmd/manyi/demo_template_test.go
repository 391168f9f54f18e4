package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"manyi/internal/auth"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// The end-to-end tests each start manyi on their own database holding the demo. Loading the
// demo goes through every area's validated, audited functions and takes seconds (tens of
// seconds on PostgreSQL), so each test binary loads it once per dialect, into a template,
// and gives every test a fresh copy: a file copy on SQLite, CREATE DATABASE … TEMPLATE on
// PostgreSQL. The copies are real databases; only the loading is shared.
//
// Tests run in parallel, so no test waits for a template while holding the lock: SQLite tests
// get their copies while the PostgreSQL template is still loading.
var demoTemplates struct {
	sync.Mutex // guards starting the loads and dir
	dir        string
	sqlite     struct {
		once sync.Once
		path string // the template file, set when the load succeeded
		err  error  // why the load failed
	}
	postgres struct {
		copying sync.Mutex         // one CREATE DATABASE … TEMPLATE at a time
		done    chan struct{}      // closed when the load has ended; nil until it starts
		cancel  context.CancelFunc // stops a load no test waited for
		name    string             // the template database, set before it is created
		err     error              // why the load failed, read after done
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	dropDemoTemplates()
	os.Exit(code)
}

// demoDB returns the URL of a fresh database of the dialect that already holds the demo.
func demoDB(t testing.TB, d store.Dialect) string {
	t.Helper()
	demoTemplates.Lock()
	startPostgresTemplate()
	demoTemplates.Unlock()
	if d == store.Postgres {
		return postgresCopy(t)
	}
	tmpl := &demoTemplates.sqlite
	tmpl.once.Do(func() { tmpl.path, tmpl.err = loadSQLiteTemplate() }) // the other tests wait here
	if tmpl.err != nil {
		t.Fatalf("load the demo template: %v", tmpl.err)
	}
	data, err := os.ReadFile(tmpl.path)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "manyi.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadSQLiteTemplate loads the demo into a new SQLite file and returns its path.
func loadSQLiteTemplate() (string, error) {
	dir, err := os.MkdirTemp("", "manyi-demo-template-")
	if err != nil {
		return "", err
	}
	demoTemplates.Lock()
	demoTemplates.dir = dir
	demoTemplates.Unlock()
	m, err := loadDemo(context.Background(), filepath.Join(dir, "load.db"))
	if err == nil {
		err = m.DB.Backup(context.Background(), filepath.Join(dir, "demo.db")) // VACUUM INTO: one self-contained file
	}
	m.Close(context.Background())
	return filepath.Join(dir, "demo.db"), err
}

// demoPasswordCost is the argon2id cost of the template's accounts. Every test logs in, some
// as every role, and at the production cost those logins were a sixth of the test binary's
// CPU; a hash carries its own cost, so the server checks these as cheaply as they were set.
// What the tests exercise is the accounts, not the hash's strength (internal/auth tests that).
var demoPasswordCost = auth.Cost{Memory: 64, Time: 1, Threads: 1}

// loadDemo runs manyi once on dbURL with the demo, stopping it again; the caller closes it.
func loadDemo(ctx context.Context, dbURL string) (*Main, error) {
	m := &Main{
		Config: Config{Addr: "127.0.0.1:0", DB: dbURL, Demo: true, AdminPassword: testAdminPassword, NoJobs: true},
		Stdout: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return m, m.Open(auth.WithCost(ctx, demoPasswordCost))
}

// startPostgresTemplate starts loading the PostgreSQL template in the background, once, when
// the first test asks for a demo database of either dialect. The PostgreSQL load spends its
// time waiting on round trips to the server, the SQLite load on the CPU, so the two overlap
// instead of adding up. The caller holds demoTemplates' lock.
func startPostgresTemplate() {
	pg := &demoTemplates.postgres
	if pg.done != nil || storetest.PostgresURL() == "" {
		return
	}
	pg.done = make(chan struct{})
	pg.name = "manyi_demo_" + randomHex()
	ctx, cancel := context.WithCancel(context.Background())
	pg.cancel = cancel
	go func(name string) {
		defer close(pg.done)
		pg.err = loadPostgresTemplate(ctx, name)
	}(pg.name)
}

func loadPostgresTemplate(ctx context.Context, name string) error {
	base := storetest.PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create the template database: %w", err)
	}
	dbURL, err := withDatabase(base, name)
	if err != nil {
		return err
	}
	m, err := loadDemo(ctx, dbURL)
	m.Close(context.Background()) // a template may have no open connections
	return err
}

// postgresCopy waits for the template and copies it.
func postgresCopy(t testing.TB) string {
	t.Helper()
	pg := &demoTemplates.postgres
	demoTemplates.Lock()
	done := pg.done
	demoTemplates.Unlock()
	if done == nil {
		t.Fatal("MANYI_TEST_POSTGRES is not set")
	}
	<-done
	if pg.err != nil {
		t.Fatalf("load the demo template: %v", pg.err)
	}
	base := storetest.PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "manyi_test_" + randomHex()
	pg.copying.Lock()
	_, err = admin.Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, pg.name))
	pg.copying.Unlock()
	if err != nil {
		t.Fatalf("copy the demo database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	dbURL, err := withDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return dbURL
}

func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func dropDemoTemplates() {
	if demoTemplates.dir != "" {
		os.RemoveAll(demoTemplates.dir)
	}
	if pg := &demoTemplates.postgres; pg.done != nil {
		pg.cancel() // when only SQLite tests ran, the PostgreSQL template is not waited for
		<-pg.done
		if admin, err := sql.Open("pgx", storetest.PostgresURL()); err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + pg.name + " WITH (FORCE)")
			admin.Close()
		}
	}
}
