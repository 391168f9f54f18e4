package meeting_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/meeting"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestQuarter(t *testing.T) {
	for _, tc := range []struct {
		in, meets, start string
		bad              bool
	}{
		{"2026-Q3", "2026-10-10", "2026-07-01", false},
		{"2026-Q4", "2027-01-10", "2026-10-01", false},
		{"2026-Q5", "", "", true},
		{"2026Q1", "", "", true},
	} {
		q, err := meeting.ParseQuarter("quarter", tc.in)
		if tc.bad {
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("%s: %v, want refused", tc.in, err)
			}
			continue
		}
		if err != nil || q.MeetsOn() != tc.meets || q.Start().Format(time.DateOnly) != tc.start {
			t.Errorf("%s: meets %s starts %s (%v), want %s %s", tc.in, q.MeetsOn(), q.Start().Format(time.DateOnly), err, tc.meets, tc.start)
		}
	}
	if q := meeting.LastClosed(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)); q.String() != "2025-Q4" {
		t.Errorf("last closed in January: %s", q)
	}
}

// newCompany sets the clock in 2026-Q4, after the meetings of Q3, and creates the company.
func newCompany(t *testing.T, db *store.DB) (context.Context, org.Unit) {
	t.Helper()
	db.Now = func() time.Time { return time.Date(2026, 10, 12, 2, 0, 0, 0, time.UTC) }
	root, err := org.CreateUnit(context.Background(), db, access.System, org.UnitInput{Code: "CO", Name: "公司", Kind: org.Company})
	if err != nil {
		t.Fatal(err)
	}
	return context.Background(), root
}

// TestMeetingMinutesBecomeItems: a meeting of a begun quarter; a remedy without a cause and a
// second meeting of the quarter are refused; a remedy becomes an item; an item reported done
// is verified at the meeting; ForQuarter returns the conclusions with their item ids.
func TestMeetingMinutesBecomeItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, root := newCompany(t, db)
		dept, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "D", Name: "一部", Kind: org.Department})
		if err != nil {
			t.Fatal(err)
		}
		clerk := access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
		head := access.Principal{Username: "head", Grants: []access.Grant{{Role: access.UnitHead, UnitID: dept.ID}}}

		_, err = meeting.Open(ctx, db, clerk, meeting.Input{OrgID: root.ID, Quarter: "2027-Q1"})
		if errs.CodeOf(err) != errs.Invalid || errs.As(err).Field != "quarter" {
			t.Fatalf("a meeting for a quarter not yet begun: %v", err)
		}
		_, err = meeting.Open(ctx, db, head, meeting.Input{OrgID: root.ID, Quarter: "2026-Q3"})
		if errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("a unit head opening the company's meeting: %v", err)
		}
		m, err := meeting.Open(ctx, db, clerk, meeting.Input{OrgID: root.ID, Quarter: "2026-Q3"})
		if err != nil || m.HeldOn != "2026-10-10" || len(m.Agenda) != 7 {
			t.Fatalf("meeting %+v %v", m, err)
		}
		_, err = meeting.Open(ctx, db, clerk, meeting.Input{OrgID: root.ID, Quarter: "2026-Q3"})
		if errs.CodeOf(err) != errs.Invalid || errs.As(err).Field != "quarter" {
			t.Fatalf("a second meeting of the quarter: %v", err)
		}

		_, err = meeting.AddFinding(ctx, db, clerk, m.ID, meeting.FindingInput{UnitID: dept.ID, Problem: "响应慢", Remedy: "增加值班", Raise: true, Owner: "一部", DueOn: "2026-11-10"})
		if errs.CodeOf(err) != errs.Invalid || errs.As(err).Field != "meet_cause" {
			t.Fatalf("a remedy without a cause: %v", err)
		}
		_, err = meeting.AddFinding(ctx, db, clerk, m.ID, meeting.FindingInput{UnitID: dept.ID, Problem: "响应慢", Cause: "夜间缺人", Remedy: "增加值班", Raise: true, Owner: "一部", DueOn: "2026-10-01"})
		if errs.CodeOf(err) != errs.Invalid || errs.As(err).Field != "item_due_on" {
			t.Fatalf("a remedy due before the meeting: %v", err)
		}
		f, err := meeting.AddFinding(ctx, db, clerk, m.ID, meeting.FindingInput{UnitID: dept.ID, Problem: "响应慢", Cause: "夜间缺人", Remedy: "增加值班", Raise: true, Owner: "一部", DueOn: "2026-11-10"})
		if err != nil || f.ItemID == 0 {
			t.Fatalf("finding %+v %v", f, err)
		}
		it, err := improvement.Get(ctx, db, head, f.ItemID)
		if err != nil || it.Kind != improvement.MeetingRemedy || it.Measures != "增加值班" || it.Cause != "夜间缺人" || it.SourceOn != "2026-10-10" {
			t.Fatalf("remedy item %+v %v", it, err)
		}
		if err := meeting.VerifyItems(ctx, db, clerk, m.ID, []int64{it.ID}); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("verifying an item without evidence at the meeting: %v", err)
		}
		if _, err := improvement.Report(ctx, db, head, it.ID, "已排班"); err != nil {
			t.Fatal(err)
		}
		if err := meeting.VerifyItems(ctx, db, clerk, m.ID, []int64{it.ID}); err != nil {
			t.Fatal(err)
		}
		got, err := meeting.ForQuarter(ctx, db, clerk, root.ID, "2026-Q3")
		if err != nil || got.Status != meeting.Held || len(got.Findings) != 1 || got.Findings[0].ItemID != it.ID || got.Findings[0].Cause != "夜间缺人" ||
			len(got.Verified) != 1 || got.Verified[0] != it.ID {
			t.Fatalf("for quarter %+v %v", got, err)
		}
		if it, _ = improvement.Get(ctx, db, clerk, it.ID); it.VerifiedBy != "meeting" || it.MeetingID != m.ID {
			t.Fatalf("verified item %+v", it)
		}
		if _, err := meeting.ForQuarter(ctx, db, clerk, root.ID, "2026-Q2"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("a quarter without a meeting: %v", err)
		}
	})
}

