package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Channels of an answer.
const (
	Online = "online"
	Paper  = "paper"
	Visit  = "visit"
)

// Authenticity marks a clerk gives an answer.
const (
	Unchecked = "unchecked"
	Checked   = "checked"
	Doubtful  = "doubtful"
	Fake      = "fake"
)

// Marks lists the authenticity marks a clerk can choose.
var Marks = []string{Checked, Doubtful, Fake}

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

// Open returns the questionnaire of an invitation code for the public page.
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

// Answer is a stored answer as staff see it.
type Answer struct {
	ID                 int64               `json:"id"`
	Code               string              `json:"code"`
	CampaignID         int64               `json:"campaign_id"`
	UnitID             int64               `json:"unit_id"`
	UnitName           string              `json:"unit_name"`
	Channel            string              `json:"channel"`
	AnsweredAt         time.Time           `json:"answered_at"`
	Level              int                 `json:"overall_level"`
	LevelLabel         string              `json:"overall_label"`
	Points, Band       int                 `json:"-"`
	Satisfied          bool                `json:"satisfied"`
	Dissatisfied       bool                `json:"dissatisfied"`
	Location           string              `json:"location"`
	ProblemType        string              `json:"problem_type"`
	Opinion            string              `json:"opinion"`
	Respondent         string              `json:"respondent"`
	Phone              string              `json:"phone"`
	Values             map[string][]string `json:"values"`
	Authenticity       string              `json:"authenticity"`
	AuthenticityReason string              `json:"authenticity_reason"`
	VerifiedFault      bool                `json:"verified_fault"`
	FaultReason        string              `json:"fault_reason"`
	Version            int                 `json:"version"`
	Purged             bool                `json:"purged"`
	EnteredBy          string              `json:"entered_by"`
}

const answerColumns = `a.id, i.code, a.campaign_id, a.unit_id, u.name, a.channel, a.answered_at, a.overall_level, a.points, a.band, a.satisfied, a.dissatisfied,
	a.location, a.problem_type, a.opinion, a.respondent, a.phone, a.answers, a.authenticity, a.authenticity_reason, a.verified_fault, a.fault_reason, a.version, a.purged_at,
	COALESCE(us.username, '')`

const answerFrom = ` FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id JOIN units u ON u.id = a.unit_id LEFT JOIN users us ON us.id = a.entered_by`

func scanAnswer(row interface{ Scan(...any) error }) (Answer, error) {
	var a Answer
	var values string
	var purged sql.NullTime
	err := row.Scan(&a.ID, &a.Code, &a.CampaignID, &a.UnitID, &a.UnitName, &a.Channel, &a.AnsweredAt, &a.Level, &a.Points, &a.Band, &a.Satisfied, &a.Dissatisfied,
		&a.Location, &a.ProblemType, &a.Opinion, &a.Respondent, &a.Phone, &values, &a.Authenticity, &a.AuthenticityReason, &a.VerifiedFault, &a.FaultReason, &a.Version, &purged, &a.EnteredBy)
	if err != nil {
		return a, err
	}
	a.AnsweredAt, a.Purged = a.AnsweredAt.UTC(), purged.Valid
	return a, json.Unmarshal([]byte(values), &a.Values)
}

// GetAnswer returns an answer the actor may read, with its template.
func GetAnswer(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Answer, Template, error) {
	var a Answer
	var t Template
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		a, t, err = getAnswer(ctx, tx, id)
		if err != nil {
			return err
		}
		return org.Authorize(ctx, tx, actor, access.Read, a.UnitID)
	})
	return a, t, err
}

func getAnswer(ctx context.Context, tx *store.Tx, id int64) (Answer, Template, error) {
	var t Template
	a, err := scanAnswer(tx.QueryRow(ctx, "SELECT "+answerColumns+answerFrom+" WHERE a.id = ?", id))
	if store.IsNoRows(err) {
		return a, t, errs.New(errs.NotFound, "survey.answer_unknown", id)
	}
	if err != nil {
		return a, t, err
	}
	var tid int64
	if err := tx.QueryRow(ctx, "SELECT template_id FROM survey_campaigns WHERE id = ?", a.CampaignID).Scan(&tid); err != nil {
		return a, t, err
	}
	t, err = getTemplate(ctx, tx, tid)
	if err == nil && a.Level >= 1 && a.Level <= len(t.Def.Overall().Levels) {
		a.LevelLabel = t.Def.Overall().Levels[a.Level-1].Label
	}
	return a, t, err
}

