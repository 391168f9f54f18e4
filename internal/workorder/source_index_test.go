package workorder

import (
	"context"
	"strings"
	"testing"

	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestRatedPairsIndex: a month close reads its maintainers' rated pairs through the index made
// for them, not through (outcome, day), which reads every maintainer's tasks of the month for
// each one (3 s instead of 0.27 s a close over the N=10 year, docs/benchmarks.md). SQLite plans
// without statistics, as on a fresh or loaded database, so its plan is checked; PostgreSQL's
// plan follows its statistics, so there the index is checked to exist.
func TestRatedPairsIndex(t *testing.T) {
	checkIndex(t, "workorder_tasks_maintainer_self", "(maintainer_id, kind, outcome, day)",
		"SEARCH s USING INDEX workorder_tasks_maintainer_self", func(tx *store.Tx) (string, []any) {
			in, _ := tx.AnyOf("s.maintainer_id", make([]int64, 500)) // a centre's maintainers
			return ratedPairsQuery + in, []any{"2026-11-01", "2026-12-01"}
		})
}

// TestOrderListIndex: the work-order list reads a page of the newest orders from the end of
// (reported_at, id) instead of sorting every order (docs/benchmarks.md, "lists").
func TestOrderListIndex(t *testing.T) {
	checkIndex(t, "work_orders_reported", "(reported_at, id)",
		"SCAN o USING INDEX work_orders_reported", func(*store.Tx) (string, []any) {
			return "SELECT o.id" + orderFrom + " WHERE 1 = 1 ORDER BY o.reported_at DESC, o.id DESC LIMIT ?", []any{51}
		})
}

// checkIndex checks that SQLite's plan of the query starts with plan, and that PostgreSQL has
// the index name on cols.
func checkIndex(t *testing.T, name, cols, plan string, query func(*store.Tx) (string, []any)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Read(ctx, func(tx *store.Tx) error {
			if tx.Dialect() == store.Postgres {
				var def string
				if err := tx.QueryRow(ctx, "SELECT indexdef FROM pg_indexes WHERE indexname = ?", name).Scan(&def); err != nil {
					return err
				}
				if !strings.Contains(def, cols) {
					t.Errorf("index %s: %s", name, def)
				}
				return nil
			}
			q, args := query(tx)
			steps := storetest.SQLitePlan(t, db, q, args...)
			if len(steps) == 0 || !strings.Contains(steps[0], plan) {
				t.Errorf("the plan does not start with %q:\n%s", plan, strings.Join(steps, "\n"))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
