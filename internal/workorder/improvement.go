package workorder

import (
	"context"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// ImprovementStatus is where a service-improvement item stands.
type ImprovementStatus string

const (
	ImprovementOpen      ImprovementStatus = "open"      // being carried out
	ImprovementDone      ImprovementStatus = "done"      // the team reports it done
	ImprovementConfirmed ImprovementStatus = "confirmed" // confirmed at the fault analysis meeting
	ImprovementReopened  ImprovementStatus = "reopened"  // the meeting sent it back
)

// Improvement is a service-improvement item (服务改善项目), a row of the improvement tracking
// table (改善项目跟踪管理表). The seed has the foreman's rectification of a 不满意 follow-up
// become one; the clerk or a foreman may also raise one directly.
type Improvement struct {
	ID         int64             `json:"id"`
	FollowUpID int64             `json:"followup_id,omitempty"`
	OrderID    int64             `json:"order_id,omitempty"`
	TeamID     int64             `json:"team_id"`
	TeamName   string            `json:"team_name"`
	Title      string            `json:"title"`
	Problem    string            `json:"problem"`
	Measures   string            `json:"measures"`
	Owner      string            `json:"owner"`
	DueOn      string            `json:"due_on"`
	Progress   string            `json:"progress"`
	Status     ImprovementStatus `json:"status"`
	Decision   string            `json:"decision"`
	CreatedBy  string            `json:"created_by"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Overdue reports whether the item is still being carried out after its due day.
func (i Improvement) Overdue(today string) bool {
	return (i.Status == ImprovementOpen || i.Status == ImprovementReopened) && i.DueOn < today
}

// ImprovementInput raises an item.
type ImprovementInput struct {
	TeamID   int64
	Title    string
	Problem  string
	Measures string
	Owner    string
	DueOn    string
}

var improvementRoles = []access.Role{access.Admin, access.Clerk, access.Foreman}

func (in *ImprovementInput) validate() error {
	var err error
	if in.TeamID == 0 {
		return errs.Required("team")
	}
	if in.Title, err = shortText("item_title", in.Title); err != nil {
		return err
	}
	if in.Problem, err = text("item_problem", in.Problem, true); err != nil {
		return err
	}
	if in.Measures, err = text("measures", in.Measures, true); err != nil {
		return err
	}
	if in.Owner, err = shortText("item_owner", in.Owner); err != nil {
		return err
	}
	d, err := ParseDay("item_due_on", in.DueOn)
	if err != nil {
		return err
	}
	in.DueOn = DayOf(d)
	return nil
}

// shortText is a required one-line text of at most 100 characters.
func shortText(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Required(field)
	}
	if len([]rune(s)) > 100 {
		return "", errs.Field(field, "err.too_long", 100)
	}
	return s, nil
}

// RaiseImprovement records an item not tied to a follow-up.
func RaiseImprovement(ctx context.Context, db *store.DB, actor access.Principal, in ImprovementInput) (Improvement, error) {
	if err := in.validate(); err != nil {
		return Improvement{}, err
	}
	var out Improvement
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := checkIsTeam(ctx, tx, in.TeamID); err != nil {
			return err
		}
		if err := authorize(ctx, tx, actor, improvementRoles, in.TeamID); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO workorder_improvements (team_id, title, problem, measures, owner, due_on, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`, in.TeamID, in.Title, in.Problem, in.Measures, in.Owner, in.DueOn, actorName(actor), tx.Now, tx.Now)
		if err != nil {
			return err
		}
		if out, err = getImprovement(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "workorder_improvement", EntityID: id, UnitID: in.TeamID, After: out})
	})
	return out, err
}

// raiseFromFollowUp makes (or, when the follow-up is filed again, renews) the item of a
// follow-up: the foreman's findings are the problem, the rectification the measures, due by
// the fault analysis meeting (or the end of the month after the order's, when it is not set).
func raiseFromFollowUp(ctx context.Context, tx *store.Tx, actor access.Principal, followUpID int64, title string) error {
	var team int64
	var month, findings, rect string
	var owner string
	err := tx.QueryRow(ctx, `SELECT f.team_id, f.month, f.findings, f.rectification, COALESCE(p.name, '') FROM workorder_followups f
		LEFT JOIN people p ON p.id = f.filed_by WHERE f.id = ?`, followUpID).Scan(&team, &month, &findings, &rect, &owner)
	if err != nil {
		return err
	}
	due := ""
	err = tx.QueryRow(ctx, "SELECT meets_on FROM workorder_meetings WHERE month = ?", NextMonth(month)).Scan(&due)
	if store.IsNoRows(err) {
		t, _ := time.ParseInLocation("2006-01", NextMonth(month), Zone)
		due, err = DayOf(t.AddDate(0, 1, -1)), nil
	}
	if err != nil {
		return err
	}
	in := ImprovementInput{TeamID: team, Title: title, Problem: findings, Measures: rect, Owner: owner, DueOn: due}
	if err := in.validate(); err != nil {
		return err
	}
	var id int64
	err = tx.QueryRow(ctx, "SELECT id FROM workorder_improvements WHERE followup_id = ?", followUpID).Scan(&id)
	action := "update"
	switch {
	case store.IsNoRows(err):
		action = "create"
		id, err = tx.InsertID(ctx, `INSERT INTO workorder_improvements (followup_id, team_id, title, problem, measures, owner, due_on, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`, followUpID, team, in.Title, in.Problem, in.Measures, in.Owner, in.DueOn, actorName(actor), tx.Now, tx.Now)
	case err == nil:
		_, err = tx.Exec(ctx, `UPDATE workorder_improvements SET title = ?, problem = ?, measures = ?, owner = ?, due_on = ?, status = 'open', updated_at = ?
			WHERE id = ?`, in.Title, in.Problem, in.Measures, in.Owner, in.DueOn, tx.Now, id)
	}
	if err != nil {
		return err
	}
	after, err := getImprovement(ctx, tx, id)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "workorder_improvement", EntityID: id, UnitID: team, After: after})
}

