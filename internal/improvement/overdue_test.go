package improvement_test

import (
	"context"
	"testing"
	"time"

	"manyi/internal/improvement"
	"manyi/internal/overdue"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/webhook/webhooktest"
)

// TestOverdueAnnounced (#17): an item due on the 16th is not announced on the 16th; on the
// 17th (China time) sweeps on several instances at once announce it once, signed, to the
// endpoint subscribed to improvement.overdue; a later sweep announces nothing; a due day
// moved later is announced again once it has passed, and a finished item never.
func TestOverdueAnnounced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rx := webhooktest.New(t, db, "improvement.overdue")
		it, err := improvement.RaiseDirect(ctx, db, f.headB, improvement.Input{UnitID: f.b.ID, Title: "库房整理", Problem: "库房杂乱", Owner: "乙部", DueOn: "2026-10-16"})
		if err != nil {
			t.Fatal(err)
		}
		done, err := improvement.RaiseDirect(ctx, db, f.headB, improvement.Input{UnitID: f.b.ID, Title: "消防通道", Problem: "堆物", Owner: "乙部", DueOn: "2026-10-16"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := improvement.Report(ctx, db, f.headB, done.ID, "已清理"); err != nil {
			t.Fatal(err)
		}
		sweep := func(now time.Time, want int, when string) {
			t.Helper()
			db.Now = func() time.Time { return now }
			if n := storetest.AtOnce(t, 4, func(ctx context.Context) (int, error) { return overdue.Sweep(ctx, db) }); n != want {
				t.Fatalf("%s: announced %d, want %d", when, n, want)
			}
		}
		received := func(want int) {
			t.Helper()
			rx.Flush(t)
			if got := rx.Got("improvement.overdue"); len(got) != want || got[want-1].EntityID != itoa(it.ID) || got[want-1].UnitID != f.b.ID {
				t.Fatalf("received %+v, want %d", got, want)
			}
		}
		// 23:59 on the due day in Beijing is still in time; a minute later it is late.
		sweep(time.Date(2026, 10, 16, 15, 59, 0, 0, time.UTC), 0, "on the due day")
		sweep(time.Date(2026, 10, 16, 16, 0, 0, 0, time.UTC), 1, "the day after")
		received(1)
		sweep(time.Date(2026, 10, 18, 2, 0, 0, 0, time.UTC), 0, "a day later")
		// Moved to the 20th: not late until the 21st, then announced once more.
		if _, err := improvement.Update(ctx, db, f.headB, it.ID, improvement.Patch{DueOn: ptr("2026-10-20")}); err != nil {
			t.Fatal(err)
		}
		sweep(time.Date(2026, 10, 18, 2, 0, 0, 0, time.UTC), 0, "before the new due day")
		sweep(time.Date(2026, 10, 21, 2, 0, 0, 0, time.UTC), 1, "after the new due day")
		received(2)
	})
}
