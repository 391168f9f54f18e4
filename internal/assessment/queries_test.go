package assessment_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// TestCloseQueriesDoNotGrow: recomputing a close of unit-monthly and of maintainer-monthly
// with the areas' own sources asks the same number of statements with 2 subjects as with
// 10, the year's earlier months (none closed) included: each source answers all the subjects
// at once (docs/aggregates.md). A source asking per subject would add at least one
// statement a subject and period.
func TestCloseQueriesDoNotGrow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC) }
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		o := orgWorld{t, ctx, db}
		prop := o.unit(0, "PROP", "物业公司", org.Company)
		imc := o.unit(0, "IMC", "信息维修中心", org.Department)
		team := o.unit(imc.ID, "IMC-NET", "网络班", org.Team)
		areas, staff := 0, 0
		grow := func(n int) {
			for range n {
				areas++
				o.unit(prop.ID, fmt.Sprintf("PROP-%d", areas), fmt.Sprintf("小区%d", areas), org.Area)
				staff++
				o.person(team, fmt.Sprintf("维修工%d", staff), access.Staff)
			}
		}
		e := assessment.NewEngine(db, complaint.FactSource{}, inspection.FactSource{}, survey.FactSource{}, workorder.FactSource{})
		closes := map[string]int64{}
		recompute := func(code string) (statements int64, subjects int) {
			t.Helper()
			id := closes[code]
			before := db.Statements()
			if _, err := e.Recompute(ctx, clerk, id); err != nil {
				t.Fatalf("recompute %s: %v", code, err)
			}
			statements = db.Statements() - before
			v, err := e.GetClose(ctx, committee, id)
			if err != nil {
				t.Fatal(err)
			}
			return statements, len(v.Results)
		}
		grow(2)
		for code, parent := range map[string]int64{"unit-monthly": prop.ID, "maintainer-monthly": imc.ID} {
			c, err := e.Start(ctx, clerk, assessment.StartInput{SchemeCode: code, Period: "2026-10", ParentUnitID: parent})
			if err != nil {
				t.Fatalf("start %s: %v", code, err)
			}
			closes[code] = c.ID
		}
		small := map[string][2]int64{}
		for code := range closes {
			n, subjects := recompute(code)
			small[code] = [2]int64{n, int64(subjects)}
		}
		grow(8)
		for code := range closes {
			n, subjects := recompute(code)
			if int64(subjects) <= small[code][1] {
				t.Fatalf("%s: %d subjects, then %d", code, small[code][1], subjects)
			}
			if n != small[code][0] {
				t.Errorf("%s: %d statements for %d subjects, %d for %d", code, small[code][0], small[code][1], n, subjects)
			}
		}
	})
}
