package assessment

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// MayView reports whether actor holds scope over a close: a reading grant over its parent
// unit, above it or on some unit below it, so that at least one of its subjects may be read.
// Anyone else must not learn that the close exists, nor its reopen reason.
func MayView(tree *org.Tree, actor access.Principal, c Close) bool {
	roots, everything := actor.ScopeRoots(access.Read)
	if everything {
		return true
	}
	chain, below := tree.Ancestry(c.ParentUnitID), tree.Subtree(c.ParentUnitID)
	for _, r := range roots {
		if slices.Contains(chain, r) || slices.Contains(below, r) {
			return true
		}
	}
	return false
}

// ListCloses returns the latest version of every close the actor may view (MayView), in
// ClosePage's order: what the home pages count.
func (e *Engine) ListCloses(ctx context.Context, actor access.Principal) ([]Close, error) {
	return e.listCloses(ctx, actor, nil)
}

// closeOrder is the closes list's order: the newest period first, then the newest close.
var closeOrder = store.Order{Col: "period", ID: "id"}

// CloseKey is a close's place in the list (ClosePage).
func CloseKey(c Close) store.Key { return store.Key{Name: c.Period, ID: c.ID} }

// ClosePage returns a page of the latest versions of the closes the actor may view: Fetch()
// rows in pg's order, for store.Cut with CloseKey. The scope is a condition of the query, so
// that a page is full. The assessment page and the API read it.
func (e *Engine) ClosePage(ctx context.Context, actor access.Principal, pg store.Page) ([]Close, error) {
	return e.listCloses(ctx, actor, &pg)
}

func (e *Engine) listCloses(ctx context.Context, actor access.Principal, pg *store.Page) ([]Close, error) {
	tree, err := loadTree(ctx, e.DB)
	if err != nil {
		return nil, err
	}
	// The parents in scope, so that the query returns only the closes the actor may view.
	var parents []int64
	for _, u := range tree.Ordered() {
		if MayView(tree, actor, Close{ParentUnitID: u.ID}) {
			parents = append(parents, u.ID)
		}
	}
	if len(parents) == 0 {
		return nil, nil
	}
	var out []Close
	err = e.DB.Read(ctx, func(tx *store.Tx) (err error) {
		in, args := tx.AnyOf("parent_unit_id", parents)
		tail, args := store.Tail(closeOrder, pg, []string{"superseded = ?", in}, append([]any{false}, args...))
		out, err = store.All(ctx, tx, scanClose, "SELECT "+closeColumns+" FROM assessment_closes"+tail, args...)
		return err
	})
	return out, errs.Wrapf(err, "list closes")
}

// CloseView is a close as a page shows it to one actor.
type CloseView struct {
	Close    Close
	Scheme   *scheme.Scheme
	Versions []Close // every version of this scheme and period, oldest first
	Results  []Result
	// Units names every unit the view mentions, People every person.
	Units  map[int64]org.Unit
	People map[int64]org.Person
	// Budget is the quality work group's budget of the close's year as it stands, and what
	// approving the close would add to its spending (schemes with a year_budget rule).
	Budget *BudgetView
	// Star and Teams are the period's maintenance star and team ranking, for schemes that name
	// a star (maintainer-monthly): pending until the close is approved.
	Star  *Result
	Teams []TeamScore
	// Ledger are the close's ledger lines the actor may read (approved closes).
	Ledger []LedgerLine
	// Undecided counts incomplete subjects without a decision, over all subjects (not only
	// those the actor sees), because it decides whether the close can be approved.
	Undecided int
	// Diff compares with the previous version, for a reopened close.
	Diff []Diff
	// What the actor may do now.
	CanDecide, CanApprove, CanLock, CanReopen bool
	// Hidden is how many results are outside the actor's scope.
	Hidden int
}

// Diff is one subject's change between two versions of a close.
type Diff struct {
	Subject
	Before, After *Result
	Changed       bool
}