// AnswerFilter selects answers for lists and drill-downs.
type AnswerFilter struct {
	CampaignID  int64
	UnitID      int64
	Location    *string // "" selects unclassified
	ProblemType *string
	Opinions    bool // only answers with an opinion
	Limit       int
	// Page reads a page by keyset on answer time then id (the web list), overriding Limit:
	// Fetch() answers in its order, for store.Cut.
	Page *store.Page
}

// ListAnswers returns the answers the actor may read, newest first, and how many match.
// With f.Page it returns Fetch() answers in f.Page's order, for store.Cut.
func ListAnswers(ctx context.Context, db *store.DB, actor access.Principal, f AnswerFilter) ([]Answer, int, error) {
	var out []Answer
	total := 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args := []string{"1 = 1"}, []any{}
		if f.CampaignID != 0 {
			where, args = append(where, "a.campaign_id = ?"), append(args, f.CampaignID)
		}
		if f.UnitID != 0 {
			where, args = append(where, "a.unit_id = ?"), append(args, f.UnitID)
		}
		if f.Location != nil {
			where, args = append(where, "a.location = ?"), append(args, *f.Location)
		}
		if f.ProblemType != nil {
			where, args = append(where, "a.problem_type = ?"), append(args, *f.ProblemType)
		}
		if f.Opinions {
			where = append(where, "(a.has_opinion OR a.location <> '' OR a.problem_type <> '')")
		}
		scope, all := actor.ScopeRoots(access.Read)
		if !all {
			units, err := scopeUnits(ctx, tx, scope)
			if err != nil {
				return err
			}
			if len(units) == 0 {
				return nil
			}
			ph := strings.TrimSuffix(strings.Repeat("?,", len(units)), ",")
			where = append(where, "a.unit_id IN ("+ph+")")
			for _, u := range units {
				args = append(args, u)
			}
		}
		cond := strings.Join(where, " AND ")
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM survey_answers a WHERE "+cond, args...).Scan(&total); err != nil {
			return err
		}
		limit := min(f.Limit, 500)
		if limit <= 0 {
			limit = 50
		}
		order := " ORDER BY a.answered_at DESC, a.id DESC LIMIT ?"
		if f.Page != nil {
			order, limit = f.Page.OrderBy(answerOrder), f.Page.Fetch()
			if c, a := f.Page.Where(answerOrder); c != "" {
				cond, args = cond+" AND "+c, append(args, a...)
			}
		}
		rows, err := tx.Query(ctx, "SELECT "+answerColumns+answerFrom+" WHERE "+cond+order, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAnswer(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, total, err
}

// scopeUnits expands scope roots to every unit under them.
func scopeUnits(ctx context.Context, tx *store.Tx, roots []int64) ([]int64, error) {
	tree, err := loadTree(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, r := range roots {
		out = append(out, tree.Subtree(r)...)
	}
	return out, nil
}

func loadTree(ctx context.Context, tx *store.Tx) (*org.Tree, error) {
	rows, err := tx.Query(ctx, "SELECT id, parent_id, name, active FROM units")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []org.Unit
	for rows.Next() {
		var u org.Unit
		var parent *int64
		if err := rows.Scan(&u.ID, &parent, &u.Name, &u.Active); err != nil {
			return nil, err
		}
		if parent != nil {
			u.ParentID = *parent
		}
		all = append(all, u)
	}
	return org.NewTree(all), rows.Err()
}

// clerkAnswer loads an answer for a clerk's action on it.
func clerkAnswer(ctx context.Context, tx *store.Tx, actor access.Principal, id int64) (Answer, Template, error) {
	a, t, err := getAnswer(ctx, tx, id)
	if err != nil {
		return a, t, err
	}
	chain, err := org.Ancestry(ctx, tx, a.UnitID)
	if err != nil {
		return a, t, err
	}
	if !actor.HoldsOver(chain, clerkRoles...) {
		return a, t, errs.New(errs.Forbidden, "survey.clerk_only")
	}
	return a, t, nil
}

func reasonOK(field, reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	if required && reason == "" {
		return reason, errs.Field(field, "survey.reason_required")
	}
	if utf8.RuneCountInString(reason) > maxReason {
		return reason, errs.Field(field, "err.too_long", maxReason)
	}
	return reason, nil
}

// Mark records the clerk's authenticity check of an answer. Doubtful and fake need a
// reason; a fake answer stays stored but leaves the rates.
func Mark(ctx context.Context, db *store.DB, actor access.Principal, id int64, mark, reason string) error {
	if mark != Checked && mark != Doubtful && mark != Fake {
		return errs.Field("survey_authenticity", "err.invalid_choice", mark)
	}
	reason, err := reasonOK("reason", reason, mark != Checked)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, _, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, "UPDATE survey_answers SET authenticity = ?, authenticity_reason = ?, updated_at = ? WHERE id = ?", mark, reason, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		// The reason stays on the answer, not in the append-only audit log: it quotes the
		// resident, and the retention purge must be able to remove every copy (docs/surveys.md).
		return audit.Record(ctx, tx, actor, audit.Change{Action: "mark", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]string{"authenticity": a.Authenticity}, After: map[string]string{"authenticity": mark}})
	})
}

