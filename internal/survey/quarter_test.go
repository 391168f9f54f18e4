package survey_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
)

var quarterFactNames = []string{"households", "threshold", "valid", "satisfied_or_better", "verified_fault_dissatisfied", "improper_means"}

// importLevels imports one answer a level into the campaign for the unit, answered on day.
func importLevels(t *testing.T, f *fixture, campaign, unit int64, day string, levels ...int) {
	t.Helper()
	var rows []survey.ImportRow
	for _, l := range levels {
		rows = append(rows, survey.ImportRow{UnitID: unit, AnsweredOn: day, Level: l})
	}
	if n, err := survey.Import(context.Background(), f.db, f.clerkA, campaign, rows); err != nil || n != len(rows) {
		t.Fatalf("import into campaign %d: %d %v", campaign, n, err)
	}
}

func improper(t *testing.T, f *fixture, unit int64, day string) {
	t.Helper()
	if _, err := survey.RecordImproper(context.Background(), f.db, f.clerkA, unit, day, "经查实：代填问卷"); err != nil {
		t.Fatal(err)
	}
}

// quarterSpan is the quarter as the facts are asked for it.
func quarterSpan(t *testing.T, q string) assessment.Span {
	t.Helper()
	first, last, err := survey.QuarterBounds(q)
	if err != nil {
		t.Fatal(err)
	}
	return assessment.Span{Period: q, From: first.UTC(), To: last.AddDate(0, 0, 1).UTC()}
}

func factValues(fs []assessment.Fact) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		out[f.Name] = fmt.Sprint(f.Value)
	}
	return out
}

// TestQuarterBatchMatchesFacts is the oracle for the batch of quarterly values: for units of
// every shape the values the quarter page and a close of totals read in batch are the values
// FactSource.Facts gives unit by unit. 永馨园 has a fake answer, one after the snapshot, two
// verified faults and an improper case; 玫瑰区 has two campaigns (the second with its own
// threshold and an earlier snapshot, with an answer after it); 无活动 and 空设置 are covered
// by no campaign, with and without households of their own, and 无活动 has an improper case.
func TestQuarterBatchMatchesFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		bare, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: f.company.ID, Code: "P-WHD", Name: "无活动", Kind: org.Area, Households: intp(50), ThresholdBP: intp(4000)})
		if err != nil {
			t.Fatal(err)
		}
		unset, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: f.company.ID, Code: "P-KSZ", Name: "空设置", Kind: org.Area})
		if err != nil {
			t.Fatal(err)
		}
		second, err := survey.CreateCampaign(ctx, db, f.clerkA, survey.CampaignInput{Name: "走访补充调查", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, SnapshotOn: "2026-11-20",
			Units: []survey.CampaignUnitInput{{UnitID: f.other.ID, ThresholdBP: intp(5000)}}})
		if err != nil {
			t.Fatal(err)
		}
		at(db, "2026-12-30")
		importLevels(t, f, f.campaign.ID, f.area.ID, "2026-10-12", 1, 2, 3, 5, 5, 5)
		importLevels(t, f, f.campaign.ID, f.area.ID, "2026-12-29", 1) // after the snapshot
		importLevels(t, f, f.campaign.ID, f.other.ID, "2026-11-02", 1, 4)
		importLevels(t, f, second.ID, f.other.ID, "2026-11-03", 1, 1, 5)
		importLevels(t, f, second.ID, f.other.ID, "2026-11-25", 1) // after the second's snapshot
		all, _, err := survey.ListAnswers(ctx, db, f.clerkA, survey.AnswerFilter{UnitID: f.area.ID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		faults := 0
		for _, a := range all {
			switch {
			case a.Level == 1 && a.AnsweredAt.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)):
				if err := survey.Mark(ctx, db, f.clerkA, a.ID, survey.Fake, "同一笔迹"); err != nil {
					t.Fatal(err)
				}
			case a.Level == 5 && faults < 2:
				if err := survey.SetFault(ctx, db, f.clerkA, a.ID, true, "经查实"); err != nil {
					t.Fatal(err)
				}
				faults++
			}
		}
		improper(t, f, f.area.ID, "2026-11-05")
		improper(t, f, f.area.ID, "2026-09-30") // the quarter before
		improper(t, f, bare.ID, "2026-12-01")

		units := []int64{f.area.ID, f.other.ID, bare.ID, unset.ID}
		spans := []assessment.Span{quarterSpan(t, "2026-Q4"), quarterSpan(t, "2026-Q3")}
		b := assessment.Batch{Periods: spans, Names: quarterFactNames, Totals: true}
		for _, u := range units {
			b.Subjects = append(b.Subjects, assessment.BatchSubject{UnitID: u})
		}
		var batch [][][]assessment.Fact
		var one [][]map[string]string
		if err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			if batch, err = (survey.FactSource{}).BatchFacts(ctx, tx, b); err != nil {
				return err
			}
			for i := range b.Subjects {
				one = append(one, nil)
				for j := range spans {
					fs, err := survey.FactSource{}.Facts(ctx, tx, b.Query(i, j))
					if err != nil {
						return err
					}
					one[i] = append(one[i], factValues(fs))
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i, u := range units {
			for j, s := range spans {
				if got, want := factValues(batch[i][j]), one[i][j]; fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(quarterFactNames) {
					t.Errorf("unit %d %s: batch %v, unit by unit %v", u, s.Period, got, want)
				}
			}
		}
		// The shapes are the ones meant: otherwise the oracle compares zeros.
		for i, want := range []string{
			"map[households:400 improper_means:1 satisfied_or_better:1 threshold:0.3 valid:5 verified_fault_dissatisfied:2]",
			"map[households:40 improper_means:0 satisfied_or_better:3 threshold:0.5 valid:5 verified_fault_dissatisfied:0]",
			"map[households:50 improper_means:1 satisfied_or_better:0 threshold:0.4 valid:0 verified_fault_dissatisfied:0]",
			"map[households:1 improper_means:0 satisfied_or_better:0 threshold:0 valid:0 verified_fault_dissatisfied:0]",
		} {
			if got := fmt.Sprint(one[i][0]); got != want {
				t.Errorf("unit %d in 2026-Q4: %s, want %s", units[i], got, want)
			}
		}

		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		qv, err := survey.QuarterResults(ctx, db, f.clerkA, "2026-Q4")
		if err != nil {
			t.Fatal(err)
		}
		if len(qv.Units) != 2 {
			t.Fatalf("quarter page units: %+v", qv.Units)
		}
		for _, r := range qv.Units {
			i := map[int64]int{f.area.ID: 0, f.other.ID: 1}[r.UnitID]
			got := map[string]string{}
			for k, v := range r.Facts {
				got[k] = fmt.Sprint(v)
			}
			if fmt.Sprint(got) != fmt.Sprint(one[i][0]) {
				t.Errorf("quarter page, unit %d: %v, unit by unit %v", r.UnitID, got, one[i][0])
			}
		}
	})
}