// TestListScopeAndPages: a clerk of one department lists that department's meetings alone,
// however many the company holds; ListPage walks them a page at a time, the latest quarter
// first, neither skipping nor repeating one; the company's clerk lists them all; a reader
// without the right is refused.
func TestListScopeAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, root := newCompany(t, db)
		var depts []org.Unit
		for _, code := range []string{"D1", "D2"} {
			d, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: code, Name: code, Kind: org.Department})
			if err != nil {
				t.Fatal(err)
			}
			depts = append(depts, d)
		}
		clerk := access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
		deptClerk := access.Principal{Username: "clerk.d1", Grants: []access.Grant{{Role: access.Clerk, UnitID: depts[0].ID}}}
		quarters := []string{"2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"}
		for _, q := range quarters {
			for _, u := range []int64{root.ID, depts[0].ID, depts[1].ID} {
				if _, err := meeting.Open(ctx, db, clerk, meeting.Input{OrgID: u, Quarter: q}); err != nil {
					t.Fatal(err)
				}
			}
		}

		var walked []string
		pg := store.Page{Limit: 3}
		for range 10 {
			ms, err := meeting.ListPage(ctx, db, deptClerk, pg)
			if err != nil {
				t.Fatal(err)
			}
			page, next, _ := store.Cut(ms, pg, meeting.PageKey)
			for _, m := range page {
				if m.OrgID != depts[0].ID {
					t.Fatalf("the department's clerk lists the meeting of %s", m.OrgName)
				}
				walked = append(walked, m.Quarter)
			}
			if next == nil {
				break
			}
			pg = store.Page{Limit: 3, Before: next}
		}
		want := []string{"2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"}
		if strings.Join(walked, " ") != strings.Join(want, " ") {
			t.Fatalf("the department's meetings page by page: %v, want %v", walked, want)
		}

		if all, err := meeting.ListPage(ctx, db, clerk, store.Page{Limit: 50}); err != nil || len(all) != 3*len(quarters) {
			t.Fatalf("the company's clerk lists %d meetings, %v; want %d", len(all), err, 3*len(quarters))
		}
		staff := access.Principal{Username: "staff", Grants: []access.Grant{{Role: access.Staff}}}
		if _, err := meeting.ListPage(ctx, db, staff, store.Page{Limit: 50}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("a member of staff listing the meetings: %v, want forbidden", err)
		}
	})
}