// ReportImprovement records the team's report that an item is done, with what was done.
func ReportImprovement(ctx context.Context, db *store.DB, actor access.Principal, id int64, progress string) error {
	progress, err := text("item_progress", progress, true)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		before, err := getImprovement(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := authorize(ctx, tx, actor, improvementRoles, before.TeamID); err != nil {
			return err
		}
		if before.Status == ImprovementConfirmed {
			return errs.New(errs.Conflict, "wo.item_confirmed")
		}
		if _, err := tx.Exec(ctx, "UPDATE workorder_improvements SET progress = ?, status = 'done', updated_at = ? WHERE id = ?", progress, tx.Now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "report_done", Entity: "workorder_improvement", EntityID: id, UnitID: before.TeamID,
			Before: map[string]any{"status": before.Status, "progress": before.Progress}, After: map[string]any{"status": ImprovementDone, "progress": progress}})
	})
}

// DecideImprovement records the fault analysis meeting's decision on an item reported done:
// confirmed, or reopened with the reason. Clerks and administrators record it.
func DecideImprovement(ctx context.Context, db *store.DB, actor access.Principal, id int64, confirm bool, decision string) error {
	if !actor.Has(access.Clerk) && !actor.Has(access.Admin) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	decision, err := text("item_decision", decision, !confirm)
	if err != nil {
		return err
	}
	to := ImprovementReopened
	if confirm {
		to = ImprovementConfirmed
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		before, err := getImprovement(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Status != ImprovementDone {
			return errs.New(errs.Conflict, "wo.item_not_done")
		}
		res, err := tx.Exec(ctx, "UPDATE workorder_improvements SET status = ?, decision = ?, updated_at = ? WHERE id = ? AND status = 'done'", to, decision, tx.Now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.Conflict, "wo.item_not_done")
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: string(to), Entity: "workorder_improvement", EntityID: id, UnitID: before.TeamID,
			After: map[string]any{"status": to, "decision": decision}})
	})
}

const improvementColumns = `i.id, COALESCE(i.followup_id, 0), COALESCE(f.order_id, 0), i.team_id, t.name, i.title, i.problem, i.measures, i.owner, i.due_on,
	i.progress, i.status, i.decision, i.created_by, i.created_at, i.updated_at`

const improvementFrom = ` FROM workorder_improvements i JOIN units t ON t.id = i.team_id LEFT JOIN workorder_followups f ON f.id = i.followup_id`

func scanImprovement(row interface{ Scan(...any) error }) (Improvement, error) {
	var i Improvement
	err := row.Scan(&i.ID, &i.FollowUpID, &i.OrderID, &i.TeamID, &i.TeamName, &i.Title, &i.Problem, &i.Measures, &i.Owner, &i.DueOn,
		&i.Progress, &i.Status, &i.Decision, &i.CreatedBy, &i.CreatedAt, &i.UpdatedAt)
	return i, err
}

func getImprovement(ctx context.Context, tx *store.Tx, id int64) (Improvement, error) {
	i, err := scanImprovement(tx.QueryRow(ctx, "SELECT "+improvementColumns+improvementFrom+" WHERE i.id = ?", id))
	if store.IsNoRows(err) {
		return Improvement{}, errs.New(errs.NotFound, "wo.item_not_found", id)
	}
	return i, err
}

// GetImprovement returns an item the actor may see.
func GetImprovement(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Improvement, error) {
	var i Improvement
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "i.team_id")
		if err != nil {
			return err
		}
		i, err = scanImprovement(tx.QueryRow(ctx, "SELECT "+improvementColumns+improvementFrom+" WHERE i.id = ? AND "+scope, append([]any{id}, args...)...))
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "wo.item_not_found", id)
		}
		return err
	})
	return i, err
}

// ImprovementFilter selects items for the tracking table.
type ImprovementFilter struct {
	Status ImprovementStatus // "" for all
	TeamID int64
}

// Improvements lists the items the actor may see: unfinished ones first, then by due day.
func Improvements(ctx context.Context, db *store.DB, actor access.Principal, f ImprovementFilter) ([]Improvement, error) {
	var out []Improvement
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "i.team_id")
		if err != nil {
			return err
		}
		where := []string{scope}
		if f.Status != "" {
			where, args = append(where, "i.status = ?"), append(args, f.Status)
		}
		if f.TeamID != 0 {
			where, args = append(where, "i.team_id = ?"), append(args, f.TeamID)
		}
		rows, err := tx.Query(ctx, "SELECT "+improvementColumns+improvementFrom+" WHERE "+strings.Join(where, " AND ")+
			` ORDER BY CASE i.status WHEN 'confirmed' THEN 1 ELSE 0 END, i.due_on, i.id LIMIT 1000`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			i, err := scanImprovement(rows)
			if err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	return out, err
}
