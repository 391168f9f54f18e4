package demo_test

import (
	"context"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/complaint"
	"manyi/internal/demo"
	"manyi/internal/inspection"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestDemoFollowsToday loads the demo as if on two different days and checks that it follows
// each: its newest records are of the last days before it, no open complaint is older than
// its deadlines allow, every area has records in each of the twelve months before the current
// one, the closes cover those months but the last, and a care worker has two consecutive
// months of 30 points or more.
func TestDemoFollowsToday(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 9, 16, 10, 30, 0, 0, demo.Zone), // a Wednesday
		time.Date(2026, 12, 5, 15, 0, 0, 0, demo.Zone),  // a Saturday
	} {
		t.Run(now.Format(time.DateOnly), func(t *testing.T) {
			ctx := testCtx()
			db := storetest.OpenSQLite(t)
			if _, err := demo.LoadAt(ctx, db, now); err != nil {
				t.Fatal(err)
			}
			db.Now = func() time.Time { return now }
			var months []string // the twelve months before now's, oldest first
			for k := -12; k < 0; k++ {
				months = append(months, time.Date(now.Year(), now.Month()+time.Month(k), 1, 0, 0, 0, 0, demo.Zone).Format("2006-01"))
			}

			// The newest record of each area is of the last days, none after now.
			for _, c := range []struct {
				query string
				days  int
			}{
				{"SELECT received_at FROM complaints", 1},
				{"SELECT reported_at FROM work_orders", 4}, // working days only: back over a weekend
				{"SELECT inspected_at FROM inspections", 2},
				{"SELECT answered_at FROM survey_answers", 2},
				{"SELECT booked_at FROM bookings", 3},
				{"SELECT followed_up_at FROM bookings WHERE followed_up_at IS NOT NULL", 4}, // the call comes a day after the work
				{"SELECT at FROM audit_log", 1},
			} {
				ts := times(t, db, c.query)
				newest := ts[0]
				for _, x := range ts {
					if x.After(newest) {
						newest = x
					}
				}
				if newest.After(now) || now.Sub(newest) > time.Duration(c.days)*24*time.Hour {
					t.Errorf("%s: newest %s, want within %d days before %s", c.query, newest.In(demo.Zone), c.days, now)
				}
			}

			// Nothing is dated before the demo's history (its surveys reach back five quarters): a
			// record written at a clock the demo set from a missing value would say 0001-01-01.
			for _, query := range []string{
				"SELECT at FROM audit_log",
				"SELECT answered_at FROM survey_followups WHERE answered_at IS NOT NULL",
				"SELECT closed_at FROM survey_followups WHERE closed_at IS NOT NULL",
			} {
				for _, x := range times(t, db, query) {
					if x.Before(now.AddDate(-2, 0, 0)) || x.After(now) {
						t.Errorf("%s: %s, want within the year before %s", query, x, now)
						break
					}
				}
			}

			// Every area has records in each of the twelve months.
			for _, query := range []string{
				"SELECT received_at FROM complaints",
				"SELECT reported_at FROM work_orders",
				"SELECT created_at FROM workorder_evaluations",
				"SELECT inspected_at FROM inspections WHERE kind = 'routine'",
				"SELECT inspected_at FROM inspections WHERE kind IN ('director_round', 'ward_round')",
				"SELECT inspected_at FROM inspections WHERE kind = 'self_check'",
				"SELECT answered_at FROM survey_answers",
				"SELECT drawn_at FROM sampling_draws",
			} {
				per := map[string]int{}
				for _, x := range times(t, db, query) {
					per[x.In(demo.Zone).Format("2006-01")]++
				}
				for _, m := range months {
					if per[m] == 0 {
						t.Errorf("%s: nothing in %s (%v)", query, m, per)
					}
				}
			}

			// The closes: every month of the year but the last, which is left to the user.
			closed := map[string]bool{}
			err := db.Read(ctx, func(tx *store.Tx) error {
				rows, err := tx.Query(ctx, "SELECT period FROM assessment_closes WHERE status = 'locked'")
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var p string
					if err := rows.Scan(&p); err != nil {
						return err
					}
					closed[p] = true
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range months {
				if want := i < len(months)-1; closed[m] != want || len(closed) != len(months)-1 {
					t.Errorf("closes %v: %s locked %v, want %v", closed, m, closed[m], want)
				}
			}

			// No open complaint is overdue by more than its own time to answer: the open ones
			// are of the last two days, as the desk would have them.
			cs, _, err := complaint.List(ctx, db, access.System, complaint.Filter{Open: true, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) == 0 {
				t.Error("no open complaint")
			}
			for _, c := range cs {
				if late := now.Sub(c.ReplyDueAt); c.RepliedAt == nil && late > c.ReplyDueAt.Sub(c.ReceivedAt) {
					t.Errorf("complaint %d received %s is %s past its reply deadline", c.ID, c.ReceivedAt.In(demo.Zone), late)
				}
				if now.Sub(c.ReceivedAt) > 3*24*time.Hour {
					t.Errorf("complaint %d received %s is still open", c.ID, c.ReceivedAt.In(demo.Zone))
				}
			}

			// Two consecutive months of 30 points or more: last month a care worker is
			// referred for dismissal review, another earns base salary only.
			rows, err := inspection.PersonMonths(ctx, db, access.System, months[len(months)-1])
			if err != nil {
				t.Fatal(err)
			}
			var dismissal, base bool
			for _, r := range rows {
				dismissal = dismissal || r.DismissalReview
				base = base || r.BaseSalaryOnly
			}
			if !dismissal || !base {
				t.Errorf("care deductions of %s: dismissal review %v, base salary only %v; want both", months[len(months)-1], dismissal, base)
			}
		})
	}
}

// times runs a query of one timestamp column.
func times(t *testing.T, db *store.DB, query string) []time.Time {
	t.Helper()
	var out []time.Time
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(context.Background(), query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x time.Time
			if err := rows.Scan(&x); err != nil {
				return err
			}
			out = append(out, x)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no rows", query)
	}
	return out
}
