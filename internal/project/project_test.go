package project

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		name            string
		major, tendered bool
		start, filed    string
		today           string
		want            PlanStatus
	}{
		{"ordinary project: the office decides", false, false, "2026-10-10", "", "2026-10-20", PlanNotRequired},
		{"major, filed 3 days before", true, false, "2026-10-10", "2026-10-07", "2026-10-20", PlanOnTime},
		{"major, filed 2 days before", true, false, "2026-10-10", "2026-10-08", "2026-10-20", PlanLate},
		{"major, nothing filed, deadline passed", true, false, "2026-10-10", "", "2026-10-08", PlanMissing},
		{"major, nothing filed, deadline today", true, false, "2026-10-10", "", "2026-10-07", PlanPending},
		{"tendered, filed on the start day", false, true, "2026-10-10", "2026-10-10", "2026-10-20", PlanOnTime},
		{"tendered, filed after the start", false, true, "2026-10-10", "2026-10-11", "2026-10-20", PlanLate},
		{"major and tendered: the major rule", true, true, "2026-10-10", "2026-10-09", "2026-10-20", PlanLate},
	} {
		if got := Plan(tc.major, tc.tendered, tc.start, tc.filed, tc.today); got != tc.want {
			t.Errorf("%s: Plan = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestFirstPass(t *testing.T) {
	if _, inspected := FirstPass(nil); inspected {
		t.Error("no inspection counts as inspected")
	}
	passed, _ := FirstPass([]Acceptance{{InspectedOn: "2026-10-20", Passed: true}, {InspectedOn: "2026-10-12", Passed: false}})
	if passed {
		t.Error("a project that failed its first inspection and passed the second passed first time")
	}
}

type fixture struct {
	db          *store.DB
	office, eng int64
	clerk, head access.Principal
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	root, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "ENG", Name: "电信工程公司", Kind: org.Company})
	if err != nil {
		t.Fatal(err)
	}
	office, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "ENG-1", Name: "第一工程处", Kind: org.Department})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 11, 15, 2, 0, 0, 0, time.UTC) }
	return fixture{db: db, office: office.ID, eng: root.ID,
		clerk: access.Principal{UserID: 1, Username: "eng.clerk", Grants: []access.Grant{{Role: access.Clerk, UnitID: root.ID}}},
		head:  access.Principal{UserID: 2, Username: "head.gc1", Grants: []access.Grant{{Role: access.UnitHead, UnitID: office.ID}}}}
}

func yes() *bool { v := true; return &v }

func TestSaveRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		good := Input{Code: "P-1", Name: "光缆改造", UnitID: f.office, Major: true, PlannedStart: "2026-10-10", PlanFiledOn: "2026-10-06"}
		for _, tc := range []struct {
			name   string
			actor  access.Principal
			change func(*Input)
			field  string
			key    string
		}{
			{"a project with no unit", f.clerk, func(in *Input) { in.UnitID = 0 }, "project_unit", "err.required"},
			{"an unknown unit", f.clerk, func(in *Input) { in.UnitID = 999999 }, "project_unit", "project.unit_unknown"},
			{"no planned start", f.clerk, func(in *Input) { in.PlannedStart = "" }, "project_planned_start", "err.required"},
			{"a year 1900 start", f.clerk, func(in *Input) { in.PlannedStart = "1900-01-01" }, "project_planned_start", "project.date_implausible"},
			{"a handover before the start", f.clerk, func(in *Input) { in.HandedOverOn = "2026-10-01" }, "project_handed_over_on", "project.before_start"},
			{"a plan filed after the start marked on time", f.clerk, func(in *Input) { in.PlanFiledOn, in.PlanOnTime = "2026-10-11", yes() }, "project_plan_on_time", "project.plan_not_on_time"},
			{"an approval before the filing", f.clerk, func(in *Input) { in.PlanApprovedOn = "2026-10-05" }, "project_plan_approved_on", "project.approved_before_filed"},
			{"the office head approving its own plan", f.head, func(in *Input) { in.PlanApprovedOn = "2026-10-07" }, "project_plan_approved_on", "project.approve_clerks_only"},
			{"fulfilment before handover", f.clerk, func(in *Input) { in.Fulfilled = yes() }, "project_fulfilled", "project.fulfilled_before_handover"},
		} {
			in := good
			tc.change(&in)
			_, err := Save(ctx, db, tc.actor, in)
			if e := errs.As(err); e.Field != tc.field || e.Key != tc.key {
				t.Errorf("%s: %v (field %q key %q), want %s %s", tc.name, err, e.Field, e.Key, tc.field, tc.key)
			}
		}
		if n := count(t, db, "SELECT COUNT(*) FROM projects"); n != 0 {
			t.Fatalf("refused saves stored %d projects", n)
		}
		outsider := access.Principal{UserID: 3, Username: "other", Grants: []access.Grant{{Role: access.UnitHead, UnitID: f.eng + 1000}}}
		if _, err := Save(ctx, db, outsider, good); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a head of another unit saved a project: %v", err)
		}
		p, err := Save(ctx, db, f.head, good)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := AddAcceptance(ctx, db, f.head, p.ID, Acceptance{InspectedOn: "2026-10-01", Passed: true}); errs.As(err).Key != "project.acceptance_before_start" {
			t.Errorf("an acceptance before the start: %v", err)
		}
		if p, err = AddAcceptance(ctx, db, f.head, p.ID, Acceptance{InspectedOn: "2026-11-01", Passed: false}); err != nil || len(p.Acceptances) != 1 {
			t.Fatalf("acceptance: %v %+v", err, p.Acceptances)
		}
		if p, err = Save(ctx, db, f.clerk, Input{Code: "P-1", Name: "光缆改造", UnitID: f.office, Major: true, PlannedStart: "2026-10-10", PlanFiledOn: "2026-10-06", PlanApprovedOn: "2026-10-07"}); err != nil || p.PlanApprovedBy != "eng.clerk" {
			t.Fatalf("the clerk approves the plan: %v, approved by %q", err, p.PlanApprovedBy)
		}
	})
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(tx *store.Tx) error { return tx.QueryRow(context.Background(), q).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func workbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			x.SetCellValue("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportRefusesAFileWithABadRow: every bad row is reported with its number and nothing is
// stored; the same file with the row mended imports, and the measures count it.
func TestImportRefusesAFileWithABadRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		header := []any{"项目编号", "项目名称", "工程处", "重大工程", "招投标", "计划开工", "施工组织设计报送", "交付日期", "合同履约", "顾客满意"}
		rows := [][]any{header,
			{"P-1", "光缆改造", "ENG-1", "是", "否", "2026-10-10", "2026-10-05", "2026-10-30", "是", "是"},
			{"P-2", "基站扩容", "第一工程处", "是", "否", "2026-10-12", "2026-10-11", "2026-10-28", "否", "是"},
			{"P-3", "机房搬迁", "ENG-1", "否", "是", "2026-10-20", "", "2026-10-10", "", ""},
		}
		_, err := Import(ctx, db, f.clerk, "register.xlsx", workbook(t, rows), locale.ZH)
		var bad *ImportError
		if !errors.As(err, &bad) || len(bad.Rows) != 1 || bad.Rows[0].Row != 4 || bad.Rows[0].Field != "project_handed_over_on" {
			t.Fatalf("import with a bad row 4: %v %+v", err, bad)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM projects"); n != 0 {
			t.Fatalf("a refused file stored %d projects", n)
		}
		rows[3][7] = "2026-11-10"
		n, err := Import(ctx, db, f.clerk, "register.xlsx", workbook(t, rows), locale.ZH)
		if err != nil || n != 3 {
			t.Fatalf("import: %d, %v", n, err)
		}
		from, to := time.Date(2026, 10, 1, 0, 0, 0, 0, Zone), time.Date(2026, 11, 1, 0, 0, 0, 0, Zone)
		err = db.Read(ctx, func(tx *store.Tx) error {
			fig, err := fulfilment{}.Figures(ctx, tx, from, to)
			if err != nil {
				return err
			}
			if got := fig[f.office]; got == nil || got.Num != 1 || got.Den != 2 {
				t.Errorf("October's fulfilment = %+v, want 1 of 2", got)
			}
			breaches, err := planBreaches{}.Figures(ctx, tx, from, to)
			if err != nil {
				return err
			}
			// P-2 (major) was due 2026-10-09 and filed on the 11th; P-3 (tendered) was due on its
			// start, 2026-10-20, with nothing filed.
			if got := breaches[f.office]; got == nil || got.Num != 2 || got.Den != 3 {
				t.Errorf("October's plan breaches = %+v, want 2 of 3", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
