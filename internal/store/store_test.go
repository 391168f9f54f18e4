package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' FROM t WHERE a = ?", "SELECT '?' FROM t WHERE a = $1"},
	}
	for _, tt := range tests {
		if got := store.Rebind(store.Postgres, tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := store.Rebind(store.SQLite, tt.in); got != tt.in {
			t.Errorf("Rebind(sqlite, %q) changed the query to %q", tt.in, got)
		}
	}
}

func TestMigrateIsIdempotentAndCurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second Migrate applied %v again", applied)
		}
		pending, err := db.Pending(ctx)
		if err != nil || len(pending) != 0 {
			t.Fatalf("Pending = %v, %v; want none", pending, err)
		}
	})
}

func TestRollbackLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", "X", "X", "company", tx.Now, tx.Now); err != nil {
				return err
			}
			// A duplicate code fails the transaction after the first insert succeeded.
			_, err := tx.Exec(ctx, "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", "X", "Y", "company", tx.Now, tx.Now)
			return err
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("err = %v, want a unique violation", err)
		}
		var n int
		db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT COUNT(*) FROM units").Scan(&n) })
		if n != 0 {
			t.Fatalf("%d units after a rolled-back transaction", n)
		}
	})
}

// TestAll reads every row in order, lets the transaction write next (the rows are closed) and
// passes a scan's error on.
func TestAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		code := func(r store.Scanner) (c string, err error) { return c, r.Scan(&c) }
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, c := range []string{"B", "A", "C"} {
				if _, err := tx.Exec(ctx, "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", c, c, "company", tx.Now, tx.Now); err != nil {
					return err
				}
			}
			codes, err := store.All(ctx, tx, code, "SELECT code FROM units WHERE code <> ? ORDER BY code", "C")
			if err != nil {
				return err
			}
			if !slices.Equal(codes, []string{"A", "B"}) {
				t.Errorf("codes = %v, want [A B]", codes)
			}
			if _, err := tx.Exec(ctx, "UPDATE units SET name = ? WHERE code = ?", "changed", "A"); err != nil {
				return err
			}
			none, err := store.All(ctx, tx, code, "SELECT code FROM units WHERE code = ?", "Z")
			if err != nil || len(none) != 0 {
				t.Errorf("no rows: %v, %v", none, err)
			}
			bad := errors.New("unreadable")
			if _, err := store.All(ctx, tx, func(store.Scanner) (string, error) { return "", bad }, "SELECT code FROM units"); !errors.Is(err, bad) {
				t.Errorf("scan error = %v, want %v", err, bad)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json)
				VALUES (?, 'a', 'create', 'unit', '1', '{}', '{}')`, tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"UPDATE audit_log SET actor = 'b'", "DELETE FROM audit_log"} {
			err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err })
			if err == nil {
				t.Errorf("%s succeeded on the append-only audit log", q)
			}
		}
	})
}
