// Package storetest opens real, migrated, throw-away databases for tests: an SQLite file in
// the test's temp dir always, and a fresh PostgreSQL schema when MANYI_TEST_POSTGRES names a
// server. Each test gets its own database or schema so tests can run in parallel.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"manyi/internal/store"
)

// PostgresURL is the server tests use, from MANYI_TEST_POSTGRES ("" when unset).
func PostgresURL() string { return os.Getenv("MANYI_TEST_POSTGRES") }

// Each runs fn once per available database, as subtests named by dialect.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	if PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
	}
}

// OpenSQLite returns a migrated SQLite database in a temp file.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "manyi.db"))
}

// URL returns a database URL for a fresh database of the dialect, for tests that start the
// whole program (which opens and migrates the database itself).
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.Postgres {
		return newSchema(t)
	}
	return filepath.Join(t.TempDir(), "manyi.db")
}

// OpenPostgres returns a migrated database in a new schema of the MANYI_TEST_POSTGRES server,
// dropped when the test ends.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, newSchema(t))
}

func newSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Fatal("MANYI_TEST_POSTGRES is not set")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, dbURL string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// AtOnce runs fn on n goroutines at once, as n instances sharing the database would, then
// once more after they have all finished, and returns the sum of what the runs counted: a job
// that is safe on several instances counts each thing once in all.
func AtOnce(t testing.TB, n int, fn func(context.Context) (int, error)) int {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for range n {
		wg.Go(func() {
			k, err := fn(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += k
			mu.Unlock()
		})
	}
	wg.Wait()
	k, err := fn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return total + k
}

// SQLitePlan returns the steps of SQLite's query plan for query, for tests that a list is
// read through its index. SQLite plans without statistics, as on a fresh or freshly loaded
// database, so the plan a test sees is the one production gets; PostgreSQL plans by its
// statistics, which tests cannot fix.
func SQLitePlan(t testing.TB, db *store.DB, query string, args ...any) []string {
	t.Helper()
	var steps []string
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		steps, err = store.All(context.Background(), tx, func(s store.Scanner) (string, error) {
			var id, parent, unused int
			var detail string
			return detail, s.Scan(&id, &parent, &unused, &detail)
		}, "EXPLAIN QUERY PLAN "+query, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return steps
}
