package survey

import (
	"context"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Follow-up statuses: open (waiting for the unit), answered (cause, action and outcome
// recorded), escalated (out of the unit's reach, with a reason), closed (checked by the
// Quality Department).
const (
	FollowOpen      = "open"
	FollowAnswered  = "answered"
	FollowEscalated = "escalated"
	FollowClosed    = "closed"
)

// FollowStatuses lists the statuses in order.
var FollowStatuses = []string{FollowOpen, FollowAnswered, FollowEscalated, FollowClosed}

// Followup is the follow-up (回访) of an answer with an opinion.
type Followup struct {
	ID         int64      `json:"id"`
	AnswerID   int64      `json:"answer_id"`
	UnitID     int64      `json:"unit_id"`
	UnitName   string     `json:"unit_name"`
	Status     string     `json:"status"`
	DueAt      time.Time  `json:"due_at"`
	Cause      string     `json:"cause"`
	Action     string     `json:"action"`
	Outcome    string     `json:"outcome"`
	Escalation string     `json:"escalation"`
	CheckNote  string     `json:"check_note"`
	AnsweredBy string     `json:"answered_by"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	ClosedBy   string     `json:"closed_by"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	Opinion    string     `json:"opinion"`
	Overdue    bool       `json:"overdue"`
}

const followupColumns = `f.id, f.answer_id, f.unit_id, u.name, f.status, f.due_at, f.cause, f.action, f.outcome, f.escalation, f.check_note,
	f.answered_by, f.answered_at, f.closed_by, f.closed_at, f.created_at, a.opinion`

const followupFrom = " FROM survey_followups f JOIN units u ON u.id = f.unit_id JOIN survey_answers a ON a.id = f.answer_id"

func scanFollowup(row interface{ Scan(...any) error }, now time.Time) (Followup, error) {
	var f Followup
	err := row.Scan(&f.ID, &f.AnswerID, &f.UnitID, &f.UnitName, &f.Status, &f.DueAt, &f.Cause, &f.Action, &f.Outcome, &f.Escalation, &f.CheckNote,
		&f.AnsweredBy, &f.AnsweredAt, &f.ClosedBy, &f.ClosedAt, &f.CreatedAt, &f.Opinion)
	f.DueAt, f.CreatedAt = f.DueAt.UTC(), f.CreatedAt.UTC()
	f.Overdue = f.Status == FollowOpen && now.After(f.DueAt)
	return f, err
}

// FollowupFilter selects follow-ups.
type FollowupFilter struct {
	UnitID  int64
	Status  string
	Overdue bool
	Limit   int
	// SubUnits widens UnitID to its sub-units (the API's unit filter).
	SubUnits bool
	From, To time.Time // opened in [From, To)
	// Keyset pages by id instead (the API): newest id first, ids below BeforeID (0: from the newest).
	Keyset   bool
	BeforeID int64
	// Page reads a page by keyset, newest first (the web list), overriding Limit: Fetch() rows
	// in its order, for store.Cut.
	Page *store.Page
}

// followupOrder is the web list's order: the newest first, as the API's.
var followupOrder = store.Order{ID: "f.id"}

// ListFollowups returns the follow-ups of the units the actor may read: a page of them with
// f.Page or f.Keyset, newest first; otherwise open and earliest due first.
func ListFollowups(ctx context.Context, db *store.DB, actor access.Principal, f FollowupFilter) ([]Followup, error) {
	var out []Followup
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args, none, err := followupConds(ctx, tx, actor, f)
		if err != nil || none {
			return err
		}
		if f.Keyset && f.BeforeID > 0 {
			where, args = append(where, "f.id < ?"), append(args, f.BeforeID)
		}
		limit := f.Limit
		if limit <= 0 || limit > 1000 {
			limit = 200
		}
		order := " ORDER BY CASE f.status WHEN 'open' THEN 0 WHEN 'escalated' THEN 1 WHEN 'answered' THEN 2 ELSE 3 END, f.due_at, f.id LIMIT ?"
		switch {
		case f.Page != nil:
			order, limit = f.Page.OrderBy(followupOrder), f.Page.Fetch()
			if c, a := f.Page.Where(followupOrder); c != "" {
				where, args = append(where, c), append(args, a...)
			}
		case f.Keyset:
			order = " ORDER BY f.id DESC LIMIT ?"
		}
		rows, err := tx.Query(ctx, "SELECT "+followupColumns+followupFrom+" WHERE "+strings.Join(where, " AND ")+order, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			fu, err := scanFollowup(rows, tx.Now)
			if err != nil {
				return err
			}
			out = append(out, fu)
		}
		return rows.Err()
	})
	return out, err
}

