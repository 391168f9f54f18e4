package store_test

import (
	"context"
	"errors"
	"testing"

	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestBatch checks that transactions in a batch behave as alone — a refused one undoes only
// itself, reads see the batch's writes — and that the batch commits all or nothing.
func TestBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(db *store.DB, code string) error {
			return db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", code, code, "company", tx.Now, tx.Now)
				return err
			})
		}
		codes := func(db *store.DB) (n int) {
			t.Helper()
			if err := db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT COUNT(*) FROM units").Scan(&n) }); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := db.Batch(ctx, func(b *store.DB) error {
			if err := insert(b, "A"); err != nil {
				return err
			}
			// A duplicate, refused after its first row was written: only its own rows go.
			err := b.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", "B", "B", "company", tx.Now, tx.Now); err != nil {
					return err
				}
				return insert(b, "A")
			})
			if !store.IsUniqueViolation(err) {
				t.Errorf("duplicate in a batch: err = %v, want a unique violation", err)
			}
			if err := insert(b, "C"); err != nil {
				return err
			}
			if n := codes(b); n != 2 {
				t.Errorf("the batch reads %d units, want A and C", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := codes(db); n != 2 {
			t.Fatalf("%d units after the batch, want A and C", n)
		}
		failed := errors.New("stop")
		err = db.Batch(ctx, func(b *store.DB) error {
			if err := insert(b, "D"); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("failed batch: err = %v", err)
		}
		if n := codes(db); n != 2 {
			t.Fatalf("%d units after a failed batch, want its insert undone", n)
		}

		// Over several chunks: each commits, and a failure keeps the chunks before it.
		defer store.SetBatchChunk(db.Dialect, 3)()
		err = db.Batch(ctx, func(b *store.DB) error {
			for _, code := range []string{"E1", "E2", "E3", "E4", "E5", "E6", "E7"} {
				if err := insert(b, code); err != nil {
					return err
				}
				if n := codes(b); n != 2+int(code[1]-'0') {
					t.Errorf("after %s the batch reads %d units", code, n)
				}
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("chunked batch: err = %v", err)
		}
		if n := codes(db); n != 2+6 {
			t.Fatalf("%d units after a failed chunked batch, want the first two chunks (6 inserts) kept", n)
		}
	})
}
