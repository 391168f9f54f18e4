package improvement

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// mayAct checks that actor may raise or carry out items of unit. A unit the actor cannot
// even see answers as not found, so a guessed id tells nothing about other units' records.
func mayAct(ctx context.Context, tx *store.Tx, actor access.Principal, unitID int64, roles ...access.Role) error {
	anc, err := org.Ancestry(ctx, tx, unitID)
	if err != nil {
		return err
	}
	if !actor.Can(access.Read, anc) {
		return errs.New(errs.NotFound, "imp.source_out_of_scope")
	}
	if !actor.HoldsOver(anc, roles...) {
		return errs.New(errs.Forbidden, "imp.forbidden")
	}
	return nil
}

// mayRaise refuses a role that raises items of no unit (MayRaise) before its input or the
// source is read; which units the others may raise for is decided with the unit (mayAct).
func mayRaise(actor access.Principal) error {
	if !MayRaise(actor) {
		return errs.New(errs.Forbidden, "imp.forbidden")
	}
	return nil
}

// Raise raises an item from the record of kind and id (a survey opinion or follow-up, a
// complaint, an inspection finding). A second raise from the same record is refused naming the
// item that exists.
func Raise(ctx context.Context, db *store.DB, actor access.Principal, kind Kind, sourceID string, in Input) (Item, error) {
	if err := mayRaise(actor); err != nil {
		return Item{}, err
	}
	if kind == "" {
		return Item{}, errs.Required("source_kind")
	}
	var out Item
	err := db.InTx(ctx, func(tx *store.Tx) error {
		src, err := resolve(ctx, tx, kind, sourceID)
		if err != nil {
			return err
		}
		out, err = RaiseTx(ctx, tx, actor, src, in)
		return err
	})
	return out, err
}

// RaiseFrom raises an item from a source its area has read (a target breach, computed
// rather than stored).
func RaiseFrom(ctx context.Context, db *store.DB, actor access.Principal, src Source, in Input) (Item, error) {
	var out Item
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = RaiseTx(ctx, tx, actor, src, in)
		return err
	})
	return out, err
}

// RaiseDirect raises an item with no source record, for a unit.
func RaiseDirect(ctx context.Context, db *store.DB, actor access.Principal, in Input) (Item, error) {
	if err := mayRaise(actor); err != nil {
		return Item{}, err
	}
	if in.UnitID == 0 {
		return Item{}, errs.Required("unit_id")
	}
	var out Item
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = RaiseTx(ctx, tx, actor, Source{Kind: Direct, UnitID: in.UnitID, On: localDay(tx.Now)}, in)
		return err
	})
	return out, err
}

// RaiseTx raises an item from src inside the caller's transaction: the areas that own a
// source (work-order follow-ups, meeting remedies, target breaches) call it.
func RaiseTx(ctx context.Context, tx *store.Tx, actor access.Principal, src Source, in Input) (Item, error) {
	if err := mayRaise(actor); err != nil {
		return Item{}, err
	}
	if err := in.check(src); err != nil {
		return Item{}, err
	}
	if err := mayAct(ctx, tx, actor, src.UnitID, raisers...); err != nil {
		return Item{}, err
	}
	if src.Kind != Direct {
		var existing int64
		err := tx.QueryRow(ctx, "SELECT id FROM improvements WHERE source_kind = ? AND source_ref = ?", src.Kind, src.Ref).Scan(&existing)
		if err == nil {
			return Item{}, errs.Field("source_id", "imp.already_raised", existing)
		}
		if !store.IsNoRows(err) {
			return Item{}, err
		}
	}
	ref := src.Ref
	if src.Kind == Direct {
		// A direct item's ref is its own id; a placeholder unique within the transaction first.
		ref = "new:" + strconv.FormatInt(tx.Now.UnixNano(), 10)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO improvements (source_kind, source_ref, source_url, source_on, unit_id, title, problem, cause, measures, owner, due_on,
		status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
		src.Kind, ref, src.URL, src.On, src.UnitID, in.Title, in.Problem, in.Cause, in.Measures, in.Owner, in.DueOn, actor.Login(), tx.Now, tx.Now)
	if store.IsUniqueViolation(err) {
		// Two raises of one record at once: the loser is told as the second raise would be.
		return Item{}, errs.Field("source_id", "imp.already_raised", src.Ref)
	}
	if err != nil {
		return Item{}, err
	}
	if src.Kind == Direct {
		if _, err := tx.Exec(ctx, "UPDATE improvements SET source_ref = ? WHERE id = ?", strconv.FormatInt(id, 10), id); err != nil {
			return Item{}, err
		}
	}
	out, err := get(ctx, tx, id)
	if err != nil {
		return Item{}, err
	}
	return out, audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "improvement", EntityID: id, UnitID: src.UnitID, After: out})
}

