package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// paperDay checks the day a paper questionnaire came back: within the campaign, not in the
// future. It returns noon of that day, the time the answer is dated.
func paperDay(c Campaign, day string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(day) == "" {
		day = Day(now)
	}
	t, err := parseDay("survey_answered_on", day)
	if err != nil {
		return t, err
	}
	day = t.Format(time.DateOnly)
	if day < c.StartsOn || day > c.EndsOn {
		return t, errs.Field("survey_answered_on", "survey.day_outside", c.StartsOn, c.EndsOn)
	}
	if day > Day(now) {
		return t, errs.Field("survey_answered_on", "survey.day_future")
	}
	return t.Add(12 * time.Hour).UTC(), nil
}

// EntryResult says what a paper entry did.
type EntryResult struct {
	Pass     int
	AnswerID int64 // set when the second entry matched the first and the answer was stored
	Mismatch bool  // the second entry differs from the first: it waits for resolution
}

// Enter records one clerk's typing of a returned paper questionnaire. The first entry waits
// for a second, by another clerk who does not see it; equal entries store the answer, and
// different ones are listed for resolution.
func Enter(ctx context.Context, db *store.DB, actor access.Principal, code string, in AnswerInput, answeredOn string) (EntryResult, error) {
	var res EntryResult
	if actor.UserID == 0 {
		return res, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		inv, c, t, err := paperTarget(ctx, tx, actor, code)
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
		payload, err := json.Marshal(entryPayload{In: in, Day: Day(at)})
		if err != nil {
			return err
		}
		prev, err := entriesOf(ctx, tx, inv.id)
		if err != nil {
			return err
		}
		switch len(prev) {
		case 0:
			res.Pass = 1
		case 1:
			if prev[0].by == actor.UserID {
				return errs.New(errs.Conflict, "survey.second_clerk_required")
			}
			res.Pass = 2
		default:
			return errs.New(errs.Conflict, "survey.awaiting_resolution")
		}
		if _, err := tx.Exec(ctx, "INSERT INTO survey_entries (invitation_id, pass, entered_by, entered_name, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			inv.id, res.Pass, actor.UserID, actor.Name, string(payload), tx.Now); err != nil {
			return fmt.Errorf("insert entry: %w", err)
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "enter", Entity: "survey_entry", EntityID: inv.code, UnitID: inv.unitID,
			After: map[string]any{"pass": res.Pass, "answered_on": Day(at)}}); err != nil {
			return err
		}
		if res.Pass == 1 {
			return nil
		}
		first, err := prev[0].decode()
		if err != nil {
			return err
		}
		fsc, err := Score(t.Def, &first.In)
		if err != nil {
			return err
		}
		if Canonical(first.In, fsc.Answers, first.Day) != Canonical(in, sc.Answers, Day(at)) {
			res.Mismatch = true
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE survey_entries SET correct = ? WHERE invitation_id = ?", true, inv.id); err != nil {
			return err
		}
		res.AnswerID, err = insertAnswer(ctx, tx, actor, c, inv, Paper, in, sc, at, "", "", prev[0].by)
		return err
	})
	return res, err
}

type entryPayload struct {
	In  AnswerInput `json:"in"`
	Day string      `json:"day"`
}

type entryRow struct {
	id, by  int64
	pass    int
	name    string
	payload string
	correct *bool
}

func (e entryRow) decode() (entryPayload, error) {
	var p entryPayload
	err := json.Unmarshal([]byte(e.payload), &p)
	return p, err
}