// CountFollowups counts the follow-ups the actor may read that match f (its page aside),
// in one query: the home page's figure, by the list's own rule.
func CountFollowups(ctx context.Context, db *store.DB, actor access.Principal, f FollowupFilter) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args, none, err := followupConds(ctx, tx, actor, f)
		if err != nil || none {
			return err
		}
		return tx.QueryRow(ctx, "SELECT COUNT(*)"+followupFrom+" WHERE "+strings.Join(where, " AND "), args...).Scan(&n)
	})
	return n, errs.Wrapf(err, "count follow-ups")
}

// followupConds are the conditions selecting the follow-ups of f (its page aside) that the
// actor may read; none when the actor may read no unit.
func followupConds(ctx context.Context, tx *store.Tx, actor access.Principal, f FollowupFilter) ([]string, []any, bool, error) {
	where, args := []string{"1 = 1"}, []any{}
	scope, all := actor.ScopeRoots(access.Read)
	subUnits := f.UnitID != 0 && f.SubUnits
	var tree *org.Tree // read once for the sub-units and the scope
	if subUnits || !all {
		var err error
		if tree, err = org.LoadTree(ctx, tx); err != nil {
			return nil, nil, false, err
		}
	}
	if subUnits {
		cond, ids := store.In("f.unit_id", tree.Subtree(f.UnitID))
		where, args = append(where, cond), append(args, ids...)
	} else if f.UnitID != 0 {
		where, args = append(where, "f.unit_id = ?"), append(args, f.UnitID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "f.created_at >= ?"), append(args, f.From)
	}
	if !f.To.IsZero() {
		where, args = append(where, "f.created_at < ?"), append(args, f.To)
	}
	if f.Status != "" {
		where, args = append(where, "f.status = ?"), append(args, f.Status)
	}
	if f.Overdue {
		where, args = append(where, "f.status = 'open' AND f.due_at < ?"), append(args, tx.Now)
	}
	if !all {
		units := scopeUnits(tree, scope)
		if len(units) == 0 {
			return nil, nil, true, nil
		}
		where = append(where, "f.unit_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(units)), ",")+")")
		for _, u := range units {
			args = append(args, u)
		}
	}
	return where, args, false, nil
}

// GetFollowup returns a follow-up the actor may read.
func GetFollowup(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Followup, error) {
	var f Followup
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if f, err = getFollowup(ctx, tx, id); err != nil {
			return err
		}
		return org.Authorize(ctx, tx, actor, access.Read, f.UnitID)
	})
	return f, err
}

func getFollowup(ctx context.Context, tx *store.Tx, id int64) (Followup, error) {
	f, err := scanFollowup(tx.QueryRow(ctx, "SELECT "+followupColumns+followupFrom+" WHERE f.id = ?", id), tx.Now)
	if store.IsNoRows(err) {
		return f, errs.New(errs.NotFound, "survey.followup_unknown", id)
	}
	return f, err
}

// FollowupInput is the unit's record of a follow-up, or an escalation.
type FollowupInput struct {
	Cause, Action, Outcome string
	Escalate               bool
	Escalation             string
}

// RecordFollowup records what the unit found and did, or escalates the problem with a
// reason when it is out of the unit's reach. A closed follow-up cannot change.
func RecordFollowup(ctx context.Context, db *store.DB, actor access.Principal, id int64, in FollowupInput) error {
	var err error
	if in.Escalate {
		if in.Escalation, err = reasonOK("followup_escalation", in.Escalation, true); err != nil {
			return err
		}
	} else {
		for _, f := range []struct {
			name string
			v    *string
		}{{"followup_cause", &in.Cause}, {"followup_action", &in.Action}, {"followup_outcome", &in.Outcome}} {
			if *f.v, err = reasonOK(f.name, *f.v, true); err != nil {
				return err
			}
		}
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		f, err := getFollowup(ctx, tx, id)
		if err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, f.UnitID)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(chain, handleRoles...) {
			return errs.New(errs.Forbidden, "survey.followup_not_yours")
		}
		if f.Status == FollowClosed {
			return errs.New(errs.Conflict, "survey.followup_closed")
		}
		status, action := FollowAnswered, "answer_followup"
		if in.Escalate {
			status, action = FollowEscalated, "escalate_followup"
			_, err = tx.Exec(ctx, "UPDATE survey_followups SET status = ?, escalation = ?, answered_by = ?, answered_at = ? WHERE id = ?",
				status, in.Escalation, actor.Login(), tx.Now, id)
		} else {
			_, err = tx.Exec(ctx, "UPDATE survey_followups SET status = ?, cause = ?, action = ?, outcome = ?, answered_by = ?, answered_at = ? WHERE id = ?",
				status, in.Cause, in.Action, in.Outcome, actor.Login(), tx.Now, id)
		}
		if err != nil {
			return err
		}
		// The notes stay out of the append-only audit log: they tell of the resident, and
		// the retention purge must be able to remove every copy of them.
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "survey_followup", EntityID: id, UnitID: f.UnitID,
			Before: map[string]string{"status": f.Status}, After: map[string]any{"status": status}})
	})
}

