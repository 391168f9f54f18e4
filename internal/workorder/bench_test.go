package workorder_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// benchOrg makes a centre of teams×perTeam maintainers, 10 dispatchers and 3 managers, and
// returns the maintainers' ids with their teams. People and units go in with plain SQL: the
// org functions audit each row, which would dominate the set-up.
func benchOrg(b *testing.B, db *store.DB, teams, perTeam int) (maint [][2]int64) {
	b.Helper()
	ctx := context.Background()
	centre, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "C", Name: "中心", Kind: org.Department})
	if err != nil {
		b.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		person := func(unit int64, name string, role access.Role) (int64, error) {
			id, err := tx.InsertID(ctx, "INSERT INTO people (unit_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)", unit, name, tx.Now, tx.Now)
			if err != nil {
				return 0, err
			}
			_, err = tx.Exec(ctx, "INSERT INTO role_assignments (person_id, role, unit_id, created_at) VALUES (?, ?, ?, ?)", id, role, unit, tx.Now)
			return id, err
		}
		for i := range teams {
			team, err := tx.InsertID(ctx, "INSERT INTO units (parent_id, code, name, kind, created_at, updated_at) VALUES (?, ?, ?, 'team', ?, ?)",
				centre.ID, fmt.Sprintf("T%d", i), fmt.Sprintf("班组%d", i), tx.Now, tx.Now)
			if err != nil {
				return err
			}
			for j := range perTeam {
				id, err := person(team, fmt.Sprintf("维修人%d-%d", i, j), access.Staff)
				if err != nil {
					return err
				}
				maint = append(maint, [2]int64{id, team})
			}
		}
		for i := range 13 {
			role := access.Dispatcher
			if i >= 10 {
				role = access.Manager
			}
			if _, err := person(centre.ID, fmt.Sprintf("回访%d", i), role); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return maint
}

// bulk inserts rows of values into table, 400 rows a statement.
func bulk(b *testing.B, tx *store.Tx, table, cols string, n int, row func(i int) []any) {
	b.Helper()
	ctx := context.Background()
	width := strings.Count(cols, ",") + 1
	ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for start := 0; start < n; start += 400 {
		end := min(n, start+400)
		var args []any
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(ph+", ", end-start), ", ")
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
}

const orderCols = "source, reporter, phone, location, device, fault, team_id, maintainer_id, reported_at, closed_at, close_day, cause, measures, created_at, updated_at"

func orderRow(m [2]int64, closed time.Time) []any {
	return []any{"hotline", "报修人", "13800000000", "地点", "设备", "故障", m[1], m[0], closed.Add(-time.Hour), closed, workorder.DayOf(closed), "原因", "措施", closed, closed}
}

// BenchmarkGenerate draws a day's tasks for 20,000 closed orders (200 maintainers).
func BenchmarkGenerate(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		maint := benchOrg(b, db, 20, 10)
		day := time.Date(2026, 10, 15, 10, 0, 0, 0, workorder.Zone)
		db.Now = func() time.Time { return day.AddDate(0, 0, 1) }
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			bulk(b, tx, "work_orders", orderCols, 20000, func(i int) []any { return orderRow(maint[i%len(maint)], day) })
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			res, err := workorder.Generate(ctx, db, access.System, "2026-10-15")
			if err != nil || res.Orders != 20000 || res.Managers != 2000 {
				b.Fatalf("%+v %v", res, err)
			}
			b.StopTimer()
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, "DELETE FROM workorder_tasks"); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "DELETE FROM workorder_draws")
				return err
			}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}

// BenchmarkMonthly computes a month's maintainer and team scores over 1,000,000 evaluated
// orders (1,000 maintainers in 200 teams, 1,000 orders each), from the running aggregate.
func BenchmarkMonthly(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		maint := benchOrg(b, db, 200, 5)
		const n = 1_000_000
		start := time.Date(2026, 10, 1, 10, 0, 0, 0, workorder.Zone)
		scores := []int{10, 10, 10, 8, 10, 6, 10, 8}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			bulk(b, tx, "workorder_draws", "day, batch, seed, inputs_json, created_by, created_at", 31, func(i int) []any {
				return []any{start.AddDate(0, 0, i).Format(time.DateOnly), 1, i, "[]", "bench", start}
			})
			bulk(b, tx, "work_orders", orderCols, n, func(i int) []any { return orderRow(maint[i%len(maint)], start.AddDate(0, 0, i%31)) })
			taskCols := "order_id, draw_id, kind, role, assignee_id, maintainer_id, team_id, day, due_at, outcome, score, version, created_at"
			var first int64
			if err := tx.QueryRow(ctx, "SELECT MIN(id) FROM work_orders").Scan(&first); err != nil {
				return err
			}
			var firstDraw, caller int64
			if err := tx.QueryRow(ctx, "SELECT MIN(id) FROM workorder_draws").Scan(&firstDraw); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, "SELECT MIN(person_id) FROM role_assignments WHERE role = 'dispatcher'").Scan(&caller); err != nil {
				return err
			}
			bulk(b, tx, "workorder_tasks", taskCols, 2*n, func(j int) []any {
				i, m, d := j/2, maint[(j/2)%len(maint)], start.AddDate(0, 0, (j/2)%31)
				if j%2 == 0 {
					return []any{first + int64(i), firstDraw + int64(i%31), "self", "foreman", nil, m[0], m[1], workorder.DayOf(d), d, "rated", scores[i%len(scores)], 1, d}
				}
				return []any{first + int64(i), firstDraw + int64(i%31), "callback", "dispatcher", caller, m[0], m[1], workorder.DayOf(d), d, "rated", scores[(i/3)%len(scores)], 1, d}
			})
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if db.Dialect == store.Postgres {
			// Autovacuum would gather the statistics later; the rebuild's join needs them now.
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "ANALYZE work_orders, workorder_tasks")
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
		// The running aggregate is kept by each rating; rows inserted underneath need a rebuild.
		t0 := time.Now()
		if err := workorder.RebuildPairs(ctx, db, "2026-10"); err != nil {
			b.Fatal(err)
		}
		b.Logf("RebuildPairs over 1,000,000 evaluated orders: %v", time.Since(t0).Round(time.Millisecond))
		for b.Loop() {
			r, err := workorder.Monthly(ctx, db, access.System, "2026-10", 0)
			if err != nil || len(r.Maintainers) != 1000 || r.Maintainers[0].Evaluated != 1000 {
				b.Fatalf("%d maintainers, %v", len(r.Maintainers), err)
			}
		}
	})
}

// eachDB runs a benchmark on SQLite and, with MANYI_TEST_POSTGRES, on PostgreSQL.
func eachDB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.OpenSQLite(b)) })
	if storetest.PostgresURL() != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, storetest.OpenPostgres(b)) })
	}
}
