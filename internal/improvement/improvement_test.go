package improvement_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestOverdue(t *testing.T) {
	for _, tc := range []struct {
		status improvement.Status
		due    string
		want   bool
	}{
		{improvement.Open, "2026-10-15", true},
		{improvement.Open, "2026-10-16", false}, // due today is not late yet
		{improvement.Reopened, "2026-10-01", true},
		{improvement.Done, "2026-10-01", false}, // reported done: waiting for the check, not for the owner
		{improvement.Verified, "2026-10-01", false},
	} {
		if got := (improvement.Item{Status: tc.status, DueOn: tc.due}).Overdue("2026-10-16"); got != tc.want {
			t.Errorf("%s due %s: overdue = %v, want %v", tc.status, tc.due, got, tc.want)
		}
	}
}

func TestCheckVerifiable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		item  improvement.Item
		field string
		code  errs.Code
	}{
		{"no measures", improvement.Item{Status: improvement.Done, Evidence: "照片"}, "item_measures", errs.Invalid},
		{"no evidence", improvement.Item{Status: improvement.Done, Measures: "培训"}, "item_evidence", errs.Invalid},
		{"not reported done", improvement.Item{Status: improvement.Open, Measures: "培训", Evidence: "照片"}, "", errs.Conflict},
		{"ready", improvement.Item{Status: improvement.Done, Measures: "培训", Evidence: "照片"}, "", ""},
	} {
		err := improvement.CheckVerifiable(tc.item)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if errs.CodeOf(err) != tc.code || errs.As(err).Field != tc.field {
			t.Errorf("%s: %v, want %s on %q", tc.name, err, tc.code, tc.field)
		}
	}
}

func TestPerUnit(t *testing.T) {
	items := []improvement.Item{
		{UnitID: 1, UnitName: "甲", Status: improvement.Open, DueOn: "2026-10-01"},
		{UnitID: 1, UnitName: "甲", Status: improvement.Verified, DueOn: "2026-09-01"},
		{UnitID: 2, UnitName: "乙", Status: improvement.Open, DueOn: "2026-12-01"},
		{UnitID: 2, UnitName: "乙", Status: improvement.Reopened, DueOn: "2026-10-02"},
		{UnitID: 2, UnitName: "乙", Status: improvement.Open, DueOn: "2026-10-03"},
	}
	got := improvement.PerUnit(items, "2026-10-16")
	want := []improvement.UnitCount{{UnitID: 2, UnitName: "乙", Open: 3, Overdue: 2}, {UnitID: 1, UnitName: "甲", Open: 1, Overdue: 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("PerUnit = %+v, want %+v", got, want)
	}
}

type fixture struct {
	db                  *store.DB
	a, b                org.Unit
	clerk, headA, headB access.Principal
	complaintA          string
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return time.Date(2026, 10, 16, 2, 0, 0, 0, time.UTC) }
	root, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "CO", Name: "公司", Kind: org.Company})
	if err != nil {
		t.Fatal(err)
	}
	a, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "A", Name: "甲部", Kind: org.Department})
	if err != nil {
		t.Fatal(err)
	}
	b, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "B", Name: "乙部", Kind: org.Department})
	if err != nil {
		t.Fatal(err)
	}
	// A complaint of unit A received on 2026-10-10 (China time), written as the complaint
	// desk would leave it: the improvement area only reads it.
	var id int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		id, err = tx.InsertID(ctx, `INSERT INTO complaints (tracking_code, unit_id, channel, category, complainant, description, status, received_at, reply_due_at, root_cause, created_at, updated_at)
			VALUES ('T1', ?, 'phone', 'service', '业主', '维修人员态度差', 'closed', ?, ?, '未培训', ?, ?)`,
			a.ID, time.Date(2026, 10, 10, 2, 0, 0, 0, time.UTC), time.Date(2026, 10, 11, 2, 0, 0, 0, time.UTC), tx.Now, tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{db: db, a: a, b: b, complaintA: itoa(id),
		clerk: access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}},
		headA: access.Principal{Username: "head.a", Grants: []access.Grant{{Role: access.UnitHead, UnitID: a.ID}}},
		headB: access.Principal{Username: "head.b", Grants: []access.Grant{{Role: access.UnitHead, UnitID: b.ID}}}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func wantErr(t *testing.T, err error, code errs.Code, field, what string) {
	t.Helper()
	if errs.CodeOf(err) != code || (field != "" && errs.As(err).Field != field) {
		t.Fatalf("%s: %v, want %s naming %q", what, err, code, field)
	}
}