// SetFault marks a dissatisfied answer as verified to be the unit's fault (经查实确有过错),
// or takes the mark back; either way with a reason. It costs the unit head a point.
func SetFault(ctx context.Context, db *store.DB, actor access.Principal, id int64, verified bool, reason string) error {
	reason, err := reasonOK("reason", reason, true)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, _, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if verified && !a.Dissatisfied {
			return errs.New(errs.Conflict, "survey.fault_needs_dissatisfied")
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, "UPDATE survey_answers SET verified_fault = ?, fault_reason = ?, updated_at = ? WHERE id = ?", verified, reason, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "verify_fault", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]any{"verified_fault": a.VerifiedFault}, After: map[string]any{"verified_fault": verified}})
	})
}

// Classify sets an answer's problem location and type (the clerk's reading of the opinion).
func Classify(ctx context.Context, db *store.DB, actor access.Principal, id int64, location, problemType string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, t, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		location, problemType = strings.TrimSpace(location), strings.TrimSpace(problemType)
		probe := AnswerInput{Values: a.Values, Location: location, ProblemType: problemType}
		if _, err := Score(t.Def, &probe); err != nil {
			return err
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, "UPDATE survey_answers SET location = ?, problem_type = ?, updated_at = ? WHERE id = ?", location, problemType, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "classify", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]string{"location": a.Location, "problem_type": a.ProblemType}, After: map[string]string{"location": location, "problem_type": problemType}})
	})
}

// Correct replaces an answer's content by a clerk's correction (a typing error found on the
// paper), with a reason. The earlier content is kept as a version and in the audit; nobody
// can change an answer without leaving that trace.
func Correct(ctx context.Context, db *store.DB, actor access.Principal, id int64, in AnswerInput, reason string) error {
	reason, err := reasonOK("reason", reason, true)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		a, t, err := clerkAnswer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if a.Purged {
			return errs.New(errs.Conflict, "survey.answer_purged")
		}
		in.Opinion, in.Respondent, in.Phone = a.Opinion, a.Respondent, a.Phone
		sc, err := Score(t.Def, &in)
		if err != nil {
			return err
		}
		before, _ := json.Marshal(a.Values)
		if _, err := tx.Exec(ctx, "INSERT INTO survey_answer_versions (answer_id, version, answers, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
			id, a.Version, string(before), reason, actor.Login(), tx.Now); err != nil {
			return err
		}
		if err := recount(ctx, tx, id, func() error {
			_, err := tx.Exec(ctx, `UPDATE survey_answers SET overall_level = ?, points = ?, band = ?, satisfied = ?, dissatisfied = ?, location = ?, problem_type = ?,
			answers = ?, pattern = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				sc.Level, sc.Points, sc.Band, sc.Satisfied, sc.Dissatisfied, in.Location, in.ProblemType, sc.Answers, sc.Pattern, tx.Now, id)
			return err
		}); err != nil {
			return err
		}
		// The audit keeps the ratings; free-text answers and the reason stay out of the
		// append-only log, in the version above, so that the retention purge can remove every
		// copy of them.
		after, err := t.Def.withoutText(sc.Answers)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "correct", Entity: "survey_answer", EntityID: id, UnitID: a.UnitID,
			Before: map[string]any{"version": a.Version, "answers": t.Def.ratingsOnly(a.Values), "overall_level": a.Level},
			After:  map[string]any{"version": a.Version + 1, "answers": json.RawMessage(after), "overall_level": sc.Level}})
	})
}

// Version is an earlier content of a corrected answer.
type Version struct {
	Version   int       `json:"version"`
	Answers   string    `json:"answers"`
	Reason    string    `json:"reason"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
}

// Versions lists an answer's earlier versions; the caller has checked access.
func Versions(ctx context.Context, db *store.DB, id int64) ([]Version, error) {
	var out []Version
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT version, answers, reason, changed_by, changed_at FROM survey_answer_versions WHERE answer_id = ? ORDER BY version", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v Version
			if err := rows.Scan(&v.Version, &v.Answers, &v.Reason, &v.ChangedBy, &v.ChangedAt); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// answerOrder is the answer list's order: the newest answer first.
var answerOrder = store.Order{Col: "a.answered_at", ID: "a.id"}
