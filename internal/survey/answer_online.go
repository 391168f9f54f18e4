package survey

import (
	"context"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Public is the actor of what a resident does on the public pages.
var Public = access.Principal{Username: "public", Name: "resident"}

// PublicLimit is how many answers one client may submit online per hour. A household
// answers once; a family or a building sharing one network may answer a few times.
const PublicLimit = 30

// Questionnaire is what the public page shows for a code.
type Questionnaire struct {
	Code     string
	Campaign Campaign
	UnitName string
	Template Template
	Answered bool
	Open     bool // the campaign takes online answers today

	inv invitationRow
}

// OpenQuestionnaire returns the questionnaire of an invitation code for the public page.
func OpenQuestionnaire(ctx context.Context, db *store.DB, code string) (Questionnaire, error) {
	var q Questionnaire
	err := db.Read(ctx, func(tx *store.Tx) error {
		inv, err := invitationByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		// The page needs the campaign's own fields, not its list of units.
		if q.Campaign, err = campaignRow(ctx, tx, inv.campaignID); err != nil {
			return err
		}
		if q.Template, err = getTemplate(ctx, tx, q.Campaign.TemplateID); err != nil {
			return err
		}
		q.inv = inv
		q.Code, q.UnitName, q.Answered = inv.code, inv.unitName, inv.answeredAt != nil
		q.Open = q.Campaign.AcceptsOnline(Day(tx.Now))
		return nil
	})
	return q, err
}

// Receipt acknowledges a stored answer.
type Receipt struct {
	AnswerID  int64
	Code      string
	Duplicate bool // the same submission was stored before (a retry)
}

// SubmitOnline stores a resident's answer to the invitation code: one answer per
// invitation, online only while the campaign runs, at most PublicLimit an hour from one
// client (clientKey, a hash of its address). idemKey, issued with the form, makes a retried
// submission return the first one's receipt instead of storing it twice.
func SubmitOnline(ctx context.Context, db *store.DB, code string, in AnswerInput, idemKey, clientKey string) (Receipt, error) {
	return SubmitOnlineLimited(ctx, db, code, in, idemKey, clientKey, PublicLimit)
}

// SubmitOnlineLimited is SubmitOnline with the server's configured hourly limit per client
// instead of PublicLimit; limit <= 0 means PublicLimit.
func SubmitOnlineLimited(ctx context.Context, db *store.DB, code string, in AnswerInput, idemKey, clientKey string, limit int) (Receipt, error) {
	q, err := OpenQuestionnaire(ctx, db, code)
	if err != nil {
		return Receipt{}, err
	}
	return q.Submit(ctx, db, in, idemKey, clientKey, limit)
}

// Submit stores a resident's answer to the questionnaire, as SubmitOnlineLimited does; the
// public page calls it with the questionnaire it has just opened to read the form, so a submit
// reads the invitation, campaign and template once. limit <= 0 means PublicLimit.
func (q Questionnaire) Submit(ctx context.Context, db *store.DB, in AnswerInput, idemKey, clientKey string, limit int) (Receipt, error) {
	if limit <= 0 {
		limit = PublicLimit
	}
	idemKey = strings.TrimSpace(idemKey)
	if len(idemKey) > 64 {
		idemKey = ""
	}
	// The answer is checked before the write transaction, so the single writer is held only
	// for the few statements that store it.
	c, inv := q.Campaign, q.inv
	sc, err := Score(q.Template.Def, &in)
	if err != nil {
		return Receipt{}, err
	}
	var rc Receipt
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if idemKey != "" {
			if r, ok, err := byIdem(ctx, tx, idemKey); err != nil || ok {
				rc = r
				return err
			}
		}
		if clientKey != "" {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM survey_answers WHERE client_key = ? AND created_at > ?", clientKey, tx.Now.Add(-time.Hour)).Scan(&n); err != nil {
				return err
			}
			if n >= limit {
				return errs.New(errs.TooMany, "survey.rate_limited")
			}
		}
		var status string
		var answered *time.Time
		if err := tx.QueryRow(ctx, "SELECT c.status, i.answered_at FROM survey_invitations i JOIN survey_campaigns c ON c.id = i.campaign_id WHERE i.id = ?", inv.id).Scan(&status, &answered); err != nil {
			return err
		}
		c.Status = status
		if !c.AcceptsOnline(Day(tx.Now)) {
			return errs.New(errs.Conflict, "survey.campaign_closed", c.Name)
		}
		if answered != nil {
			return errs.New(errs.Conflict, "survey.already_answered")
		}
		id, err := insertAnswer(ctx, tx, Public, c, inv, Online, in, sc, tx.Now, idemKey, clientKey, 0)
		rc = Receipt{AnswerID: id, Code: inv.code}
		return err
	})
	if err != nil && store.IsUniqueViolation(err) {
		// Two submissions raced: the one that lost finds the winner's answer. If it carried
		// the same idempotency key it was a retry and gets the same receipt.
		if idemKey != "" {
			var r Receipt
			var ok bool
			if rerr := db.Read(ctx, func(tx *store.Tx) (e error) { r, ok, e = byIdem(ctx, tx, idemKey); return e }); rerr == nil && ok {
				return r, nil
			}
		}
		return rc, errs.New(errs.Conflict, "survey.already_answered")
	}
	return rc, err
}

func byIdem(ctx context.Context, tx *store.Tx, key string) (Receipt, bool, error) {
	var r Receipt
	err := tx.QueryRow(ctx, "SELECT a.id, i.code FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id WHERE a.idem_key = ?", key).Scan(&r.AnswerID, &r.Code)
	if store.IsNoRows(err) {
		return r, false, nil
	}
	r.Duplicate = true
	return r, err == nil, err
}
