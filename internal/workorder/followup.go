package workorder

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// FollowUpStatus is where a dissatisfaction follow-up stands.
type FollowUpStatus string

const (
	FollowUpOpen      FollowUpStatus = "open"      // waiting for the foreman's visit
	FollowUpFiled     FollowUpStatus = "filed"     // visit, findings and rectification filed
	FollowUpConfirmed FollowUpStatus = "confirmed" // confirmed at the fault analysis meeting
	FollowUpReopened  FollowUpStatus = "reopened"  // the meeting sent it back
)

// FollowUp is a dissatisfaction follow-up form (评价不满意回访表) of a 不满意 callback.
type FollowUp struct {
	ID            int64          `json:"id"`
	TaskID        int64          `json:"task_id"`
	Order         Order          `json:"order"`
	Month         string         `json:"month"` // the month of the order's closing
	VisitedOn     string         `json:"visited_on"`
	Findings      string         `json:"findings"`
	Rectification string         `json:"rectification"`
	Status        FollowUpStatus `json:"status"`
	FiledBy       string         `json:"filed_by"`
	FiledAt       *time.Time     `json:"filed_at"`
	MeetingDay    string         `json:"meeting_day"` // the next month's fault analysis meeting, "" if not set yet
	Comment       string         `json:"comment"`     // the callback's note on the problem
}

// openFollowUp opens the form for a 不满意 callback; a revision back to 不满意 finds it open.
// The first time, it writes a workorder_task.dissatisfied audit entry, so that a webhook can
// subscribe to dissatisfied callbacks alone: once per task, as the form is.
func openFollowUp(ctx context.Context, tx *store.Tx, actor access.Principal, k Task) error {
	month := k.Order.CloseDay
	if len(month) >= 7 {
		month = month[:7]
	}
	res, err := tx.Exec(ctx, `INSERT INTO workorder_followups (task_id, order_id, team_id, month, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (task_id) DO NOTHING`, k.ID, k.Order.ID, k.Order.TeamID, month, tx.Now, tx.Now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "dissatisfied", Entity: "workorder_task", EntityID: k.ID, UnitID: k.Order.TeamID,
		After: map[string]any{"order_id": k.Order.ID, "score": k.Score}})
}

