package audit_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// BenchmarkRecord measures writing transactions that each append one audit entry, as every
// change in manyi does, with 1 and with 16 concurrent writers. With the old head row the
// 16 writers queued on one row lock; without it they should scale with the database. It runs
// on PostgreSQL only (MANYI_TEST_POSTGRES): SQLite has one writer whatever the audit log does.
//
// work=1ms keeps each transaction open a millisecond after its entry (pg_sleep), as a real
// change does while it writes its records: a lock taken by the append is then held that long.
//
//	go test -run '^$' -bench BenchmarkRecord -benchtime 3s ./internal/audit/
func BenchmarkRecord(b *testing.B) {
	if storetest.PostgresURL() == "" {
		b.Skip("needs MANYI_TEST_POSTGRES")
	}
	for _, c := range []struct {
		writers int
		work    string
	}{{1, "0"}, {16, "0"}, {1, "1ms"}, {16, "1ms"}} {
		writers := c.writers
		b.Run(fmt.Sprintf("work=%s/writers=%d", c.work, writers), func(b *testing.B) {
			db := storetest.OpenPostgres(b)
			ctx := context.Background()
			// RunParallel starts parallelism × GOMAXPROCS goroutines.
			b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			if writers == 1 {
				runtime.GOMAXPROCS(1)
				defer runtime.GOMAXPROCS(runtime.NumCPU())
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					err := db.InTx(ctx, func(tx *store.Tx) error {
						if err := audit.Record(ctx, tx, access.System, audit.Change{Action: "update", Entity: "score", EntityID: 1, After: map[string]int{"score": 95}}); err != nil {
							return err
						}
						if c.work == "1ms" {
							_, err := tx.Exec(ctx, "SELECT pg_sleep(0.001)")
							return err
						}
						return nil
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}