// RenewTx rewrites the item of a source whose record was filed again (a follow-up refiled):
// the new problem, measures, owner and due day, and the item is open again. It raises the
// item when there is none.
func RenewTx(ctx context.Context, tx *store.Tx, actor access.Principal, src Source, in Input) error {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM improvements WHERE source_kind = ? AND source_ref = ?", src.Kind, src.Ref).Scan(&id)
	if store.IsNoRows(err) {
		_, err = RaiseTx(ctx, tx, actor, src, in)
		return err
	}
	if err != nil {
		return err
	}
	if err := in.check(src); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE improvements SET title = ?, problem = ?, measures = ?, owner = ?, due_on = ?, status = 'open', updated_at = ? WHERE id = ?`,
		in.Title, in.Problem, in.Measures, in.Owner, in.DueOn, tx.Now, id); err != nil {
		return err
	}
	after, err := get(ctx, tx, id)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "improvement", EntityID: id, UnitID: src.UnitID, After: after})
}

// Update changes an item not yet verified: owner, cause, measures, due day, evidence.
func Update(ctx context.Context, db *store.DB, actor access.Principal, id int64, p Patch) (Item, error) {
	var out Item
	err := db.InTx(ctx, func(tx *store.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayAct(ctx, tx, actor, before.UnitID, raisers...); err != nil {
			return err
		}
		if before.Status == Verified {
			return errs.New(errs.Conflict, "imp.verified")
		}
		next := before
		for _, f := range []struct {
			field string
			in    *string
			to    *string
			need  bool
			max   int
		}{{"item_owner", p.Owner, &next.Owner, true, 100}, {"item_cause", p.Cause, &next.Cause, false, maxText},
			{"item_measures", p.Measures, &next.Measures, false, maxText}, {"item_evidence", p.Evidence, &next.Evidence, false, maxText}} {
			if f.in == nil {
				continue
			}
			if *f.to, err = text(f.field, *f.in, f.need, f.max); err != nil {
				return err
			}
		}
		if p.DueOn != nil {
			if next.DueOn, err = day("item_due_on", *p.DueOn); err != nil {
				return err
			}
			if err := dueAfter(next.DueOn, before.SourceOn); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE improvements SET owner = ?, cause = ?, measures = ?, due_on = ?, evidence = ?, updated_at = ? WHERE id = ?",
			next.Owner, next.Cause, next.Measures, next.DueOn, next.Evidence, tx.Now, id); err != nil {
			return err
		}
		if out, err = get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "improvement", EntityID: id, UnitID: before.UnitID, Before: before, After: out})
	})
	return out, err
}

// Report records the owner's report that the item is done, with its evidence (what was done
// and how it shows).
func Report(ctx context.Context, db *store.DB, actor access.Principal, id int64, evidence string) (Item, error) {
	evidence, err := text("item_evidence", evidence, true, maxText)
	if err != nil {
		return Item{}, err
	}
	var out Item
	err = db.InTx(ctx, func(tx *store.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayAct(ctx, tx, actor, before.UnitID, raisers...); err != nil {
			return err
		}
		if before.Status == Verified {
			return errs.New(errs.Conflict, "imp.verified")
		}
		if _, err := tx.Exec(ctx, "UPDATE improvements SET evidence = ?, status = 'done', updated_at = ? WHERE id = ?", evidence, tx.Now, id); err != nil {
			return err
		}
		if out, err = get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "report_done", Entity: "improvement", EntityID: id, UnitID: before.UnitID,
			Before: map[string]any{"status": before.Status, "evidence": before.Evidence}, After: map[string]any{"status": Done, "evidence": evidence}})
	})
	return out, err
}

// Verification is the check of an item reported done: accepted (verified) or sent back with
// the reason.
type Verification struct {
	Accept   bool
	Decision string
}

// Verify records the clerk's check of an item reported done.
func Verify(ctx context.Context, db *store.DB, actor access.Principal, id int64, v Verification) (Item, error) {
	var out Item
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = VerifyTx(ctx, tx, actor, id, v, 0)
		return err
	})
	return out, err
}

// VerifyTx records a check inside the caller's transaction; meetingID names the meeting that
// checked it (0: the clerk on their own).
func VerifyTx(ctx context.Context, tx *store.Tx, actor access.Principal, id int64, v Verification, meetingID int64) (Item, error) {
	if !MayVerify(actor) {
		return Item{}, errs.New(errs.Forbidden, "imp.forbidden")
	}
	decision, err := text("item_decision", v.Decision, !v.Accept, maxText)
	if err != nil {
		return Item{}, err
	}
	before, err := get(ctx, tx, id)
	if err != nil {
		return Item{}, err
	}
	if err := mayAct(ctx, tx, actor, before.UnitID, access.Admin, access.Clerk); err != nil {
		return Item{}, err
	}
	if v.Accept {
		if err := CheckVerifiable(before); err != nil {
			return Item{}, err
		}
	} else if before.Status != Done {
		return Item{}, errs.New(errs.Conflict, "imp.not_done")
	}
	to, by := Reopened, ""
	var at any
	var meeting any
	if v.Accept {
		to, by, at = Verified, "clerk", tx.Now
		if meetingID != 0 {
			by, meeting = "meeting", meetingID
		}
	}
	res, err := tx.Exec(ctx, "UPDATE improvements SET status = ?, decision = ?, verified_by = ?, verified_at = ?, meeting_id = ?, updated_at = ? WHERE id = ? AND status = 'done'",
		to, decision, by, at, meeting, tx.Now, id)
	if err != nil {
		return Item{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Item{}, errs.New(errs.Conflict, "imp.not_done")
	}
	out, err := get(ctx, tx, id)
	if err != nil {
		return Item{}, err
	}
	return out, audit.Record(ctx, tx, actor, audit.Change{Action: string(to), Entity: "improvement", EntityID: id, UnitID: before.UnitID,
		After: map[string]any{"status": to, "decision": decision, "verified_by": by, "meeting_id": meetingID}})
}

const columns = `i.id, i.source_kind, i.source_ref, i.source_url, i.source_on, i.unit_id, u.name, i.title, i.problem, i.cause, i.measures, i.owner, i.due_on,
	i.evidence, i.status, i.decision, i.verified_by, COALESCE(i.meeting_id, 0), i.verified_at, i.created_by, i.created_at, i.updated_at`

const from = ` FROM improvements i JOIN units u ON u.id = i.unit_id`

func scan(row interface{ Scan(...any) error }) (Item, error) {
	var i Item
	var at sql.NullTime
	err := row.Scan(&i.ID, &i.Kind, &i.Ref, &i.SourceURL, &i.SourceOn, &i.UnitID, &i.UnitName, &i.Title, &i.Problem, &i.Cause, &i.Measures, &i.Owner, &i.DueOn,
		&i.Evidence, &i.Status, &i.Decision, &i.VerifiedBy, &i.MeetingID, &at, &i.CreatedBy, &i.CreatedAt, &i.UpdatedAt)
	i.VerifiedAt = nullTime(at)
	return i, err
}

func get(ctx context.Context, tx *store.Tx, id int64) (Item, error) {
	i, err := scan(tx.QueryRow(ctx, "SELECT "+columns+from+" WHERE i.id = ?", id))
	if store.IsNoRows(err) {
		return Item{}, errs.New(errs.NotFound, "imp.not_found", id)
	}
	return i, err
}

// scopeClause limits col to the units actor may read: a unit head his unit's subtree, the
// clerk everything.
func scopeClause(ctx context.Context, tx *store.Tx, actor access.Principal, col string) (string, []any, error) {
	roots, everything := actor.ScopeRoots(access.Read)
	if everything {
		return "1 = 1", nil, nil
	}
	if len(roots) == 0 {
		return "1 = 0", nil, nil
	}
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	return inClause(col, subtrees(tree, roots))
}

func subtrees(tree *org.Tree, roots []int64) []int64 {
	var ids []int64
	for _, r := range roots {
		ids = append(ids, tree.Subtree(r)...)
	}
	return ids
}

func inClause(col string, ids []int64) (string, []any, error) {
	if len(ids) == 0 {
		return "1 = 0", nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args, nil
}

// Get returns an item the actor may see.
func Get(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Item, error) {
	var i Item
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "i.unit_id")
		if err != nil {
			return err
		}
		i, err = scan(tx.QueryRow(ctx, "SELECT "+columns+from+" WHERE i.id = ? AND "+scope, append([]any{id}, args...)...))
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "imp.not_found", id)
		}
		return err
	})
	return i, err
}

// Filter selects items of the tracking table. Before and Limit page it by id, newest first
// (the API); Page pages it in the table's order (the web list); with neither the whole
// table comes in that order (the export).
type Filter struct {
	UnitID  int64 // with its sub-units
	Status  Status
	Kind    Kind
	Overdue string // a day: only items overdue on it
	Before  int64
	Limit   int
	// Page reads a page by keyset in the table's order, overriding Limit: Fetch() rows in
	// its order, for store.Cut (with PageKey).
	Page *store.Page
}

// tableOrder is the tracking table's order: unfinished first, then by due day, then by id.
// The sort value is one text, the verified flag before the day, so that a keyset (store.Key's
// Name) carries both.
var tableOrder = store.Order{Col: "(CASE WHEN i.status = 'verified' THEN '1' ELSE '0' END || i.due_on)", ID: "i.id", Asc: true}

// PageKey is an item's place in the tracking table's order (Filter.Page).
func PageKey(i Item) store.Key {
	flag := "0"
	if i.Status == Verified {
		flag = "1"
	}
	return store.Key{Name: flag + i.DueOn, ID: i.ID}
}

// check refuses a filter naming a status or a source kind that does not exist.
func (f Filter) check() error {
	if f.Status != "" && !validStatus(f.Status) {
		return errs.Param("status", "imp.bad_status", string(f.Status))
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return errs.Param("source_kind", "imp.bad_kind", string(f.Kind))
	}
	return nil
}

// List returns the items the actor may see.
func List(ctx context.Context, db *store.DB, actor access.Principal, f Filter) ([]Item, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var out []Item
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args, err := itemConds(ctx, tx, actor, f)
		if err != nil {
			return err
		}
		order := " ORDER BY CASE i.status WHEN 'verified' THEN 1 ELSE 0 END, i.due_on, i.id LIMIT 5000"
		switch {
		case f.Page != nil:
			if c, a := f.Page.Where(tableOrder); c != "" {
				where, args = append(where, c), append(args, a...)
			}
			order, args = f.Page.OrderBy(tableOrder), append(args, f.Page.Fetch())
		case f.Limit > 0:
			if f.Before > 0 {
				where, args = append(where, "i.id < ?"), append(args, f.Before)
			}
			order = " ORDER BY i.id DESC LIMIT " + strconv.Itoa(f.Limit)
		}
		rows, err := tx.Query(ctx, "SELECT "+columns+from+" WHERE "+strings.Join(where, " AND ")+order, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			i, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	return out, err
}

// Count counts the items the actor may see that match f (its page aside), in one query:
// the home page's figure, by the list's own rule.
func Count(ctx context.Context, db *store.DB, actor access.Principal, f Filter) (int, error) {
	if err := f.check(); err != nil {
		return 0, err
	}
	var n int
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args, err := itemConds(ctx, tx, actor, f)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT COUNT(*)"+from+" WHERE "+strings.Join(where, " AND "), args...).Scan(&n)
	})
	return n, errs.Wrapf(err, "count improvement items")
}

// CountPerUnit counts the unfinished and overdue items of f of each unit, most overdue
// first, in one query: the tracking table's summary, which covers every page of the table.
func CountPerUnit(ctx context.Context, db *store.DB, actor access.Principal, f Filter, today string) ([]UnitCount, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var out []UnitCount
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args, err := itemConds(ctx, tx, actor, f)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT i.unit_id, u.name, COUNT(*), SUM(CASE WHEN i.status IN ('open', 'reopened') AND i.due_on < ? THEN 1 ELSE 0 END)"+from+
			" WHERE "+strings.Join(where, " AND ")+" AND i.status <> 'verified' GROUP BY i.unit_id, u.name", append([]any{today}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c UnitCount
			if err := rows.Scan(&c.UnitID, &c.UnitName, &c.Open, &c.Overdue); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	sortUnitCounts(out)
	return out, errs.Wrapf(err, "count improvement items per unit")
}

// itemConds are the conditions selecting the items of f (its page aside) that the actor may see.
func itemConds(ctx context.Context, tx *store.Tx, actor access.Principal, f Filter) ([]string, []any, error) {
	scope, args, err := scopeClause(ctx, tx, actor, "i.unit_id")
	if err != nil {
		return nil, nil, err
	}
	where := []string{scope}
	if f.UnitID != 0 {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return nil, nil, err
		}
		c, a, _ := inClause("i.unit_id", tree.Subtree(f.UnitID))
		where, args = append(where, c), append(args, a...)
	}
	if f.Status != "" {
		where, args = append(where, "i.status = ?"), append(args, f.Status)
	}
	if f.Kind != "" {
		where, args = append(where, "i.source_kind = ?"), append(args, f.Kind)
	}
	if f.Overdue != "" {
		where, args = append(where, "i.status IN ('open', 'reopened') AND i.due_on < ?"), append(args, f.Overdue)
	}
	return where, args, nil
}

func validStatus(s Status) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// BySource returns the items raised from the given refs of one kind, by ref: a list page
// shows which of its records already have an item in one query.
func BySource(ctx context.Context, db *store.DB, kind Kind, refs []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(refs) == 0 {
		return out, nil
	}
	err := db.Read(ctx, func(tx *store.Tx) error {
		args := []any{kind}
		for _, r := range refs {
			args = append(args, r)
		}
		rows, err := tx.Query(ctx, "SELECT source_ref, id FROM improvements WHERE source_kind = ? AND source_ref IN ("+
			strings.TrimSuffix(strings.Repeat("?, ", len(refs)), ", ")+")", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ref string
			var id int64
			if err := rows.Scan(&ref, &id); err != nil {
				return err
			}
			out[ref] = id
		}
		return rows.Err()
	})
	return out, err
}
