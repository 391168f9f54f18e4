package inspection_test

import (
	"context"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestCheckScoredMonth(t *testing.T) {
	now := at("2026-11-20 12:00")
	for _, tt := range []struct {
		name           string
		kind           inspection.Kind
		month, quarter string
		at             string
		want           string // "" for accepted, else a part of the zh message
	}{
		{"last month", inspection.SelfCheck, "2026-10", "", "2026-11-03 09:00", ""},
		{"last month in its quarter", inspection.SelfCheck, "2026-10", "2026-Q4", "2026-11-03 09:00", ""},
		{"the month just ended, on its last evening", inspection.SelfCheck, "2026-10", "", "2026-10-31 23:00", ""},
		{"this month", inspection.SelfCheck, "2026-11", "", "2026-11-20 09:00", "尚未结束"},
		{"a future month", inspection.SelfCheck, "2026-12", "", "2026-11-20 09:00", "尚未结束"},
		{"after the check", inspection.SelfCheck, "2026-10", "", "2026-09-30 09:00", "晚于检查日期"},
		{"outside the quarter", inspection.SelfCheck, "2026-09", "2026-Q4", "2026-11-03 09:00", "不在 2026-Q4"},
		{"bad month", inspection.SelfCheck, "2026-13", "", "2026-11-03 09:00", "月份"},
		{"bad quarter", inspection.SelfCheck, "2026-10", "2026-Q5", "2026-11-03 09:00", "季度"},
		{"a spot check of this month (a spot check may be made in the month)", inspection.SpotCheck, "2026-11", "", "2026-11-20 09:00", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := inspection.CheckScoredMonth(tt.kind, tt.month, tt.quarter, at(tt.at), now)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (!errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), tt.want)):
				t.Fatalf("got %v, want a refusal containing %q", err, tt.want)
			}
		})
	}
}

func TestReportState(t *testing.T) {
	for _, tt := range []struct {
		month, filed, today string
		want                inspection.ReportState
	}{
		{"2026-10", "2026-11-02", "2026-11-20", inspection.ReportOnTime},
		{"2026-10", "2026-11-05", "2026-11-20", inspection.ReportOnTime},
		{"2026-10", "2026-11-06", "2026-11-20", inspection.ReportLate},
		{"2026-10", "", "2026-11-20", inspection.ReportMissing},
		{"2026-10", "", "2026-11-05", inspection.ReportDue},
		{"2026-11", "", "2026-11-20", inspection.ReportOpen},
		{"2026-12", "", "2026-11-20", inspection.ReportOpen},
		{"2026-12", "", "2027-01-06", inspection.ReportMissing},
	} {
		if got := inspection.StateOf(tt.month, tt.filed, tt.today); got != tt.want {
			t.Errorf("StateOf(%s, %q, %s) = %s, want %s", tt.month, tt.filed, tt.today, got, tt.want)
		}
	}
	if d := inspection.DueDay("2026-12"); d != "2027-01-05" {
		t.Errorf("DueDay(2026-12) = %s", d)
	}
}

func TestCheckCallbackDeduction(t *testing.T) {
	for _, tt := range []struct {
		d  inspection.Points
		ok bool
	}{{50, true}, {75, true}, {100, true}, {49, false}, {101, false}, {0, false}, {200, false}} {
		if err := inspection.CheckCallbackDeduction(tt.d); (err == nil) != tt.ok {
			t.Errorf("CheckCallbackDeduction(%s) = %v, want ok=%v", tt.d, err, tt.ok)
		}
	}
}

