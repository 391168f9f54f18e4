package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/demo"
	"manyi/internal/inspection"
	"manyi/internal/locale"
	"manyi/internal/report"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// BenchmarkReports builds, as the clerk, the monthly report of last month and the quarterly
// report of the last quarter (the first of each that /reports offers), as the page reads them
// ("page") and written to XLSX ("xlsx"). It reports the statements each build sends
// (stmts/op): the figure that must not grow with the units. MANYI_BENCH_DB names another
// database to read instead of the demo (docs/benchmarks/staff.sh's copy of the scale data);
// the benchmark only reads.
func BenchmarkReports(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		env := reportEnv(db)
		month := demoMonth(-1)
		for _, r := range []struct {
			kind   report.Kind
			period string
		}{{report.Monthly, month}, {report.Quarterly, previousQuarter(month)}} {
			for _, form := range []string{"page", "xlsx"} {
				b.Run(string(r.kind)+"/"+form, func(b *testing.B) {
					var units int
					before := db.Statements()
					for b.Loop() {
						rep, err := buildReport(ctx, env, r.kind, r.period)
						if err != nil {
							b.Fatal(err)
						}
						units = reportUnits(rep)
						if form == "xlsx" {
							if err := report.WriteXLSX(io.Discard, rep, "bench"); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.ReportMetric(float64(db.Statements()-before)/float64(b.N), "stmts/op")
					b.ReportMetric(float64(units), "rows")
					b.Logf("%s %s", r.kind, r.period)
				})
			}
		}
	})
}

// eachBenchDB runs fn as a sub-benchmark on each dialect benchDB offers, with the database
// opened (not migrated: the scale copies are migrated by scale-data.sh).
func eachBenchDB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		url, ok := benchDB(d)
		if !ok {
			continue
		}
		b.Run(string(d), func(b *testing.B) {
			db, err := store.Open(context.Background(), url(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			fn(b, db)
		})
	}
}

// benchDB says whether a benchmark runs on dialect d, and the database it reads: the one
// MANYI_BENCH_DB names when it is of d, else a fresh copy of the demo.
func benchDB(d store.Dialect) (url func(testing.TB) string, ok bool) {
	given := os.Getenv("MANYI_BENCH_DB")
	if given != "" {
		return func(testing.TB) string { return given }, strings.HasPrefix(given, "postgres") == (d == store.Postgres)
	}
	return func(tb testing.TB) string { return demoDB(tb, d) }, d == store.SQLite || storetest.PostgresURL() != ""
}

// reportEnv is what the web gives a report: the database and the engine over every source.
func reportEnv(db *store.DB) report.Env {
	return report.Env{DB: db, Zone: demo.Zone,
		Assess: assessment.NewEngine(db, complaint.FactSource{}, workorder.FactSource{}, inspection.FactSource{}, survey.FactSource{})}
}

// buildReport builds the report of kind and period as the demo clerk reads it, in Chinese.
func buildReport(ctx context.Context, env report.Env, kind report.Kind, period string) (report.Report, error) {
	if kind == report.Monthly {
		return report.BuildMonthly(ctx, env, reportClerk, locale.ZH, period)
	}
	return report.BuildQuarterly(ctx, env, reportClerk, locale.ZH, period)
}

// reportUnits is the number of rows of a report's main table (the units of the monthly
// report, the spot-check rows of the quarterly one): the size it grows with.
func reportUnits(rep report.Report) int {
	for _, s := range rep.Sections {
		for _, t := range s.Tables {
			if t.ID == "unit-results" || t.ID == "checks-table" {
				return len(t.Rows)
			}
		}
	}
	return 0
}

// previousQuarter is the quarter before the one month ("2026-11") is in.
func previousQuarter(month string) string {
	t, _ := time.Parse("2006-01", month)
	return quarterOf(t.AddDate(0, -3, 0).Format("2006-01"))
}