// CloseFollowup is the Quality Department's check: a clerk closes a follow-up the unit has
// answered or escalated, with a note.
func CloseFollowup(ctx context.Context, db *store.DB, actor access.Principal, id int64, note string) error {
	note, err := reasonOK("followup_check", note, true)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		f, err := getFollowup(ctx, tx, id)
		if err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, f.UnitID)
		if err != nil {
			return err
		}
		if !actor.HoldsOver(chain, clerkRoles...) {
			return errs.New(errs.Forbidden, "survey.clerk_only")
		}
		switch f.Status {
		case FollowClosed:
			return errs.New(errs.Conflict, "survey.followup_closed")
		case FollowOpen:
			return errs.New(errs.Conflict, "survey.followup_not_answered")
		}
		if _, err := tx.Exec(ctx, "UPDATE survey_followups SET status = 'closed', check_note = ?, closed_by = ?, closed_at = ? WHERE id = ?", note, actor.Login(), tx.Now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "close", Entity: "survey_followup", EntityID: id, UnitID: f.UnitID,
			Before: map[string]string{"status": f.Status}, After: map[string]string{"status": FollowClosed}})
	})
}

// ImproperCase is a verified use of improper means to raise satisfaction.
type ImproperCase struct {
	ID          int64     `json:"id"`
	UnitID      int64     `json:"unit_id"`
	UnitName    string    `json:"unit_name"`
	OccurredOn  string    `json:"occurred_on"`
	Description string    `json:"description"`
	FineYuan    int       `json:"fine_yuan"`
	Points      int       `json:"points"`
	RecordedBy  string    `json:"recorded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Seed 001 §六.4: 100 yuan and −5 on the month's performance score per verified case.
const (
	ImproperFine   = 100
	ImproperPoints = 5
)

// RecordImproper records a verified improper-means case against a unit.
func RecordImproper(ctx context.Context, db *store.DB, actor access.Principal, unitID int64, occurredOn, description string) (ImproperCase, error) {
	var c ImproperCase
	if !MayManage(actor) {
		return c, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	description, err := reasonOK("improper_description", description, true)
	if err != nil {
		return c, err
	}
	day, err := parseDay("improper_on", occurredOn)
	if err != nil {
		return c, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if day.After(tx.Now) {
			return errs.Field("improper_on", "survey.day_future")
		}
		u, chain, err := activeUnit(ctx, tx, unitID)
		if err != nil {
			return errs.Field("unit_id", "survey.unit_unknown", unitID)
		}
		if !actor.HoldsOver(chain, clerkRoles...) {
			return errs.New(errs.Forbidden, "survey.clerk_only")
		}
		c = ImproperCase{UnitID: u.ID, UnitName: u.Name, OccurredOn: day.Format(time.DateOnly), Description: description, FineYuan: ImproperFine, Points: ImproperPoints,
			RecordedBy: actor.Login(), CreatedAt: tx.Now}
		c.ID, err = tx.InsertID(ctx, "INSERT INTO survey_improper_cases (unit_id, occurred_on, description, fine_yuan, points, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			c.UnitID, c.OccurredOn, c.Description, c.FineYuan, c.Points, c.RecordedBy, c.CreatedAt)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "survey_improper_case", EntityID: c.ID, UnitID: c.UnitID, After: c})
	})
	return c, err
}

// ListImproper returns the improper-means cases the actor may read, newest first.
func ListImproper(ctx context.Context, db *store.DB, actor access.Principal) ([]ImproperCase, error) {
	var out []ImproperCase
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.id, c.unit_id, u.name, c.occurred_on, c.description, c.fine_yuan, c.points, c.recorded_by, c.created_at
			FROM survey_improper_cases c JOIN units u ON u.id = c.unit_id ORDER BY c.occurred_on DESC, c.id DESC`)
		if err != nil {
			return err
		}
		var all []ImproperCase
		for rows.Next() {
			var c ImproperCase
			if err := rows.Scan(&c.ID, &c.UnitID, &c.UnitName, &c.OccurredOn, &c.Description, &c.FineYuan, &c.Points, &c.RecordedBy, &c.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			all = append(all, c)
		}
		rows.Close()
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		for _, c := range all {
			if actor.Can(access.Read, tree.Ancestry(c.UnitID)) {
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}
