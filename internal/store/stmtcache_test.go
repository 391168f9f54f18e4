package store_test

import (
	"context"
	"fmt"
	"testing"

	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// The statement cache must give the same answers as the driver: a query run again while its
// first rows are still open, more distinct statements than the cache holds, and a statement
// run again after the table under it changed.
func TestStatementCache(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE cache_probe (n INTEGER)"); err != nil {
			return err
		}
		for i := 1; i <= 3; i++ {
			if _, err := tx.Exec(ctx, "INSERT INTO cache_probe (n) VALUES (?)", i); err != nil {
				return err
			}
		}
		const q = "SELECT n FROM cache_probe WHERE n >= ? ORDER BY n"
		outer, err := tx.Query(ctx, q, 1)
		if err != nil {
			return err
		}
		defer outer.Close()
		var pairs []string
		for outer.Next() {
			var n int
			if err := outer.Scan(&n); err != nil {
				return err
			}
			inner, err := tx.Query(ctx, q, n) // same SQL while outer is open
			if err != nil {
				return err
			}
			for inner.Next() {
				var m int
				inner.Scan(&m)
				pairs = append(pairs, fmt.Sprint(n, m))
			}
			inner.Close()
		}
		if got := fmt.Sprint(pairs); got != "[1 1 1 2 1 3 2 2 2 3 3 3]" {
			return fmt.Errorf("nested queries = %s", got)
		}
		for i := range 600 { // more than the cache holds
			var n int
			if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT %d + COUNT(*) FROM cache_probe", i)).Scan(&n); err != nil || n != i+3 {
				return fmt.Errorf("query %d = %d, %v", i, n, err)
			}
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM cache_probe").Scan(&n); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ALTER TABLE cache_probe ADD COLUMN m INTEGER NOT NULL DEFAULT 7"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO cache_probe (n) VALUES (?)", 4); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM cache_probe").Scan(&n); err != nil || n != 4 {
			return fmt.Errorf("count after ALTER = %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
