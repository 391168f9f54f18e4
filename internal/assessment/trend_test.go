package assessment_test

import (
	"testing"

	"manyi/internal/assessment"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestTrend reads a unit's closed results back oldest first: approved and locked closes
// count, a draft does not, and a reader outside the unit's scope sees nothing of it.
func TestTrend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		ctx, e := w.ctx, w.engine
		close := func(period string, approve bool) {
			t.Helper()
			c, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: period, ParentUnitID: w.prop.ID})
			if err != nil {
				t.Fatal(err)
			}
			if !approve {
				return
			}
			if _, err := e.Approve(ctx, committee, c.ID); err != nil {
				t.Fatalf("approve %s: %v", period, err)
			}
		}
		// 玫瑰区: March 12 problems and band 12 (80), April nothing but a survey of 20.
		w.evidence(t, w.mg, "2026-03-10", intp(12), nil)
		w.evidence(t, w.mg, "2026-03-11", nil, intp(12))
		w.evidence(t, w.mg, "2026-04-10", intp(0), nil)
		w.evidence(t, w.mg, "2026-04-11", nil, intp(20))
		w.evidence(t, w.mg, "2026-05-10", intp(0), nil)
		w.evidence(t, w.mg, "2026-05-11", nil, intp(20))
		close("2026-03", true)
		close("2026-04", true)
		close("2026-05", false) // a draft: not in the trend until approved

		got, err := assessment.Trend(ctx, db, clerk, assessment.Subject{UnitID: w.mg.ID}, 12)
		if err != nil {
			t.Fatal(err)
		}
		pts := got["unit-monthly"]
		if len(got) != 1 || len(pts) != 2 {
			t.Fatalf("trend of 玫瑰区 = %+v; want unit-monthly March and April only", got)
		}
		for i, want := range []struct{ period, total string }{{"2026-03", "80"}, {"2026-04", "100"}} {
			if p := pts[i]; p.Period != want.period || p.Total == nil || p.Total.String() != want.total || p.UnitID != w.mg.ID {
				t.Errorf("point %d = %+v (total %v); want %s %s", i, p, p.Total, want.period, want.total)
			}
		}
		if short, err := assessment.Trend(ctx, db, clerk, assessment.Subject{UnitID: w.mg.ID}, 1); err != nil || len(short["unit-monthly"]) != 1 || short["unit-monthly"][0].Period != "2026-04" {
			t.Errorf("trend of one period = %+v, %v; want April, the latest", short, err)
		}
		if other, err := assessment.Trend(ctx, db, w.headYX, assessment.Subject{UnitID: w.mg.ID}, 12); err != nil || len(other) != 0 {
			t.Errorf("永馨园's head reads 玫瑰区's trend: %+v, %v; want nothing", other, err)
		}
	})
}
