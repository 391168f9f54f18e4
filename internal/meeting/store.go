package meeting

import (
	"context"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/org"
	"manyi/internal/store"
)

// authorize checks that p keeps meetings over the organisation unit.
func authorize(ctx context.Context, tx *store.Tx, p access.Principal, orgID int64) error {
	anc, err := org.Ancestry(ctx, tx, orgID)
	if err != nil {
		return err
	}
	if !p.Can(access.Read, anc) {
		return errs.New(errs.NotFound, "meet.not_found", orgID)
	}
	if !p.HoldsOver(anc, access.Admin, access.Clerk) {
		return errs.New(errs.Forbidden, "meet.forbidden")
	}
	return nil
}

// Open records a quarter's meeting for an organisation. A quarter not yet begun and a second
// meeting of the same quarter are refused.
func Open(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Meeting, error) {
	if !MayRun(actor) {
		return Meeting{}, errs.New(errs.Forbidden, "meet.forbidden")
	}
	q, err := ParseQuarter("quarter", in.Quarter)
	if err != nil {
		return Meeting{}, err
	}
	if in.OrgID == 0 {
		return Meeting{}, errs.Required("org_id")
	}
	held := strings.TrimSpace(in.HeldOn)
	if held == "" {
		held = q.MeetsOn()
	}
	if _, err := time.Parse(time.DateOnly, held); err != nil {
		return Meeting{}, errs.Field("held_on", "err.bad_day", held)
	}
	if held < q.Start().Format(time.DateOnly) {
		return Meeting{}, errs.Field("held_on", "meet.held_before_quarter", q.String())
	}
	attendees := strings.TrimSpace(in.Attendees)
	var id int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := checkBegun(q, tx.Now); err != nil {
			return err
		}
		if err := authorize(ctx, tx, actor, in.OrgID); err != nil {
			return err
		}
		var existing int64
		err := tx.QueryRow(ctx, "SELECT id FROM quality_meetings WHERE org_id = ? AND quarter = ?", in.OrgID, q.String()).Scan(&existing)
		if err == nil {
			return errs.Field("quarter", "meet.exists", q.String(), existing)
		}
		if !store.IsNoRows(err) {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO quality_meetings (org_id, quarter, held_on, attendees, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'planned', ?, ?, ?)`, in.OrgID, q.String(), held, attendees, actor.Login(), tx.Now, tx.Now)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "quality_meeting", EntityID: id, UnitID: in.OrgID,
			After: map[string]any{"quarter": q.String(), "held_on": held}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return Get(ctx, db, actor, id)
}

// AddFinding records a line of the minutes; with in.Raise its remedy becomes an improvement
// item in the same transaction, due no earlier than the meeting.
func AddFinding(ctx context.Context, db *store.DB, actor access.Principal, meetingID int64, in FindingInput) (Finding, error) {
	if err := in.check(); err != nil {
		return Finding{}, err
	}
	var out Finding
	err := db.InTx(ctx, func(tx *store.Tx) error {
		m, err := head(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if err := authorize(ctx, tx, actor, m.OrgID); err != nil {
			return err
		}
		if !inSubtree(ctx, tx, in.UnitID, m.OrgID) {
			return errs.Field("unit_id", "meet.unit_outside", in.UnitID)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO quality_meeting_findings (meeting_id, unit_id, problem, cause, remedy, owner, due_on, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, meetingID, in.UnitID, in.Problem, in.Cause, in.Remedy, in.Owner, in.DueOn, actor.Login(), tx.Now)
		if err != nil {
			return err
		}
		out = Finding{ID: id, UnitID: in.UnitID, Problem: in.Problem, Cause: in.Cause, Remedy: in.Remedy, Owner: in.Owner, DueOn: in.DueOn}
		if in.Raise {
			if out.ItemID, err = raise(ctx, tx, actor, m, out, in.Title); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "add_finding", Entity: "quality_meeting", EntityID: meetingID, UnitID: m.OrgID, After: out})
	})
	return out, err
}

func raise(ctx context.Context, tx *store.Tx, actor access.Principal, m Meeting, f Finding, title string) (int64, error) {
	if title == "" {
		title = f.Remedy
		if r := []rune(title); len(r) > 40 {
			title = string(r[:40]) + "…"
		}
	}
	ref := strconv.FormatInt(f.ID, 10)
	src := improvement.Source{Kind: improvement.MeetingRemedy, Ref: ref, URL: "/meetings/" + strconv.FormatInt(m.ID, 10) + "#finding-" + ref,
		UnitID: f.UnitID, On: m.HeldOn, Problem: f.Problem, Cause: f.Cause}
	it, err := improvement.RaiseTx(ctx, tx, actor, src, improvement.Input{Title: title, Measures: f.Remedy, Owner: f.Owner, DueOn: f.DueOn})
	return it.ID, err
}

// VerifyItems records that the meeting checked the items reported done and found them
// carried out: each is verified "at a meeting", and the meeting is held.
func VerifyItems(ctx context.Context, db *store.DB, actor access.Principal, meetingID int64, itemIDs []int64) error {
	if len(itemIDs) == 0 {
		return errs.Required("item_ids")
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		m, err := head(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if err := authorize(ctx, tx, actor, m.OrgID); err != nil {
			return err
		}
		for _, id := range itemIDs {
			if _, err := improvement.VerifyTx(ctx, tx, actor, id, improvement.Verification{Accept: true}, meetingID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE quality_meetings SET status = 'held', updated_at = ? WHERE id = ?", tx.Now, meetingID)
		return err
	})
}

func inSubtree(ctx context.Context, tx *store.Tx, unitID, root int64) bool {
	anc, err := org.Ancestry(ctx, tx, unitID)
	if err != nil {
		return false
	}
	for _, a := range anc {
		if a == root {
			return true
		}
	}
	return false
}

const meetingColumns = `m.id, m.org_id, u.name, m.quarter, m.held_on, m.attendees, m.status, m.created_by, m.created_at`

func scanMeeting(row store.Scanner) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.OrgID, &m.OrgName, &m.Quarter, &m.HeldOn, &m.Attendees, &m.Status, &m.CreatedBy, &m.CreatedAt)
	return m, err
}

func head(ctx context.Context, tx *store.Tx, id int64) (Meeting, error) {
	m, err := scanMeeting(tx.QueryRow(ctx, "SELECT "+meetingColumns+" FROM quality_meetings m JOIN units u ON u.id = m.org_id WHERE m.id = ?", id))
	if store.IsNoRows(err) {
		return Meeting{}, errs.New(errs.NotFound, "meet.not_found", id)
	}
	return m, err
}

// Get returns a meeting with its minutes, the items they became and its agenda.
func Get(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Meeting, error) {
	if !MayRead(actor) {
		return Meeting{}, errs.New(errs.Forbidden, "meet.forbidden")
	}
	var m Meeting
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if m, err = head(ctx, tx, id); err != nil {
			return err
		}
		anc, err := org.Ancestry(ctx, tx, m.OrgID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Read, anc) {
			return errs.New(errs.NotFound, "meet.not_found", id)
		}
		if err := minutes(ctx, tx, &m); err != nil {
			return err
		}
		q, _ := ParseQuarter("quarter", m.Quarter)
		m.Agenda, err = agenda(ctx, tx, m.OrgID, q, tx.Now)
		return err
	})
	return m, err
}

// ForQuarter returns the meeting of an organisation's quarter with its problems, causes and
// remedies and the items they became: what the quarterly analysis report prints.
func ForQuarter(ctx context.Context, db *store.DB, actor access.Principal, orgID int64, quarter string) (Meeting, error) {
	q, err := ParseQuarter("quarter", quarter)
	if err != nil {
		return Meeting{}, err
	}
	var id int64
	err = db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT id FROM quality_meetings WHERE org_id = ? AND quarter = ?", orgID, q.String()).Scan(&id)
	})
	if store.IsNoRows(err) {
		return Meeting{}, errs.New(errs.NotFound, "meet.none_for_quarter", q.String())
	}
	if err != nil {
		return Meeting{}, err
	}
	return Get(ctx, db, actor, id)
}

// QuarterMinutes returns the meetings of a quarter the actor may read with their problems,
// causes and remedies and the items they became, without the agenda: what the quarterly
// analysis report prints. The agenda counts the quarter's evidence again, which the report has
// already shown (2 s of the N=100 report).
func QuarterMinutes(ctx context.Context, db *store.DB, actor access.Principal, quarter string) ([]Meeting, error) {
	q, err := ParseQuarter("quarter", quarter)
	if err != nil || !MayRead(actor) {
		return nil, err
	}
	var out []Meeting
	err = db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		all, err := store.All(ctx, tx, scanMeeting, "SELECT "+meetingColumns+" FROM quality_meetings m JOIN units u ON u.id = m.org_id WHERE m.quarter = ? ORDER BY m.id", q.String())
		if err != nil {
			return err
		}
		for _, m := range all {
			if !actor.Can(access.Read, tree.Ancestry(m.OrgID)) {
				continue
			}
			if err := minutes(ctx, tx, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// minutes reads a meeting's findings with their items and the items verified at the meeting.
func minutes(ctx context.Context, tx *store.Tx, m *Meeting) error {
	var err error
	m.Findings, err = store.All(ctx, tx, func(r store.Scanner) (f Finding, err error) {
		return f, r.Scan(&f.ID, &f.UnitID, &f.UnitName, &f.Problem, &f.Cause, &f.Remedy, &f.Owner, &f.DueOn, &f.ItemID)
	}, `SELECT f.id, f.unit_id, u.name, f.problem, f.cause, f.remedy, f.owner, f.due_on, COALESCE(i.id, 0)
		FROM quality_meeting_findings f JOIN units u ON u.id = f.unit_id
		LEFT JOIN improvements i ON i.source_kind = 'meeting_remedy' AND i.source_ref = CAST(f.id AS TEXT)
		WHERE f.meeting_id = ? ORDER BY f.id`, m.ID)
	if err != nil {
		return err
	}
	m.Verified, err = store.All(ctx, tx, func(r store.Scanner) (id int64, err error) { return id, r.Scan(&id) },
		"SELECT id FROM improvements WHERE meeting_id = ? ORDER BY id", m.ID)
	return err
}

// meetingOrder is the meetings list's order: the latest quarter first, then the newest.
var meetingOrder = store.Order{Col: "m.quarter", ID: "m.id"}

// PageKey is a meeting's place in the list (ListPage).
func PageKey(m Meeting) store.Key { return store.Key{Name: m.Quarter, ID: m.ID} }

// ListPage returns a page of the meetings the actor may read, the latest quarter first:
// Fetch() rows in pg's order, for store.Cut with PageKey. The scope is a condition of the
// query, so that a page is full however few of the meetings the actor may read.
func ListPage(ctx context.Context, db *store.DB, actor access.Principal, pg store.Page) ([]Meeting, error) {
	if !MayRead(actor) {
		return nil, errs.New(errs.Forbidden, "meet.forbidden")
	}
	var out []Meeting
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := org.ScopeCond(ctx, tx, actor, access.Read, "m.org_id")
		if err != nil {
			return err
		}
		tail, args := store.Tail(meetingOrder, &pg, []string{scope}, args)
		out, err = store.All(ctx, tx, scanMeeting, "SELECT "+meetingColumns+" FROM quality_meetings m JOIN units u ON u.id = m.org_id"+tail, args...)
		return err
	})
	return out, errs.Wrapf(err, "list meetings")
}
