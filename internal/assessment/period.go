package assessment

import (
	"context"
	"slices"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// PeriodView is a scheme's results of one period as a report reads them. When the period's
// close is approved or locked, the results are the stored ones (Final), so a report of the
// period prints the same numbers next year whatever evidence arrives later. Otherwise they are
// computed now from the live evidence, exactly as a close would compute them, and nothing is
// stored: the report marks them provisional.
type PeriodView struct {
	Scheme *scheme.Scheme
	Period string
	// Close is the period's current close version; nil when the period was never closed.
	Close *Close
	Final bool
	// MissingFacts are facts without a source that no decision covers: nothing is computed
	// while there are any (as in a close).
	MissingFacts []string
	Results      []Result // the actor's visible results, best rank first
	Units        map[int64]org.Unit
	People       map[int64]org.Person
	// Star and Teams are the period's star and team ranking, for schemes that name a star.
	Star  *Result
	Teams []TeamScore
	// Ledger are the final close's ledger lines the actor may read.
	Ledger []LedgerLine
}

// Period returns the results of a scheme's period as a report shows them (see PeriodView).
// A provisional period is computed over the subjects of its draft close's parent unit, or
// when it was never closed, of the scheme's latest close; a scheme never closed has no
// results to show.
func (e *Engine) Period(ctx context.Context, actor access.Principal, code, period string) (PeriodView, error) {
	v := PeriodView{Period: period, Units: map[int64]org.Unit{}, People: map[int64]org.Person{}}
	if _, err := scheme.ParsePeriod(period); err != nil {
		return v, errs.Field("period", "assessment.bad_period", period)
	}
	o, err := loadOrg(ctx, e.DB)
	if err != nil {
		return v, err
	}
	var all []Result
	err = e.DB.Read(ctx, func(tx *store.Tx) error {
		_, sch, err := activeScheme(ctx, tx, code)
		if err != nil {
			return err
		}
		v.Scheme = sch
		cur, err := scanClose(tx.QueryRow(ctx, "SELECT "+closeColumns+" FROM assessment_closes WHERE scheme_code = ? AND period = ? AND superseded = ? ORDER BY version DESC LIMIT 1",
			code, period, false))
		switch {
		case err == nil:
			v.Close = &cur
		case !store.IsNoRows(err):
			return err
		}
		if v.Close != nil && v.Close.Status != Draft {
			v.Final = true
			if v.Scheme, err = schemeVersion(ctx, tx, code, v.Close.SchemeVersion); err != nil {
				return err
			}
			if all, err = loadResults(ctx, tx, v.Close.ID); err != nil {
				return err
			}
			if v.Ledger, err = listLedger(ctx, tx, o, actor, LedgerFilter{CloseID: v.Close.ID}, nil); err != nil {
				return err
			}
			return o.readPeople(ctx, tx, personIDs(all))
		}
		c := Close{SchemeCode: code, Period: period}
		if v.Close != nil {
			c = *v.Close
		} else {
			last, err := scanClose(tx.QueryRow(ctx, "SELECT "+closeColumns+" FROM assessment_closes WHERE scheme_code = ? AND superseded = ? ORDER BY period DESC, version DESC LIMIT 1",
				code, false))
			if store.IsNoRows(err) {
				return nil
			}
			if err != nil {
				return err
			}
			c.ParentUnitID = last.ParentUnitID
		}
		if missing := e.missingFacts(sch); !slices.Equal(missing, c.MissingFacts) {
			c.MissingFacts, c.MissingReason = missing, ""
		}
		if c.Uncovered() {
			v.MissingFacts = c.MissingFacts
			return nil
		}
		all, err = e.evaluate(ctx, tx, &c, sch, o)
		if err != nil {
			return err
		}
		decisions, err := listDecisions(ctx, tx, c.ID)
		for i := range all {
			if d, ok := decisions[all[i].Subject()]; ok {
				all[i].Decision = &d
			}
		}
		rank(all)
		return err
	})
	if err != nil {
		return v, errs.Wrapf(err, "period %s %s", code, period)
	}
	v.Results = visible(actor, o.Tree, all)
	sortByRank(v.Results)
	if _, ok := StarPoints(v.Scheme); ok {
		v.Teams = BestTeams(all)
		if star := Star(all); star != nil {
			cp := *star
			v.Star = &cp
		}
	}
	for _, r := range all {
		v.Units[r.UnitID], _ = o.Unit(r.UnitID)
		v.People[r.PersonID] = o.person(r.PersonID)
	}
	return v, nil
}
