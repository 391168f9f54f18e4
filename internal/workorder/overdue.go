package workorder

import (
	"context"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
)

// FollowUpDue is the day a follow-up of month ("2006-01", the order's closing month) is due
// by: the next month's fault analysis meeting, or the last day of that month while the
// meeting day ("" when not set) is not set.
func FollowUpDue(month, meeting string) string {
	if meeting != "" {
		return meeting
	}
	t, err := time.ParseInLocation("2006-01", NextMonth(month), Zone)
	if err != nil {
		return ""
	}
	return DayOf(t.AddDate(0, 1, -1))
}

// AnnounceOverdue writes one workorder_followup.overdue audit entry, which webhooks announce,
// for each follow-up whose visit is still not filed (open) after its due day (FollowUpDue) and
// marks it with the due day it announced, in tx. A follow-up sent back by the meeting
// (reopened) is past the meeting by definition and is not announced. The marker is set only
// where it is still older than the due day, so a second sweep, or one on another instance at
// the same time, announces nothing; a meeting day moved later is announced again once passed.
func AnnounceOverdue(ctx context.Context, tx *store.Tx) (int, error) {
	today := DayOf(tx.Now)
	type meeting struct{ month, day string }
	held, err := store.All(ctx, tx, func(r store.Scanner) (m meeting, err error) {
		return m, r.Scan(&m.month, &m.day)
	}, "SELECT month, meets_on FROM workorder_meetings WHERE month <= ?", today[:7])
	if err != nil {
		return 0, err
	}
	meetings := map[string]string{}
	for _, m := range held {
		meetings[m.month] = m.day
	}
	type due struct {
		id, team         int64
		month, announced string
		on               string
	}
	// A follow-up of this month is due next month at the earliest.
	open, err := store.All(ctx, tx, func(r store.Scanner) (d due, err error) {
		return d, r.Scan(&d.id, &d.team, &d.month, &d.announced)
	}, `SELECT id, team_id, month, COALESCE(overdue_announced_on, '') FROM workorder_followups
		WHERE status = 'open' AND month < ? ORDER BY id`, today[:7])
	if err != nil {
		return 0, err
	}
	var todo []due
	for _, d := range open {
		if d.on = FollowUpDue(d.month, meetings[NextMonth(d.month)]); d.on < today && d.announced < d.on {
			todo = append(todo, d)
		}
	}
	n := 0
	for _, d := range todo {
		res, err := tx.Exec(ctx, `UPDATE workorder_followups SET overdue_announced_on = ? WHERE id = ? AND status = 'open'
			AND (overdue_announced_on IS NULL OR overdue_announced_on < ?)`, d.on, d.id, d.on)
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue
		}
		n++
		if err := audit.Record(ctx, tx, access.System, audit.Change{Action: "overdue", Entity: "workorder_followup", EntityID: d.id, UnitID: d.team,
			After: map[string]any{"due_on": d.on}}); err != nil {
			return n, err
		}
	}
	return n, nil
}