func entriesOf(ctx context.Context, tx *store.Tx, invitationID int64) ([]entryRow, error) {
	rows, err := tx.Query(ctx, "SELECT id, entered_by, pass, entered_name, payload, correct FROM survey_entries WHERE invitation_id = ? ORDER BY pass", invitationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []entryRow
	for rows.Next() {
		var e entryRow
		if err := rows.Scan(&e.id, &e.by, &e.pass, &e.name, &e.payload, &e.correct); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// paperTarget finds the invitation of a paper questionnaire and checks that the actor is a
// clerk over its unit, the campaign is open and the invitation not answered.
func paperTarget(ctx context.Context, tx *store.Tx, actor access.Principal, code string) (invitationRow, Campaign, Template, error) {
	var c Campaign
	var t Template
	if !MayManage(actor) {
		return invitationRow{}, c, t, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	inv, err := invitationByCode(ctx, tx, code)
	if err != nil {
		return inv, c, t, err
	}
	chain, err := org.Ancestry(ctx, tx, inv.unitID)
	if err != nil {
		return inv, c, t, err
	}
	if !actor.HoldsOver(chain, clerkRoles...) {
		return inv, c, t, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	if c, err = getCampaign(ctx, tx, inv.campaignID); err != nil {
		return inv, c, t, err
	}
	if c.Status != Open {
		return inv, c, t, errs.New(errs.Conflict, "survey.campaign_closed", c.Name)
	}
	if inv.answeredAt != nil {
		return inv, c, t, errs.New(errs.Conflict, "survey.already_answered")
	}
	t, err = getTemplate(ctx, tx, c.TemplateID)
	return inv, c, t, err
}

// PaperForm is what the entry page shows for a code.
type PaperForm struct {
	Code     string
	Campaign Campaign
	UnitName string
	Template Template
	Pass     int // the pass this clerk would enter; 0 when nothing is left to enter
	Entries  []EntryView
}

// EntryView is one clerk's entry, for the resolution page.
type EntryView struct {
	Pass    int
	Clerk   string
	In      AnswerInput
	Day     string
	Correct *bool
}

// OpenPaper returns a paper questionnaire for entry. The entries themselves are included
// only when both are in (for resolution): the second clerk types blind.
func OpenPaper(ctx context.Context, db *store.DB, actor access.Principal, code string) (PaperForm, error) {
	var f PaperForm
	err := db.Read(ctx, func(tx *store.Tx) error {
		inv, c, t, err := paperTarget(ctx, tx, actor, code)
		if err != nil {
			return err
		}
		f.Code, f.Campaign, f.UnitName, f.Template = inv.code, c, inv.unitName, t
		prev, err := entriesOf(ctx, tx, inv.id)
		if err != nil {
			return err
		}
		switch len(prev) {
		case 0:
			f.Pass = 1
		case 1:
			if prev[0].by != actor.UserID {
				f.Pass = 2
			}
		default:
			for _, e := range prev {
				p, err := e.decode()
				if err != nil {
					return err
				}
				f.Entries = append(f.Entries, EntryView{Pass: e.pass, Clerk: e.name, In: p.In, Day: p.Day, Correct: e.correct})
			}
		}
		return nil
	})
	return f, err
}

// Resolve settles a mismatch: the clerk enters what the paper says, the answer is stored,
// and each entry is marked correct or not for the clerks' accuracy.
func Resolve(ctx context.Context, db *store.DB, actor access.Principal, code string, in AnswerInput, answeredOn string) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		inv, c, t, err := paperTarget(ctx, tx, actor, code)
		if err != nil {
			return err
		}
		prev, err := entriesOf(ctx, tx, inv.id)
		if err != nil {
			return err
		}
		if len(prev) != 2 {
			return errs.New(errs.Conflict, "survey.nothing_to_resolve")
		}
		sc, err := Score(t.Def, &in)
		if err != nil {
			return err
		}
		at, err := paperDay(c, answeredOn, tx.Now)
		if err != nil {
			return err
		}
		final := Canonical(in, sc.Answers, Day(at))
		for _, e := range prev {
			p, err := e.decode()
			if err != nil {
				return err
			}
			esc, err := Score(t.Def, &p.In)
			ok := err == nil && Canonical(p.In, esc.Answers, p.Day) == final
			if _, err := tx.Exec(ctx, "UPDATE survey_entries SET correct = ? WHERE id = ?", ok, e.id); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "resolve_entry", Entity: "survey_entry", EntityID: inv.code, UnitID: inv.unitID}); err != nil {
			return err
		}
		id, err = insertAnswer(ctx, tx, actor, c, inv, Paper, in, sc, at, "", "", prev[0].by)
		return err
	})
	return id, err
}

// Mismatch is a paper questionnaire whose two entries differ.
type Mismatch struct {
	Code     string    `json:"code"`
	UnitName string    `json:"unit_name"`
	Campaign string    `json:"campaign"`
	Clerks   string    `json:"clerks"`
	At       time.Time `json:"at"`
}

// ListMismatches returns the questionnaires waiting for resolution in the actor's scope.
func ListMismatches(ctx context.Context, db *store.DB, actor access.Principal) ([]Mismatch, error) {
	var out []Mismatch
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT i.code, i.unit_id, u.name, c.name, e1.entered_name, e2.entered_name, e2.created_at FROM survey_entries e1
			JOIN survey_entries e2 ON e2.invitation_id = e1.invitation_id AND e2.pass = 2
			JOIN survey_invitations i ON i.id = e1.invitation_id JOIN units u ON u.id = i.unit_id JOIN survey_campaigns c ON c.id = i.campaign_id
			WHERE e1.pass = 1 AND i.answered_at IS NULL ORDER BY e2.created_at`)
		if err != nil {
			return err
		}
		defer rows.Close()
		type row struct {
			m    Mismatch
			unit int64
		}
		var all []row
		for rows.Next() {
			var r row
			var a, b string
			if err := rows.Scan(&r.m.Code, &r.unit, &r.m.UnitName, &r.m.Campaign, &a, &b, &r.m.At); err != nil {
				return err
			}
			r.m.Clerks, r.m.At = a+" / "+b, r.m.At.UTC()
			all = append(all, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			if actor.HoldsOver(tree.Ancestry(r.unit), clerkRoles...) {
				out = append(out, r.m)
			}
		}
		return nil
	})
	return out, err
}

// Accuracy is one clerk's entry accuracy (录入正确率) over settled entries.
type Accuracy struct {
	Clerk   string `json:"clerk"`
	Entries int    `json:"entries"`
	Correct int    `json:"correct"`
	Rate    string `json:"rate"`
}

// EntryAccuracy returns every clerk's entry accuracy, worst first. Clerks and the committee
// may read it.
func EntryAccuracy(ctx context.Context, db *store.DB, actor access.Principal) ([]Accuracy, error) {
	if !actor.HasAny(access.Clerk, access.Admin) && !actor.Has(access.Committee) {
		return nil, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	var out []Accuracy
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT entered_name, COUNT(*), SUM(CASE WHEN correct THEN 1 ELSE 0 END) FROM survey_entries
			WHERE correct IS NOT NULL GROUP BY entered_by, entered_name ORDER BY entered_name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a Accuracy
			if err := rows.Scan(&a.Clerk, &a.Entries, &a.Correct); err != nil {
				return err
			}
			a.Rate, _ = Percent("survey_entries", a.Correct, a.Entries)
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}