// GetClose returns a close with the results the actor may read.
func (e *Engine) GetClose(ctx context.Context, actor access.Principal, id int64) (CloseView, error) {
	var v CloseView
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return v, err
	}
	v.Units, v.People = map[int64]org.Unit{}, map[int64]org.Person{}
	err = e.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		if v.Close, err = getClose(ctx, tx, id); err != nil {
			return err
		}
		if !MayView(tree.Tree, actor, v.Close) {
			return errs.New(errs.NotFound, "assessment.close_not_found", id)
		}
		if v.Scheme, err = schemeVersion(ctx, tx, v.Close.SchemeCode, v.Close.SchemeVersion); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+closeColumns+" FROM assessment_closes WHERE scheme_code = ? AND period = ? ORDER BY version", v.Close.SchemeCode, v.Close.Period)
		if err != nil {
			return err
		}
		for rows.Next() {
			c, err := scanClose(rows)
			if err != nil {
				rows.Close()
				return err
			}
			v.Versions = append(v.Versions, c)
		}
		rows.Close()
		all, err := loadResults(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.Undecided() {
				v.Undecided++
			}
		}
		v.Results = visible(actor, tree.Tree, all)
		if _, ok := StarPoints(v.Scheme); ok {
			// Over every subject, not only those the actor sees: there is one star.
			v.Teams = BestTeams(all)
			if star := Star(all); star != nil {
				cp := *star
				v.Star = &cp
			}
		}
		v.Hidden = len(all) - len(v.Results)
		if v.Close.Version > 1 {
			var prevID int64
			for _, c := range v.Versions {
				if c.Version == v.Close.Version-1 {
					prevID = c.ID
				}
			}
			prev, err := loadResults(ctx, tx, prevID)
			if err != nil {
				return err
			}
			v.Diff = diff(visible(actor, tree.Tree, prev), v.Results)
		}
		named := personIDs(all)
		for _, d := range v.Diff {
			named = append(named, d.PersonID)
		}
		if err := tree.readPeople(ctx, tx, named); err != nil {
			return err
		}
		if v.Ledger, err = listLedger(ctx, tx, tree, actor, LedgerFilter{CloseID: id, IncludeSuperseded: true}, nil); err != nil {
			return err
		}
		if rule := budgetRule(v.Scheme); rule != nil && !v.Close.Superseded {
			b, err := budgetOf(ctx, tx, v.Scheme, rule, v.Close, all)
			if err != nil {
				return err
			}
			v.Budget = &b
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	sortByRank(v.Results)
	for _, id := range append([]int64{v.Close.ParentUnitID}, unitIDs(v.Results, v.Diff)...) {
		if u, ok := tree.Unit(id); ok {
			v.Units[id] = u
		}
	}
	for _, r := range v.Results {
		v.People[r.PersonID] = tree.person(r.PersonID)
	}
	for _, d := range v.Diff {
		v.People[d.PersonID] = tree.person(d.PersonID)
	}
	for _, t := range v.Teams {
		v.Units[t.UnitID], _ = tree.Unit(t.UnitID)
	}
	if v.Star != nil {
		v.Units[v.Star.UnitID], _ = tree.Unit(v.Star.UnitID)
		v.People[v.Star.PersonID] = tree.person(v.Star.PersonID)
	}
	chain := tree.Ancestry(v.Close.ParentUnitID)
	live := !v.Close.Superseded
	clerk, committee := actor.HoldsOver(chain, access.Clerk), actor.HoldsOver(chain, access.Committee)
	v.CanDecide = live && clerk && v.Close.Status == Draft
	v.CanApprove = live && committee && v.Close.Status == Draft
	v.CanLock = live && (clerk || committee) && v.Close.Status == Approved
	v.CanReopen = live && (clerk || committee) && v.Close.Status != Draft
	return v, nil
}

func visible(actor access.Principal, tree *org.Tree, rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if actor.Can(access.Read, tree.Ancestry(r.UnitID)) {
			out = append(out, r)
		}
	}
	return out
}

// sortByRank orders results for the ranking table: scored by rank, then incomplete, then no
// opinion, each in subject order.
func sortByRank(rs []Result) {
	order := func(r Result) int {
		switch r.Result.Status {
		case scheme.Scored:
			return 0
		case scheme.Incomplete:
			return 1
		}
		return 2
	}
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0; j-- {
			a, b := rs[j-1], rs[j]
			less := order(b) < order(a) || (order(b) == order(a) && order(b) == 0 && b.Rank < a.Rank)
			if !less {
				break
			}
			rs[j-1], rs[j] = rs[j], rs[j-1]
		}
	}
}

func unitIDs(rs []Result, ds []Diff) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.UnitID)
	}
	for _, d := range ds {
		out = append(out, d.UnitID)
	}
	return out
}

