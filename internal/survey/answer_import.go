package survey

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// ImportRow is one historical questionnaire from a paper ledger: the unit, the day it came
// back, the overall level (1-based) and its classification and opinion.
type ImportRow struct {
	UnitID      int64
	AnsweredOn  string
	Level       int
	Location    string
	ProblemType string
	Opinion     string
}

// Import stores questionnaires already checked on paper (a ledger kept before manyi, typed
// twice there) in one transaction, each on the next unanswered invitation of its unit. A
// bad row refuses the whole import, naming the row.
func Import(ctx context.Context, db *store.DB, actor access.Principal, campaignID int64, rows []ImportRow) (int, error) {
	n := 0
	err := db.InTx(ctx, func(tx *store.Tx) error {
		c, err := getCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if err := clerkOverAll(ctx, tx, actor, c); err != nil {
			return err
		}
		if c.Status != Open {
			return errs.New(errs.Conflict, "survey.campaign_closed", c.Name)
		}
		t, err := getTemplate(ctx, tx, c.TemplateID)
		if err != nil {
			return err
		}
		overall := t.Def.Overall()
		next := map[int64][]invitationRow{}
		for i, r := range rows {
			in := AnswerInput{Values: map[string][]string{overall.Key: {fmt.Sprint(r.Level)}}, Opinion: r.Opinion, Location: r.Location, ProblemType: r.ProblemType}
			sc, err := Score(t.Def, &in)
			if err == nil {
				var at time.Time
				if at, err = paperDay(c, r.AnsweredOn, tx.Now); err == nil {
					if len(next[r.UnitID]) == 0 {
						if next[r.UnitID], err = unanswered(ctx, tx, c.ID, r.UnitID, 500); err == nil && len(next[r.UnitID]) == 0 {
							err = errs.Field("survey_units", "survey.no_invitation_left", r.UnitID)
						}
					}
					if err == nil {
						inv := next[r.UnitID][0]
						next[r.UnitID] = next[r.UnitID][1:]
						_, err = insertAnswer(ctx, tx, actor, c, inv, Paper, in, sc, at, "", "", 0)
					}
				}
			}
			if err != nil {
				e := errs.As(err)
				if e.Code == errs.Internal {
					return err
				}
				return errs.New(errs.Invalid, "survey.import_row", i+1, e.Message("zh-CN"))
			}
			n++
		}
		return nil
	})
	return n, err
}

func unanswered(ctx context.Context, tx *store.Tx, campaignID, unitID int64, limit int) ([]invitationRow, error) {
	rows, err := tx.Query(ctx, `SELECT i.id, i.campaign_id, i.unit_id, i.code, u.name FROM survey_invitations i JOIN units u ON u.id = i.unit_id
		WHERE i.campaign_id = ? AND i.unit_id = ? AND i.answered_at IS NULL AND i.channel = 'household' ORDER BY i.seq LIMIT ?`, campaignID, unitID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []invitationRow
	for rows.Next() {
		var r invitationRow
		if err := rows.Scan(&r.id, &r.campaignID, &r.unitID, &r.code, &r.unitName); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
