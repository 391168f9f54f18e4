package meeting_test

import (
	"context"
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

// TestMeetingMinutesBecomeItems: a meeting of a begun quarter; a remedy without a cause and a
// second meeting of the quarter are refused; a remedy becomes an item; an item reported done
// is verified at the meeting; ForQuarter returns the conclusions with their item ids.
func TestMeetingMinutesBecomeItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 10, 12, 2, 0, 0, 0, time.UTC) }
		root, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "CO", Name: "公司", Kind: org.Company})
		if err != nil {
			t.Fatal(err)
		}
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