func diff(before, after []Result) []Diff {
	byUnit := map[Subject]*Diff{}
	var order []Subject
	for i := range before {
		r := &before[i]
		byUnit[r.Subject()] = &Diff{Subject: r.Subject(), Before: r}
		order = append(order, r.Subject())
	}
	for i := range after {
		r := &after[i]
		d, ok := byUnit[r.Subject()]
		if !ok {
			d = &Diff{Subject: r.Subject()}
			byUnit[r.Subject()] = d
			order = append(order, r.Subject())
		}
		d.After = r
	}
	out := make([]Diff, 0, len(order))
	for _, id := range order {
		d := byUnit[id]
		d.Changed = d.Before == nil || d.After == nil || summary(*d.Before) != summary(*d.After)
		out = append(out, *d)
	}
	return out
}

// summary is what a reader compares between versions: status, total, grade and flags.
func summary(r Result) string {
	s := string(r.Result.Status)
	if r.Result.Total != nil {
		s += " " + r.Result.Total.String()
	}
	if r.Result.Grade != nil {
		s += " " + r.Result.Grade.Code
	}
	return s + " " + strings.Join(r.Result.Flags, ",")
}

// ResultView is one subject's result with everything behind it.
type ResultView struct {
	Close      Close
	Scheme     *scheme.Scheme
	Unit       org.Unit
	Person     *org.Person // the person assessed or charged, for person and unit-head subjects
	Result     Result
	Components []ComponentView
	// Evidence are the ledger rows behind the result, by id.
	Evidence map[string]Evidence
}

// ComponentView is a component with the facts its formula reads and their records.
type ComponentView struct {
	scheme.ComponentResult
	Facts []FactView
}

// FactView is one fact's value and records.
type FactView struct {
	Name    string
	Doc     scheme.Text
	Value   any
	Records []Record
}

// GetResult returns a subject's result in a close, if the actor may read the subject.
func (e *Engine) GetResult(ctx context.Context, actor access.Principal, closeID int64, sub Subject) (ResultView, error) {
	var v ResultView
	unitID := sub.UnitID
	tree, err := loadOrg(ctx, e.DB)
	if err != nil {
		return v, err
	}
	err = e.DB.Read(ctx, func(tx *store.Tx) error {
		if err := org.Authorize(ctx, tx, actor, access.Read, unitID); err != nil {
			return err
		}
		var err error
		if v.Close, err = getClose(ctx, tx, closeID); err != nil {
			return err
		}
		if v.Scheme, err = schemeVersion(ctx, tx, v.Close.SchemeCode, v.Close.SchemeVersion); err != nil {
			return err
		}
		all, err := loadResults(ctx, tx, closeID)
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.Subject() == sub {
				v.Result = r
				return tree.readPeople(ctx, tx, []int64{sub.PersonID})
			}
		}
		return errs.New(errs.NotFound, "assessment.result_not_found", unitID, closeID)
	})
	if err != nil {
		return v, err
	}
	v.Unit, _ = tree.Unit(unitID)
	if p := tree.person(sub.PersonID); p.ID != 0 {
		v.Person = &p
	}
	docs := map[string]scheme.Text{}
	for _, f := range v.Scheme.Facts {
		docs[f.Name] = f.Doc
	}
	var ledgerIDs []int64
	for _, c := range v.Result.Result.Components {
		cv := ComponentView{ComponentResult: c}
		for _, name := range componentFacts(v.Scheme, c.Code) {
			fv := FactView{Name: name, Doc: docs[name], Value: v.Result.Facts[name], Records: v.Result.Records[name]}
			for _, r := range fv.Records {
				if r.Kind == string(Inspection) || r.Kind == string(SurveyEvaluation) {
					var id int64
					if _, err := fmtSscan(r.ID, &id); err == nil {
						ledgerIDs = append(ledgerIDs, id)
					}
				}
			}
			cv.Facts = append(cv.Facts, fv)
		}
		v.Components = append(v.Components, cv)
	}
	v.Evidence = map[string]Evidence{}
	if len(ledgerIDs) > 0 {
		rows, err := ListEvidence(ctx, e.DB, actor, EvidenceFilter{IDs: ledgerIDs})
		if err != nil {
			return v, err
		}
		for _, r := range rows {
			v.Evidence[itoa(r.ID)] = r
		}
	}
	return v, nil
}

// componentFacts lists the facts a component's formula reads, in the scheme's fact order.
func componentFacts(sch *scheme.Scheme, code string) []string {
	var formula string
	for _, c := range sch.Components {
		if c.Code == code {
			formula = c.Formula
		}
	}
	var out []string
	for _, f := range sch.Facts {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(formula) {
			out = append(out, f.Name)
		}
	}
	return out
}