// TestQuarterlyRefusals files the §3 evidence the rules refuse, on both databases, and checks
// that nothing was stored.
func TestQuarterlyRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db) // now is 2026-11-20
		// A checklist whose callback item allows more than §3 does: the rule still holds.
		wide, err := inspection.SaveChecklist(ctx, db, f.clerk, inspection.ChecklistInput{Code: "CBW", Name: "回访记录抽查", Items: "CB | 回访记录不全 | 1 | 0.25-2"})
		if err != nil {
			t.Fatal(err)
		}
		cb := wide.Items[0]
		for _, tt := range []struct {
			name string
			in   inspection.Input
			want string
		}{
			{"self-check of a month not ended", inspection.Input{Kind: inspection.SelfCheck, UnitID: f.area.ID, Score: pts(9500), Month: "2026-11"}, "尚未结束"},
			{"self-check with the filing month by default", inspection.Input{Kind: inspection.SelfCheck, UnitID: f.area.ID, Score: pts(9500)}, "尚未结束"},
			{"self-check outside the quarter", inspection.Input{Kind: inspection.SelfCheck, UnitID: f.area.ID, Score: pts(9500), Month: "2026-09", Quarter: "2026-Q4"}, "不在 2026-Q4"},
			{"spot check of a month without a self-check", inspection.Input{Kind: inspection.SpotCheck, UnitID: f.area.ID, Score: pts(9000), Month: "2026-10"}, "没有自查"},
			{"callback deduction below 0.5", inspection.Input{Kind: inspection.CallbackAudit, UnitID: f.area.ID, ChecklistID: wide.ID,
				Findings: []inspection.FindingInput{{ItemID: cb.ID, Description: "回访记录缺日期", Deduction: pts(25)}}}, "0.5–1"},
			{"callback deduction above 1", inspection.Input{Kind: inspection.CallbackAudit, UnitID: f.area.ID, ChecklistID: wide.ID,
				Findings: []inspection.FindingInput{{ItemID: cb.ID, Description: "回访记录与实际不符", Deduction: pts(150)}}}, "0.5–1"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := inspection.File(ctx, db, f.clerk, tt.in)
				if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), tt.want) {
					t.Fatalf("got %v (%s), want a refusal containing %q", err, errs.As(err).Message(locale.ZH), tt.want)
				}
			})
		}
		if list, err := inspection.List(ctx, db, f.clerk, inspection.Filter{}); err != nil || len(list) != 0 {
			t.Fatalf("a refused filing left something: %+v %v", list, err)
		}
		// Adding an out-of-range finding to a filed audit is refused too.
		audit, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.CallbackAudit, UnitID: f.area.ID, ChecklistID: wide.ID,
			Findings: []inspection.FindingInput{{ItemID: cb.ID, Description: "回访记录缺日期", Deduction: pts(50)}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.AddFinding(ctx, db, f.clerk, audit.ID, inspection.FindingInput{ItemID: cb.ID, Description: "x", Deduction: pts(200)}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("an added finding of 2 points: %v", err)
		}
		// The September report filed in November counts for September; the spot check of it
		// is then accepted.
		self, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.SelfCheck, UnitID: f.area.ID, Score: pts(9600), Month: "2026-09", Quarter: "2026-Q3"})
		if err != nil || self.Month != "2026-09" {
			t.Fatalf("a late September report: %+v %v", self, err)
		}
		if _, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.SpotCheck, UnitID: f.area.ID, Score: pts(9300), Month: "2026-09"}); err != nil {
			t.Fatalf("spot check of a reported month: %v", err)
		}
	})
}

func TestQuarterReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		co, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "LOG", Name: "物流公司", Kind: org.Company})
		if err != nil {
			t.Fatal(err)
		}
		a, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: co.ID, Code: "LOG-A", Name: "储运中心", Kind: org.Department})
		if err != nil {
			t.Fatal(err)
		}
		b, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: co.ID, Code: "LOG-B", Name: "招标分公司", Kind: org.Department})
		if err != nil {
			t.Fatal(err)
		}
		// The department hosting the work group reports nothing and is not on the board.
		if _, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: co.ID, Code: "LOG-HR", Name: "人力资源部", Kind: org.Department}); err != nil {
			t.Fatal(err)
		}
		file := func(kind inspection.Kind, month string, score inspection.Points) {
			t.Helper()
			if _, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: kind, UnitID: a.ID, Score: &score, Month: month}); err != nil {
				t.Fatal(err)
			}
		}
		f.now = at("2026-06-03 09:00")
		if _, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.SelfCheck, UnitID: b.ID, Score: pts(9700), Month: "2026-05"}); err != nil {
			t.Fatal(err)
		}
		f.now = at("2026-11-03 09:00")
		file(inspection.SelfCheck, "2026-10", 9500)
		f.now = at("2026-11-20 12:00")
		file(inspection.SelfCheck, "2026-09", 9600)
		file(inspection.SpotCheck, "2026-10", 9000)
		q4, err := inspection.QuarterReports(ctx, db, f.clerk, co.ID, "2026-Q4")
		if err != nil || len(q4) != 2 {
			t.Fatalf("Q4: %+v %v", q4, err)
		}
		oct := q4[0].Months[0]
		if q4[0].UnitID != a.ID || oct.State != inspection.ReportOnTime || oct.Filed != "2026-11-03" || oct.Penalty != 500 || q4[0].Months[1].State != inspection.ReportOpen {
			t.Fatalf("储运中心 Q4: %+v", q4[0])
		}
		if b := q4[1]; b.Months[0].State != inspection.ReportMissing || b.Missing != 1 || b.Months[0].Self != nil {
			t.Fatalf("招标分公司 Q4: %+v", b)
		}
		q3, err := inspection.QuarterReports(ctx, db, f.clerk, co.ID, "2026-Q3")
		if err != nil || q3[0].Months[2].State != inspection.ReportLate || q3[0].Late != 1 || q3[0].Missing != 2 {
			t.Fatalf("Q3: %+v %v", q3, err)
		}
		if _, err := inspection.QuarterReports(ctx, db, f.clerk, co.ID, "2026-Q9"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("a bad quarter: %v", err)
		}
		// Staff of another unit see no department.
		if got, err := inspection.QuarterReports(ctx, db, f.staff, co.ID, "2026-Q4"); err != nil || len(got) != 0 {
			t.Fatalf("out of scope: %+v %v", got, err)
		}
	})
}
