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
	postgres string // name of the template database
	dir      string
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
	if d == store.Postgres {
		return postgresCopy(t)
	}
	if demoTemplates.sqlite == "" {
		dir, err := os.MkdirTemp("", "manyi-demo-template-")
		if err != nil {
			t.Fatal(err)
		}
		demoTemplates.dir = dir
		m := loadDemo(t, filepath.Join(dir, "load.db"))
		tpl := filepath.Join(dir, "demo.db")
		err = m.DB.Backup(context.Background(), tpl) // VACUUM INTO: one self-contained file
		m.Close(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		demoTemplates.sqlite = tpl
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
func loadDemo(t testing.TB, dbURL string) *Main {
	t.Helper()
	m := &Main{
		Config: Config{Addr: "127.0.0.1:0", DB: dbURL, Demo: true, AdminPassword: testAdminPassword, NoJobs: true},
		Stdout: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := m.Open(context.Background()); err != nil {
		m.Close(context.Background())
		t.Fatalf("load the demo template: %v", err)
	}
	return m
}

func postgresCopy(t testing.TB) string {
	t.Helper()
	base := storetest.PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if demoTemplates.postgres == "" {
		name := "manyi_demo_" + randomHex()
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatalf("create the template database: %v", err)
		}
		demoTemplates.postgres = name
		m := loadDemo(t, withDatabase(t, base, name))
		m.Close(context.Background()) // a template may have no open connections
	}
	name := "manyi_test_" + randomHex()
	if _, err := admin.Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, demoTemplates.postgres)); err != nil {
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
	return withDatabase(t, base, name)
}

func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
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
	if demoTemplates.postgres != "" {
		if admin, err := sql.Open("pgx", storetest.PostgresURL()); err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + demoTemplates.postgres + " WITH (FORCE)")
			admin.Close()
		}
	}
}
