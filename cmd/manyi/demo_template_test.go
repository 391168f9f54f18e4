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

	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// The end-to-end tests each start manyi on their own database holding the demo. Loading the
// demo goes through every area's validated, audited functions and takes seconds (tens of
// seconds on PostgreSQL), so each test binary loads it once per dialect, into a template,
// and gives every test a fresh copy: a file copy on SQLite, CREATE DATABASE … TEMPLATE on
// PostgreSQL. The copies are real databases; only the loading is shared.
var demoTemplates struct {
	sync.Mutex
	sqlite   string // path of the template file
	dir      string
	postgres struct {
		done   chan struct{}      // closed when the load has ended; nil until it starts
		cancel context.CancelFunc // stops a load no test waited for
		name   string             // the template database, set before it is created
		err    error              // why the load failed, read after done
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
	defer demoTemplates.Unlock()
	startPostgresTemplate()
	if d == store.Postgres {
		return postgresCopy(t)
	}
	if demoTemplates.sqlite == "" {
		dir, err := os.MkdirTemp("", "manyi-demo-template-")
		if err != nil {
			t.Fatal(err)
		}
		demoTemplates.dir = dir
		m, err := loadDemo(context.Background(), filepath.Join(dir, "load.db"))
		if err == nil {
			err = m.DB.Backup(context.Background(), filepath.Join(dir, "demo.db")) // VACUUM INTO: one self-contained file
		}
		m.Close(context.Background())
		if err != nil {
			t.Fatalf("load the demo template: %v", err)
		}
		demoTemplates.sqlite = filepath.Join(dir, "demo.db")
	}
	data, err := os.ReadFile(demoTemplates.sqlite)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "manyi.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadDemo runs manyi once on dbURL with the demo, stopping it again; the caller closes it.
func loadDemo(ctx context.Context, dbURL string) (*Main, error) {
	m := &Main{
		Config: Config{Addr: "127.0.0.1:0", DB: dbURL, Demo: true, AdminPassword: testAdminPassword, NoJobs: true},
		Stdout: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return m, m.Open(ctx)
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

// postgresCopy waits for the template and copies it; the caller holds demoTemplates' lock.
func postgresCopy(t testing.TB) string {
	t.Helper()
	pg := &demoTemplates.postgres
	if pg.done == nil {
		t.Fatal("MANYI_TEST_POSTGRES is not set")
	}
	<-pg.done
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
	if _, err := admin.Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, pg.name)); err != nil {
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
