package survey

import (
	"context"
	"fmt"
	"strings"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// MaxAddInvitations bounds one AddInvitations call: enough for a load test of minutes at
// thousands of answers a second, few enough for one transaction.
const MaxAddInvitations = 200_000

// AddInvitations creates n more household invitations for a running campaign, spread evenly
// over its units (or all for unitID when it is not 0), numbered after each unit's last, and
// returns their codes. It is for questionnaires printed again and for load tests (manyi
// load), which need a fresh invitation for every answer. The households of the campaign, and
// so its response rates, do not change. The actor must be a clerk over every unit it adds to.
func AddInvitations(ctx context.Context, db *store.DB, actor access.Principal, campaignID, unitID int64, n int) ([]string, error) {
	if n <= 0 || n > MaxAddInvitations {
		return nil, errs.Field("survey_invitation_count", "err.out_of_range", "1", fmt.Sprint(MaxAddInvitations))
	}
	var codes []string
	var err error
	// As in CreateCampaign, a clash of two random codes is retried with new codes.
	for range 3 {
		codes, err = addInvitations(ctx, db, actor, campaignID, unitID, n)
		if !errs.Is(err, errs.Internal) || !store.IsUniqueViolation(err) {
			return codes, err
		}
	}
	return codes, err
}

func addInvitations(ctx context.Context, db *store.DB, actor access.Principal, campaignID, unitID int64, n int) ([]string, error) {
	var codes []string
	err := db.InTx(ctx, func(tx *store.Tx) error {
		c, err := getCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if !c.AcceptsOnline(Day(tx.Now)) {
			return errs.New(errs.Conflict, "survey.campaign_closed", c.Name)
		}
		var units []int64
		for _, cu := range c.Units {
			if unitID == 0 || cu.UnitID == unitID {
				units = append(units, cu.UnitID)
			}
		}
		if len(units) == 0 {
			return errs.Field("survey_units", "survey.unit_unknown", unitID)
		}
		for i, u := range units {
			_, chain, err := activeUnit(ctx, tx, u)
			if err != nil {
				return err
			}
			if !actor.HoldsOver(chain, clerkRoles...) {
				return errs.New(errs.Forbidden, "survey.clerk_only")
			}
			// The first n % len(units) units take one more.
			k := n / len(units)
			if i < n%len(units) {
				k++
			}
			if k == 0 {
				continue
			}
			var last int
			if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM survey_invitations WHERE campaign_id = ? AND unit_id = ?", c.ID, u).Scan(&last); err != nil {
				return err
			}
			if err := insertInvitations(ctx, tx, c.ID, u, last+1, last+k, "household", nil); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "SELECT code FROM survey_invitations WHERE campaign_id = ? AND unit_id = ? AND seq > ? ORDER BY seq", c.ID, u, last)
			if err != nil {
				return err
			}
			for rows.Next() {
				var code string
				if err := rows.Scan(&code); err != nil {
					rows.Close()
					return err
				}
				codes = append(codes, code)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "add_invitations", Entity: "survey_campaign", EntityID: c.ID, UnitID: u,
				After: map[string]any{"unit_id": u, "from_seq": last + 1, "to_seq": last + k}}); err != nil {
				return err
			}
		}
		if len(codes) != n {
			return fmt.Errorf("add invitations: made %d, want %d", len(codes), n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RunningCampaign returns the id of the campaign that started last among those taking
// online answers today, for tools that need one (manyi load); not found when none runs.
func RunningCampaign(ctx context.Context, db *store.DB) (int64, error) {
	var id int64
	err := db.Read(ctx, func(tx *store.Tx) error {
		today := Day(tx.Now)
		err := tx.QueryRow(ctx, "SELECT id FROM survey_campaigns WHERE status = ? AND starts_on <= ? AND ends_on >= ? ORDER BY starts_on DESC, id DESC LIMIT 1",
			Open, today, today).Scan(&id)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "survey.campaign_unknown", 0)
		}
		return err
	})
	return id, err
}

// CountAnswered returns how many of the invitation codes have a stored answer: a load test
// checks with it that every acknowledged answer is there.
func CountAnswered(ctx context.Context, db *store.DB, codes []string) (int, error) {
	total := 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		for start := 0; start < len(codes); start += 500 {
			chunk := codes[start:min(len(codes), start+500)]
			args := make([]any, len(chunk))
			for i, c := range chunk {
				args[i] = c
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id
				WHERE i.code IN (`+strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+`)`, args...).Scan(&n); err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	return total, err
}
