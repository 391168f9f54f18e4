package workorder

import (
	"context"
	"strconv"
	"strings"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/store"
)

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

// raiseFromFollowUp makes (or, when the follow-up is filed again, renews) the improvement
// item of a follow-up (纳入服务改善项目管理): the foreman's findings are the problem, the
// rectification the measures, due by the fault analysis meeting (or the end of the month
// after the order's, when it is not set). The item lives in the one improvement loop
// (internal/improvement) beside the items of every other source.
func raiseFromFollowUp(ctx context.Context, tx *store.Tx, actor access.Principal, followUpID int64, title string) error {
	var team int64
	var month, visited, findings, rect, owner string
	err := tx.QueryRow(ctx, `SELECT f.team_id, f.month, COALESCE(f.visited_on, ''), f.findings, f.rectification, COALESCE(p.name, '') FROM workorder_followups f
		LEFT JOIN people p ON p.id = f.filed_by WHERE f.id = ?`, followUpID).Scan(&team, &month, &visited, &findings, &rect, &owner)
	if err != nil {
		return err
	}
	meeting := ""
	err = tx.QueryRow(ctx, "SELECT meets_on FROM workorder_meetings WHERE month = ?", NextMonth(month)).Scan(&meeting)
	if err != nil && !store.IsNoRows(err) {
		return err
	}
	due := FollowUpDue(month, meeting)
	ref := strconv.FormatInt(followUpID, 10)
	src := improvement.Source{Kind: improvement.WorkOrderFollowUp, Ref: ref, URL: "/workorders/followups/" + ref, UnitID: team, On: visited, Problem: findings}
	return improvement.RenewTx(ctx, tx, actor, src, improvement.Input{Title: title, Problem: findings, Measures: rect, Owner: owner, DueOn: due})
}