// TestQuarterResultsFixedStatements: the quarter page reads all its units' values at once, so
// it sends as many statements for six units over two campaigns as for two units over one
// (it sent six or so a unit, 10,000 at N=100).
func TestQuarterResultsFixedStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		at(db, "2026-12-30")
		measure := func(units int) int64 {
			t.Helper()
			before := db.Statements()
			qv, err := survey.QuarterResults(ctx, db, f.clerkA, "2026-Q4")
			if err != nil {
				t.Fatal(err)
			}
			if len(qv.Units) != units {
				t.Fatalf("%d units on the page, want %d", len(qv.Units), units)
			}
			return db.Statements() - before
		}
		for _, u := range []int64{f.area.ID, f.other.ID} {
			importLevels(t, f, f.campaign.ID, u, "2026-11-02", 1, 5)
			improper(t, f, u, "2026-11-05")
		}
		small := measure(2)
		var more []survey.CampaignUnitInput
		for i := range 4 {
			u, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: f.company.ID, Code: fmt.Sprintf("P-X%d", i), Name: fmt.Sprintf("新区 %d", i), Kind: org.Area, Households: intp(30), ThresholdBP: intp(3000)})
			if err != nil {
				t.Fatal(err)
			}
			more = append(more, survey.CampaignUnitInput{UnitID: u.ID})
		}
		second, err := survey.CreateCampaign(ctx, db, f.clerkA, survey.CampaignInput{Name: "补充调查", Quarter: "2026-Q4", TemplateID: f.tmpl.ID, Units: more})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range more {
			importLevels(t, f, second.ID, u.UnitID, "2026-11-02", 1, 5)
			improper(t, f, u.UnitID, "2026-11-05")
		}
		if large := measure(6); large != small {
			t.Errorf("the quarter page sent %d statements for 2 units and %d for 6", small, large)
		}
	})
}
