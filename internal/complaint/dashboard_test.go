package complaint_test

import (
	"testing"
	"time"

	"manyi/internal/complaint"
	"manyi/internal/store/storetest"
)

// TestSummarizeCountsEachComplaintOnce: the dashboard counts clocks, and also complaints, so
// that a complaint with both clocks breached is one late complaint, not two.
func TestSummarizeCountsEachComplaintOnce(t *testing.T) {
	db := storetest.OpenSQLite(t)
	cal := mustCalendar(t, db)
	pol := complaint.DefaultPolicy
	now := at("2026-03-10 10:00")
	open := func(ago time.Duration) complaint.Complaint {
		rec := now.Add(-ago)
		due, err := pol.SolutionDue(cal, rec)
		if err != nil {
			t.Fatal(err)
		}
		return complaint.Complaint{Status: complaint.Registered, ReceivedAt: rec, ReplyDueAt: pol.ReplyDue(rec), SolutionDueAt: &due}
	}
	d := complaint.Summarize([]complaint.Complaint{
		open(10 * 24 * time.Hour), // both clocks breached
		open(30 * time.Hour),      // reply breached, solution on track
		open(22 * time.Hour),      // reply due in 2 hours: due soon
		open(time.Hour),           // on track
	}, pol, cal, now)
	if d.Open != 4 || d.ReplyBreached != 2 || d.SolutionBreach != 1 || d.Late != 2 || d.Pressing != 1 {
		t.Errorf("dashboard = %+v; want 4 open, 2 reply and 1 solution clocks breached, 2 late and 1 pressing complaints", d)
	}
}
