package prove

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"manyi/internal/store"
)

// TestBackupUnderLoad takes a backup the way the README tells an operator to (`manyi backup`
// on SQLite, pg_dump on PostgreSQL) while 32 residents answer, restores it into a fresh
// instance and checks that every answer acknowledged before the backup began is in it and that
// the restored instance serves. Then, with the source quiet, it backs up and restores again
// and compares the row count and a checksum of every table of the source and the restore.
func TestBackupUnderLoad(t *testing.T) {
	needProve(t)
	bin := buildManyi(t)
	eachDialect(t, func(t *testing.T, d store.Dialect, dbURL string) {
		dir := t.TempDir()
		res := newResidents(t, seedInvitations(t, dbURL, 20000))
		srv := startServer(t, bin, dbURL)
		stop := make(chan struct{})
		done := res.start(srv.base, 32, stop)
		waitAcked(t, res, 300)
		before := res.ackedNow()
		began := time.Now()
		hot := backup(t, bin, d, dbURL, filepath.Join(dir, "hot"))
		took := time.Since(began)
		during := len(res.ackedNow()) - len(before)
		close(stop)
		<-done
		srv.stop()
		if u := res.unexpected(); u != "" {
			t.Errorf("unexpected answers: %s", u)
		}

		restored := restore(t, d, hot, filepath.Join(dir, "hot-restored.db"))
		checkStored(t, "the restore of a backup under load", restored, before)
		srv2 := startServer(t, bin, restored)
		srv2.stop()

		quiet := backup(t, bin, d, dbURL, filepath.Join(dir, "quiet"))
		copied := restore(t, d, quiet, filepath.Join(dir, "quiet-restored.db"))
		want, got := tableSums(t, dbURL), tableSums(t, copied)
		for table, sum := range want {
			if got[table] != sum {
				t.Errorf("table %s: source %s, restore %s", table, sum, got[table])
			}
		}
		if len(got) != len(want) {
			t.Errorf("restore has %d tables, source %d", len(got), len(want))
		}
		t.Logf("PROVE backup %s: a backup under load took %v while %d more answers were acknowledged; all %d acknowledged before it are in its restore, which serves (ready in %v); a quiet backup restores all %d tables with equal counts and checksums",
			d, took.Round(time.Millisecond), during, len(before), srv2.readyIn.Round(time.Millisecond), len(want))
	})
}

func waitAcked(t *testing.T, r *residents, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(r.ackedNow()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d answers acknowledged in 30 s", len(r.ackedNow()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// backup writes a backup of dbURL to path as the README says, and returns the file.
func backup(t *testing.T, bin string, d store.Dialect, dbURL, path string) string {
	t.Helper()
	var cmd *exec.Cmd
	if d == store.SQLite {
		cmd = exec.Command(bin, "backup", "--db", dbURL, path)
	} else {
		cmd = exec.Command("pg_dump", "-Fc", "-f", path, dbURL)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return path
}

// restore puts a backup into a new database and returns its URL: a copy of the file on
// SQLite, pg_restore into a new database on PostgreSQL.
func restore(t *testing.T, d store.Dialect, backup, sqlitePath string) string {
	t.Helper()
	if d == store.SQLite {
		b, err := os.ReadFile(backup)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(sqlitePath, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return sqlitePath
	}
	target := newPostgresDB(t)
	if out, err := exec.Command("pg_restore", "--no-owner", "-d", target, backup).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	return target
}

// tableSums is, for every table, its row count and a SHA-256 over its rows in a canonical
// order (each row's columns as text, the rows' hashes sorted).
func tableSums(t *testing.T, dbURL string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	readOnly(t, dbURL, func(ctx context.Context, tx *store.Tx, d store.Dialect) {
		q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
		if d == store.Postgres {
			q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
		}
		var tables []string
		rows, err := tx.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			tables = append(tables, name)
		}
		rows.Close()
		for _, table := range tables {
			rows, err := tx.Query(ctx, "SELECT * FROM "+table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			var rowSums []string
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatalf("%s: %v", table, err)
				}
				h := sha256.New()
				for _, v := range vals {
					fmt.Fprintf(h, "%t\x1f%s\x1e", v.Valid, v.String)
				}
				rowSums = append(rowSums, hex.EncodeToString(h.Sum(nil)))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			sort.Strings(rowSums)
			all := sha256.Sum256([]byte(strings.Join(rowSums, "")))
			sums[table] = fmt.Sprintf("%d rows %x", len(rowSums), all[:8])
		}
	})
	return sums
}

func readOnly(t *testing.T, dbURL string, fn func(ctx context.Context, tx *store.Tx, d store.Dialect)) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	fn(ctx, tx, db.Dialect)
}

// checkStored reads the database (with no server writing to it): every acknowledged answer
// is stored exactly once, and an SQLite file passes its integrity check.
func checkStored(t *testing.T, when, dbURL string, acked map[string]bool) {
	t.Helper()
	stored := map[string]int{}
	readOnly(t, dbURL, func(ctx context.Context, tx *store.Tx, d store.Dialect) {
		if d == store.SQLite {
			var ok string
			if err := tx.QueryRow(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
				t.Fatalf("%s: integrity_check: %q %v", when, ok, err)
			}
		}
		rows, err := tx.Query(ctx, `SELECT i.code, COUNT(a.id) FROM survey_invitations i
			JOIN survey_answers a ON a.invitation_id = i.id GROUP BY i.code`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
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
	})
	for code := range acked {
		switch n := stored[code]; {
		case n == 0:
			t.Errorf("%s: the answer to %s was acknowledged but is not stored", when, code)
		case n > 1:
			t.Errorf("%s: the answer to %s is stored %d times", when, code, n)
		}
	}
}
