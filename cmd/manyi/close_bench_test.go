package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// rescan is a source as it was before running totals: it reads an earlier period's facts
// from the records, and the organisation tree anew for each, the baseline the benchmark
// compares with.
type rescan struct{ assessment.Source }

func (s rescan) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	q.Totals, q.Units = false, nil
	return s.Source.Facts(ctx, tx, q)
}

// BenchmarkMonthClose recomputes the demo's latest month close of unit-monthly and of
// maintainer-monthly with no earlier month of the year closed (their closes are marked
// superseded first), so every earlier month is gathered from the sources: "records" reads them
// by rescanning the records as before, "totals" from the running totals. One iteration is one
// Recompute of the whole close. MANYI_BENCH_DB names another database to close in instead of
// the demo (docs/benchmarks/close.sh gives a copy of the N=100 year: the benchmark changes its
// closes).
func BenchmarkMonthClose(b *testing.B) {
	given := os.Getenv("MANYI_BENCH_DB")
	sources := []assessment.Source{complaint.FactSource{}, workorder.FactSource{}, inspection.FactSource{}, survey.FactSource{}}
	actor := access.Principal{Username: "bench", Grants: []access.Grant{{Role: access.Clerk}, {Role: access.Committee}}}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		if given == "" && d == store.Postgres && storetest.PostgresURL() == "" || given != "" && strings.HasPrefix(given, "postgres") != (d == store.Postgres) {
			continue
		}
		for _, code := range []string{"unit-monthly", "maintainer-monthly"} {
			b.Run(string(d)+"/"+code, func(b *testing.B) {
				ctx := context.Background()
				url := given
				if url == "" {
					url = demoDB(b, d)
				}
				db, err := store.Open(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				var id int64
				var period string
				var status assessment.CloseStatus
				if err := db.InTx(ctx, func(tx *store.Tx) error {
					if err := tx.QueryRow(ctx, "SELECT id, period, status FROM assessment_closes WHERE scheme_code = ? AND superseded = ? ORDER BY period DESC LIMIT 1",
						code, false).Scan(&id, &period, &status); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, "UPDATE assessment_closes SET superseded = ? WHERE scheme_code = ? AND period <> ?", true, code, period)
					return err
				}); err != nil {
					b.Fatalf("the demo's latest %s close: %v", code, err)
				}
				if status != assessment.Draft {
					c, err := assessment.NewEngine(db, sources...).Reopen(ctx, actor, id, "benchmark")
					if err != nil {
						b.Fatal(err)
					}
					id = c.ID
				}
				old := make([]assessment.Source, len(sources))
				for i, s := range sources {
					old[i] = rescan{s}
				}
				for _, m := range []struct {
					name    string
					sources []assessment.Source
				}{{"records", old}, {"totals", sources}} {
					b.Run(m.name, func(b *testing.B) {
						e := assessment.NewEngine(db, m.sources...)
						b.Logf("%s %s", code, period)
						start := db.Statements()
						for b.Loop() {
							if _, err := e.Recompute(ctx, actor, id); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(db.Statements()-start)/float64(b.N), "queries/op")
					})
				}
			})
		}
	}
}

// BenchmarkWideClose starts a close over many subjects on a copy of the scale data
// (MANYI_BENCH_DB; skipped without it): unit-monthly 2026-11 over the whole organisation (unit
// 1) and maintainer-monthly 2026-10 over one maintenance centre (unit 39, MANYI_BENCH_CENTRE
// for another), with no earlier month of the year closed (the scheme's closes are marked
// superseded), then recomputes it. It reports the subjects and the queries of a recompute,
// which must not grow with the subjects.
func BenchmarkWideClose(b *testing.B) {
	url := os.Getenv("MANYI_BENCH_DB")
	if url == "" {
		b.Skip("MANYI_BENCH_DB names a copy of the scale data")
	}
	centre := int64(39)
	if s := os.Getenv("MANYI_BENCH_CENTRE"); s != "" {
		fmt.Sscan(s, &centre)
	}
	sources := []assessment.Source{complaint.FactSource{}, workorder.FactSource{}, inspection.FactSource{}, survey.FactSource{}}
	actor := access.Principal{Username: "bench", Grants: []access.Grant{{Role: access.Clerk}, {Role: access.Committee}}}
	for _, in := range []assessment.StartInput{{SchemeCode: "unit-monthly", Period: "2026-11", ParentUnitID: 1}, {SchemeCode: "maintainer-monthly", Period: "2026-10", ParentUnitID: centre}} {
		b.Run(in.SchemeCode, func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			e := assessment.NewEngine(db, sources...)
			var id int64
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "UPDATE assessment_closes SET superseded = ? WHERE scheme_code = ?", true, in.SchemeCode)
				if err != nil {
					return err
				}
				return tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM assessment_closes WHERE scheme_code = ? AND period = ?", in.SchemeCode, in.Period).Scan(&id)
			}); err != nil {
				b.Fatal(err)
			}
			if id != 0 {
				c, err := e.Reopen(ctx, actor, id, "benchmark")
				if err != nil {
					b.Fatal(err)
				}
				id = c.ID
			} else {
				c, err := e.Start(ctx, actor, in)
				if err != nil {
					b.Fatal(err)
				}
				id = c.ID
			}
			var subjects int
			if err := db.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, "SELECT COUNT(*) FROM assessment_results WHERE close_id = ?", id).Scan(&subjects)
			}); err != nil {
				b.Fatal(err)
			}
			start := db.Statements()
			for b.Loop() {
				if _, err := e.Recompute(ctx, actor, id); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(db.Statements()-start)/float64(b.N), "queries/op")
			b.ReportMetric(float64(subjects), "subjects")
		})
	}
}
