package survey

import (
	"context"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// RecordVisit stores an opinion collected on an irregular visit (走访, seed 001 §三.2②): a
// new invitation of channel visit with its answer, typed once by the clerk who visited.
func RecordVisit(ctx context.Context, db *store.DB, actor access.Principal, campaignID, unitID int64, in AnswerInput, answeredOn string) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		c, err := getCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		chain, err := org.Ancestry(ctx, tx, unitID)
		if err != nil {
			return errs.Field("unit_id", "survey.unit_unknown", unitID)
		}
		if !actor.HoldsOver(chain, clerkRoles...) {
			return errs.New(errs.Forbidden, "survey.clerk_only")
		}
		inCampaign := false
		for _, cu := range c.Units {
			inCampaign = inCampaign || cu.UnitID == unitID
		}
		if !inCampaign {
			return errs.Field("unit_id", "survey.unit_not_in_campaign", c.Name)
		}
		if c.Status != Open {
			return errs.New(errs.Conflict, "survey.campaign_closed", c.Name)
		}
		t, err := getTemplate(ctx, tx, c.TemplateID)
		if err != nil {
			return err
		}
		sc, err := Score(t.Def, &in)
		if err != nil {
			return err
		}
		at, err := paperDay(c, answeredOn, tx.Now)
		if err != nil {
			return err
		}
		var seq int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM survey_invitations WHERE campaign_id = ? AND unit_id = ?", c.ID, unitID).Scan(&seq); err != nil {
			return err
		}
		if err := insertInvitations(ctx, tx, c.ID, unitID, seq+1, seq+1, "visit", nil); err != nil {
			return err
		}
		var inv invitationRow
		if err := tx.QueryRow(ctx, "SELECT id, campaign_id, unit_id, code FROM survey_invitations WHERE campaign_id = ? AND unit_id = ? AND seq = ?", c.ID, unitID, seq+1).
			Scan(&inv.id, &inv.campaignID, &inv.unitID, &inv.code); err != nil {
			return err
		}
		id, err = insertAnswer(ctx, tx, actor, c, inv, Visit, in, sc, at, "", "", actor.UserID)
		return err
	})
	return id, err
}