// NextMonth returns the month after "2006-01".
func NextMonth(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// SetMeeting sets the day of a month's fault analysis meeting (故障分析会); the follow-ups of
// the month before are due by it (MayHoldMeeting).
func SetMeeting(ctx context.Context, db *store.DB, actor access.Principal, month, day string) error {
	if !MayHoldMeeting(actor) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	if _, err := time.Parse("2006-01", month); err != nil {
		return errs.Field("month", "wo.bad_month", month)
	}
	d, err := ParseDay("meeting_day", day)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(DayOf(d), month) {
		return errs.Field("meeting_day", "wo.meeting_outside_month", month)
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO workorder_meetings (month, meets_on, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (month) DO UPDATE SET meets_on = excluded.meets_on, updated_at = excluded.updated_at`, month, DayOf(d), tx.Now)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "workorder_meeting", EntityID: month, After: map[string]string{"meets_on": DayOf(d)}})
	})
}

const followUpColumns = `f.id, f.task_id, f.month, f.visited_on, f.findings, f.rectification, f.status, COALESCE(fp.name, ''), f.filed_at,
	COALESCE(m.meets_on, ''), COALESCE((SELECT e.comment FROM workorder_evaluations e WHERE e.task_id = f.task_id ORDER BY e.version DESC LIMIT 1), ''), ` + orderColumns

// followUpFrom joins the meeting that the follow-up is due by; its month (the month after the
// follow-up's, NextMonth) is the query's first argument.
const followUpFrom = ` FROM workorder_followups f JOIN work_orders o ON o.id = f.order_id JOIN units t ON t.id = o.team_id
	JOIN people p ON p.id = o.maintainer_id LEFT JOIN people fp ON fp.id = f.filed_by LEFT JOIN workorder_meetings m ON m.month = ?`

func scanFollowUp(row store.Scanner) (FollowUp, error) {
	var f FollowUp
	var filed sql.NullTime
	var o Order
	var contacted, arrived, closed sql.NullTime
	var day sql.NullString
	var repeat sql.NullInt64
	err := row.Scan(&f.ID, &f.TaskID, &f.Month, &f.VisitedOn, &f.Findings, &f.Rectification, &f.Status, &f.FiledBy, &filed, &f.MeetingDay, &f.Comment,
		&o.ID, &o.Source, &o.Reporter, &o.Phone, &o.Location, &o.Device, &o.Fault, &o.TeamID, &o.TeamName, &o.MaintainerID, &o.Maintainer,
		&o.ReportedAt, &contacted, &arrived, &closed, &day, &o.Cause, &o.Measures, &repeat, &o.CreatedAt)
	o.ContactedAt, o.ArrivedAt, o.ClosedAt = timep(contacted), timep(arrived), timep(closed)
	o.CloseDay, o.RepeatOf = day.String, repeat.Int64
	f.Order, f.FiledAt = o, timep(filed)
	return f, err
}

// FollowUps lists the follow-ups of a month (by the orders' closing month) that the actor
// may see, in FollowUpPage's order: what the monthly report counts.
func FollowUps(ctx context.Context, db *store.DB, actor access.Principal, month string) ([]FollowUp, error) {
	return followUps(ctx, db, actor, month, nil)
}

// followUpOrder is the follow-ups list's order: grouped by status, then by id, oldest first.
var followUpOrder = store.Order{Col: "f.status", ID: "f.id", Asc: true}

// FollowUpKey is a follow-up's place in the list (FollowUpPage).
func FollowUpKey(f FollowUp) store.Key { return store.Key{Name: string(f.Status), ID: f.ID} }

// FollowUpPage returns a page of a month's follow-ups the actor may see: Fetch() rows in
// pg's order, for store.Cut with FollowUpKey. The follow-ups page and the API read it; the
// scope is a condition of the query, so that a page is full.
func FollowUpPage(ctx context.Context, db *store.DB, actor access.Principal, month string, pg store.Page) ([]FollowUp, error) {
	return followUps(ctx, db, actor, month, &pg)
}

func followUps(ctx context.Context, db *store.DB, actor access.Principal, month string, pg *store.Page) ([]FollowUp, error) {
	if _, err := time.Parse("2006-01", month); err != nil {
		return nil, errs.Field("month", "wo.bad_month", month)
	}
	var out []FollowUp
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "f.team_id")
		if err != nil {
			return err
		}
		// The month of the meeting join comes first: followUpFrom's placeholder.
		tail, args := store.Tail(followUpOrder, pg, []string{"f.month = ?", scope}, append([]any{NextMonth(month), month}, args...))
		out, err = store.All(ctx, tx, scanFollowUp, "SELECT "+followUpColumns+followUpFrom+tail, args...)
		return err
	})
	return out, errs.Wrapf(err, "list follow-ups")
}

// GetFollowUp returns one follow-up the actor may see.
func GetFollowUp(ctx context.Context, db *store.DB, actor access.Principal, id int64) (FollowUp, error) {
	var f FollowUp
	err := db.Read(ctx, func(tx *store.Tx) error {
		var month string
		if err := tx.QueryRow(ctx, "SELECT month FROM workorder_followups WHERE id = ?", id).Scan(&month); err != nil {
			if store.IsNoRows(err) {
				return errs.New(errs.NotFound, "wo.followup_not_found", id)
			}
			return err
		}
		scope, args, err := scopeClause(ctx, tx, actor, "f.team_id")
		if err != nil {
			return err
		}
		f, err = scanFollowUp(tx.QueryRow(ctx, "SELECT "+followUpColumns+followUpFrom+" WHERE f.id = ? AND "+scope,
			append([]any{NextMonth(month), id}, args...)...))
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "wo.followup_not_found", id)
		}
		return err
	})
	return f, err
}

// FollowUpInput is the foreman's filing.
type FollowUpInput struct {
	VisitedOn     string
	Findings      string
	Rectification string
	// Improvement, when not empty, is the title of the service-improvement item the
	// rectification becomes (纳入服务改善项目管理).
	Improvement string
}

// FileFollowUp records the foreman's visit, findings and proposed rectification. The team's
// foreman files it; once confirmed at the meeting it cannot be changed.
func FileFollowUp(ctx context.Context, db *store.DB, actor access.Principal, id int64, in FollowUpInput) error {
	d, err := ParseDay("visited_on", in.VisitedOn)
	if err != nil {
		return err
	}
	if in.Findings, err = text("findings", in.Findings, true); err != nil {
		return err
	}
	if in.Rectification, err = text("rectification", in.Rectification, true); err != nil {
		return err
	}
	if strings.TrimSpace(in.Improvement) != "" {
		if in.Improvement, err = shortText("item_title", in.Improvement); err != nil {
			return err
		}
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		var team int64
		var status FollowUpStatus
		err := tx.QueryRow(ctx, "SELECT team_id, status FROM workorder_followups WHERE id = ?", id).Scan(&team, &status)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "wo.followup_not_found", id)
		}
		if err != nil {
			return err
		}
		if err := authorize(ctx, tx, actor, []access.Role{access.Foreman}, team); err != nil {
			return err
		}
		if status == FollowUpConfirmed {
			return errs.New(errs.Conflict, "wo.followup_confirmed")
		}
		if d.After(tx.Now) {
			return errs.Field("visited_on", "wo.future")
		}
		_, err = tx.Exec(ctx, `UPDATE workorder_followups SET visited_on = ?, findings = ?, rectification = ?, status = 'filed', filed_by = ?, filed_at = ?, updated_at = ?
			WHERE id = ?`, DayOf(d), in.Findings, in.Rectification, actor.PersonID, tx.Now, tx.Now, id)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "file", Entity: "workorder_followup", EntityID: id, UnitID: team, After: in}); err != nil {
			return err
		}
		if in.Improvement == "" {
			return nil
		}
		return raiseFromFollowUp(ctx, tx, actor, id, in.Improvement)
	})
}

// DecideFollowUp records the fault analysis meeting's decision on a filed follow-up:
// confirmed, or reopened for the foreman to file again (MayHoldMeeting).
func DecideFollowUp(ctx context.Context, db *store.DB, actor access.Principal, id int64, confirm bool) error {
	if !MayHoldMeeting(actor) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	to := FollowUpReopened
	if confirm {
		to = FollowUpConfirmed
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		var team int64
		var status FollowUpStatus
		err := tx.QueryRow(ctx, "SELECT team_id, status FROM workorder_followups WHERE id = ?", id).Scan(&team, &status)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "wo.followup_not_found", id)
		}
		if err != nil {
			return err
		}
		if status != FollowUpFiled {
			return errs.New(errs.Conflict, "wo.followup_not_filed")
		}
		if _, err := tx.Exec(ctx, "UPDATE workorder_followups SET status = ?, updated_at = ? WHERE id = ?", to, tx.Now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: string(to), Entity: "workorder_followup", EntityID: id, UnitID: team})
	})
}

// Meeting returns the day of month's fault analysis meeting, "" when not set.
func Meeting(ctx context.Context, db *store.DB, month string) (string, error) {
	var day string
	err := db.Read(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, "SELECT meets_on FROM workorder_meetings WHERE month = ?", month).Scan(&day)
		if store.IsNoRows(err) {
			return nil
		}
		return err
	})
	return day, err
}

// CountOpenFollowUps counts the follow-up visits still to make (open or sent back) among the
// follow-ups of the given months that the actor may see, in one query: the foreman's home
// page figure, by the follow-up list's scope.
func CountOpenFollowUps(ctx context.Context, db *store.DB, actor access.Principal, months ...string) (int, error) {
	if len(months) == 0 {
		return 0, nil
	}
	var n int
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "f.team_id")
		if err != nil {
			return err
		}
		in := make([]any, 0, len(months)+2+len(args))
		for _, m := range months {
			in = append(in, m)
		}
		in = append(append(in, FollowUpOpen, FollowUpReopened), args...)
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM workorder_followups f WHERE f.month IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(months)), ", ")+
			") AND f.status IN (?, ?) AND "+scope, in...).Scan(&n)
	})
	return n, errs.Wrapf(err, "count follow-up visits")
}
