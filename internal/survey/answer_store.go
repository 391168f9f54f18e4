package survey

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Channels of an answer.
const (
	Online = "online"
	Paper  = "paper"
	Visit  = "visit"
)

type invitationRow struct {
	id, campaignID, unitID int64
	code, unitName         string
	answeredAt             *time.Time
}

func invitationByCode(ctx context.Context, tx *store.Tx, code string) (invitationRow, error) {
	var r invitationRow
	norm := NormalizeCode(code)
	if norm == "" {
		return r, errs.Field("survey_code", "survey.code_unknown", code)
	}
	err := tx.QueryRow(ctx, `SELECT i.id, i.campaign_id, i.unit_id, i.code, u.name, i.answered_at FROM survey_invitations i JOIN units u ON u.id = i.unit_id WHERE i.code = ?`, norm).
		Scan(&r.id, &r.campaignID, &r.unitID, &r.code, &r.unitName, &r.answeredAt)
	if store.IsNoRows(err) {
		return r, errs.Field("survey_code", "survey.code_unknown", code)
	}
	return r, err
}

// insertAnswer stores an answer, marks the invitation answered and opens a follow-up when
// the answer carries an opinion, all in tx. The audit entry leaves personal data out.
func insertAnswer(ctx context.Context, tx *store.Tx, actor access.Principal, c Campaign, inv invitationRow, channel string, in AnswerInput, sc Scored, at time.Time, idemKey, clientKey string, enteredBy int64) (int64, error) {
	var idem, by any
	if idemKey != "" {
		idem = idemKey
	}
	if enteredBy != 0 {
		by = enteredBy
	}
	id, err := tx.InsertID(ctx, `INSERT INTO survey_answers (invitation_id, campaign_id, unit_id, channel, answered_at, overall_level, points, band, satisfied, dissatisfied,
		location, problem_type, opinion, has_opinion, respondent, phone, answers, pattern, idem_key, client_key, entered_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		inv.id, c.ID, inv.unitID, channel, at, sc.Level, sc.Points, sc.Band, sc.Satisfied, sc.Dissatisfied,
		in.Location, in.ProblemType, in.Opinion, in.Opinion != "", in.Respondent, in.Phone, sc.Answers, sc.Pattern, idem, clientKey, by, tx.Now, tx.Now)
	if err != nil {
		return 0, fmt.Errorf("insert answer: %w", err)
	}
	res, err := tx.Exec(ctx, "UPDATE survey_invitations SET answered_at = ? WHERE id = ? AND answered_at IS NULL", at, inv.id)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, errs.New(errs.Conflict, "survey.already_answered")
	}
	if in.Opinion != "" {
		if _, err := tx.Exec(ctx, "INSERT INTO survey_followups (answer_id, unit_id, status, due_at, created_at) VALUES (?, ?, 'open', ?, ?)",
			id, inv.unitID, tx.Now.AddDate(0, 0, c.FollowupDays), tx.Now); err != nil {
			return 0, err
		}
	}
	if err := audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "survey_answer", EntityID: id, UnitID: inv.unitID,
		After: map[string]any{"campaign_id": c.ID, "invitation": inv.code, "channel": channel, "answered_at": at, "overall_level": sc.Level, "band": sc.Band,
			"satisfied": sc.Satisfied, "location": in.Location, "problem_type": in.ProblemType, "has_opinion": in.Opinion != ""}}); err != nil {
		return 0, err
	}
	// The running counts go last: their row is shared by every answer of the unit that day,
	// and on PostgreSQL its lock is held from here to the commit.
	if err := bump(ctx, tx, countState{campaignID: c.ID, unitID: inv.unitID, day: Day(at), location: in.Location, problemType: in.ProblemType,
		satisfied: sc.Satisfied, dissatisfied: sc.Dissatisfied, opinion: in.Opinion != "", points: sc.Points, band: sc.Band, resident: c.Audience == Residents}, 1); err != nil {
		return 0, err
	}
	return id, nil
}
