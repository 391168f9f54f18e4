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
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Read(ctx, func(tx *store.Tx) error {
			if tx.Dialect() == store.Postgres {
				var def string
				if err := tx.QueryRow(ctx, "SELECT indexdef FROM pg_indexes WHERE indexname = ?", "workorder_tasks_maintainer_self").Scan(&def); err != nil {
					return err
				}
				if !strings.Contains(def, "(maintainer_id, kind, outcome, day)") {
					t.Errorf("index workorder_tasks_maintainer_self: %s", def)
				}
				return nil
			}
			in, _ := tx.AnyOf("s.maintainer_id", make([]int64, 500))
			rows, err := tx.Query(ctx, "EXPLAIN QUERY PLAN "+ratedPairsQuery+in, "2026-11-01", "2026-12-01")
			if err != nil {
				return err
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
			}
			if len(plan) == 0 || !strings.Contains(plan[0], "SEARCH s USING INDEX workorder_tasks_maintainer_self") {
				t.Errorf("the rated pairs' plan does not start from the maintainer's index:\n%s", strings.Join(plan, "\n"))
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
