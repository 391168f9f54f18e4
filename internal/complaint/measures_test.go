package complaint_test

import (
	"context"
	"testing"

	"manyi/internal/complaint"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestReplied24hMeasure: of three complaints received on one day, one answered within 24
// hours, one after 30 hours and one never; two days later two are due (answered or past 24
// hours) — all three — and one is counted.
func TestReplied24hMeasure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "2026-03-09 09:00")
		fast := f.register(t, complaint.Input{})
		slow := f.register(t, complaint.Input{})
		f.register(t, complaint.Input{})
		f.now = at("2026-03-09 15:00")
		f.act(t, fast.ID, complaint.Action{Verb: complaint.Reply, Text: "已安排"})
		f.now = at("2026-03-10 15:00")
		f.act(t, slow.ID, complaint.Action{Verb: complaint.Reply, Text: "已安排"})
		f.now = at("2026-03-11 12:00")
		var m = complaint.Measures()[0]
		if m.Name() != "complaint_reply_24h" {
			t.Fatalf("measure %s", m.Name())
		}
		ctx := context.Background()
		err := db.Read(ctx, func(tx *store.Tx) error {
			figs, err := m.Figures(ctx, tx, at("2026-03-01 00:00"), at("2026-04-01 00:00"))
			if err != nil {
				return err
			}
			got := figs[f.area.ID]
			if got == nil || got.Num != 1 || got.Den != 3 || len(got.Records) != 3 {
				t.Errorf("figure %+v, want 1 of 3", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
