package main

import (
	"context"
	"testing"
	"time"

	"manyi/internal/store"
	"manyi/internal/survey"
)

// BenchmarkNightlyPurge runs the survey retention purge on a database once to catch up (the
// first start after a year of answers; not timed, logged) and then as every night after it,
// with nothing new to purge: that run's time is the writer the purge holds each night.
// MANYI_BENCH_DB names the scale data's copy; the benchmark changes it (it purges).
func BenchmarkNightlyPurge(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		start := time.Now()
		n, err := survey.Purge(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("catching up: %d answers purged in %s", n, time.Since(start).Round(time.Millisecond))
		before := db.Statements()
		for b.Loop() {
			if _, err := survey.Purge(ctx, db); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(db.Statements()-before)/float64(b.N), "stmts/op")
	})
}