func rows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM improvements").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRaiseFromComplaintToVerified: an item raised from a complaint takes the complaint's
// unit, day, problem and cause; a second raise, a raise out of scope and a due day before the
// complaint are refused with nothing stored; verification needs measures and evidence; the
// unit head sees his unit's items only.
func TestRaiseFromComplaintToVerified(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := improvement.Input{Title: "服务态度培训", Owner: "甲部负责人", DueOn: "2026-10-31"}

		_, err := improvement.Raise(ctx, db, f.headB, improvement.Complaint, f.complaintA, in)
		wantErr(t, err, errs.NotFound, "", "a unit head raising from another unit's complaint")
		bad := in
		bad.DueOn = "2026-10-09"
		_, err = improvement.Raise(ctx, db, f.clerk, improvement.Complaint, f.complaintA, bad)
		wantErr(t, err, errs.Invalid, "item_due_on", "a due day before the complaint")
		_, err = improvement.Raise(ctx, db, f.clerk, improvement.Complaint, "999999", in)
		wantErr(t, err, errs.NotFound, "", "a complaint that does not exist")
		// A role that raises for no unit is refused before its input is read.
		committee := access.Principal{Username: "committee", Grants: []access.Grant{{Role: access.Committee}}}
		_, err = improvement.Raise(ctx, db, committee, improvement.Complaint, "999999", improvement.Input{})
		wantErr(t, err, errs.Forbidden, "", "a committee member raising from a complaint")
		_, err = improvement.RaiseDirect(ctx, db, committee, improvement.Input{})
		wantErr(t, err, errs.Forbidden, "", "a committee member raising a direct item")
		if n := rows(t, db); n != 0 {
			t.Fatalf("%d items after refusals", n)
		}

		it, err := improvement.Raise(ctx, db, f.headA, improvement.Complaint, f.complaintA, in)
		if err != nil {
			t.Fatal(err)
		}
		if it.UnitID != f.a.ID || it.SourceOn != "2026-10-10" || it.Problem != "维修人员态度差" || it.Cause != "未培训" ||
			it.SourceURL != "/complaints/"+f.complaintA || it.Status != improvement.Open {
			t.Fatalf("item %+v", it)
		}
		_, err = improvement.Raise(ctx, db, f.clerk, improvement.Complaint, f.complaintA, in)
		wantErr(t, err, errs.Invalid, "source_id", "a second item from the same complaint")
		if n := rows(t, db); n != 1 {
			t.Fatalf("%d items, want 1", n)
		}

		if _, err := improvement.Report(ctx, db, f.headA, it.ID, "已培训，附签到表"); err != nil {
			t.Fatal(err)
		}
		_, err = improvement.Verify(ctx, db, f.clerk, it.ID, improvement.Verification{Accept: true})
		wantErr(t, err, errs.Invalid, "item_measures", "verifying an item without measures")
		_, err = improvement.Update(ctx, db, f.headA, it.ID, improvement.Patch{DueOn: ptr("2026-10-01")})
		wantErr(t, err, errs.Invalid, "item_due_on", "moving the due day before the complaint")
		if _, err := improvement.Update(ctx, db, f.headA, it.ID, improvement.Patch{Measures: ptr("每月服务礼仪培训")}); err != nil {
			t.Fatal(err)
		}
		_, err = improvement.Verify(ctx, db, f.headA, it.ID, improvement.Verification{Accept: true})
		wantErr(t, err, errs.Forbidden, "", "a unit head verifying")
		it, err = improvement.Verify(ctx, db, f.clerk, it.ID, improvement.Verification{Accept: true})
		if err != nil || it.Status != improvement.Verified || it.VerifiedBy != "clerk" || it.VerifiedAt == nil {
			t.Fatalf("verified %+v %v", it, err)
		}

		direct, err := improvement.RaiseDirect(ctx, db, f.headB, improvement.Input{UnitID: f.b.ID, Title: "库房整理", Problem: "库房杂乱", Owner: "乙部", DueOn: "2026-10-15"})
		wantErr(t, err, errs.Invalid, "item_due_on", "a direct item due before the day it is raised")
		direct, err = improvement.RaiseDirect(ctx, db, f.headB, improvement.Input{UnitID: f.b.ID, Title: "库房整理", Problem: "库房杂乱", Owner: "乙部", DueOn: "2026-10-16"})
		if err != nil || direct.Ref != itoa(direct.ID) {
			t.Fatalf("direct %+v %v", direct, err)
		}
		seen, err := improvement.List(ctx, db, f.headB, improvement.Filter{})
		if err != nil || len(seen) != 1 || seen[0].ID != direct.ID {
			t.Fatalf("unit head B sees %+v %v", seen, err)
		}
		overdue, err := improvement.List(ctx, db, f.clerk, improvement.Filter{Overdue: "2026-10-17"})
		if err != nil || len(overdue) != 1 || overdue[0].ID != direct.ID {
			t.Fatalf("overdue %+v %v", overdue, err)
		}
		page, err := improvement.List(ctx, db, f.clerk, improvement.Filter{Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != direct.ID {
			t.Fatalf("first page %+v %v", page, err)
		}
		if page, err = improvement.List(ctx, db, f.clerk, improvement.Filter{Limit: 1, Before: direct.ID}); err != nil || len(page) != 1 || page[0].ID != it.ID {
			t.Fatalf("second page %+v %v", page, err)
		}
		_, err = improvement.Get(ctx, db, f.headB, it.ID)
		wantErr(t, err, errs.NotFound, "", "a unit head opening another unit's item")

		// The tracking table as XLSX: ids numbers, days dates, the overdue count per unit.
		all, _ := improvement.List(ctx, db, f.clerk, improvement.Filter{})
		data, err := improvement.XLSX(all, "2026-10-17", func(key string, _ ...any) string { return key })
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		for _, cell := range []string{"A2", "A3"} {
			if typ, _ := x.GetCellType("imp.sheet_items", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s is %v, want a number", cell, typ)
			}
			if v, err := x.GetCellValue("imp.sheet_items", cell, excelize.Options{RawCellValue: true}); err != nil || v == "" || v[0] < '0' || v[0] > '9' {
				t.Errorf("%s = %q, want an id", cell, v)
			}
		}
		if v, _ := x.GetCellValue("imp.sheet_items", "J2", excelize.Options{RawCellValue: true}); v == "" || v[0] < '0' || v[0] > '9' || len(v) > 8 {
			t.Errorf("J2 (due day) raw %q, want a date serial number", v)
		}
		if v, _ := x.GetCellValue("imp.sheet_overdue", "C2", excelize.Options{RawCellValue: true}); v != "1" {
			t.Errorf("overdue count of the first unit = %q, want 1", v)
		}
	})
}

func ptr(s string) *string { return &s }
