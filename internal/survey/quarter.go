package survey

import (
	"context"
	"fmt"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// QuarterResult is one unit's survey-quarterly result: the facts FactSource gives period
// close, evaluated by the active survey-quarterly scheme.
type QuarterResult struct {
	UnitID   int64
	UnitName string
	Facts    map[string]any
	Result   scheme.Result
}

// QuarterView is the survey-quarterly results of every unit the quarter's campaigns cover
// and the actor may read. Period close does not assess unit heads yet (its subjects are
// units), so this page is where the quarter's deductions are read; the facts and the scheme
// are the ones a close will use.
type QuarterView struct {
	Quarter string
	Scheme  assessment.SchemeVersion
	Units   []QuarterResult
}

// QuarterResults evaluates survey-quarterly for a quarter such as "2026-Q3".
func QuarterResults(ctx context.Context, db *store.DB, actor access.Principal, quarter string) (QuarterView, error) {
	v := QuarterView{Quarter: quarter}
	first, last, err := QuarterBounds(quarter)
	if err != nil {
		return v, err
	}
	schemes, err := assessment.ListSchemes(ctx, db)
	if err != nil {
		return v, err
	}
	var sch *scheme.Scheme
	for _, s := range schemes {
		if s.Code == "survey-quarterly" && s.Active {
			v.Scheme = s
			if sch, err = s.Parse(); err != nil {
				return v, err
			}
		}
	}
	if sch == nil {
		return v, errs.New(errs.Conflict, "assessment.no_active_scheme", "survey-quarterly")
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT cu.unit_id, u.name, u.code FROM survey_campaign_units cu JOIN survey_campaigns c ON c.id = cu.campaign_id
			JOIN units u ON u.id = cu.unit_id WHERE c.quarter = ? AND c.audience = ? ORDER BY u.code`, quarter, Residents)
		if err != nil {
			return err
		}
		type unit struct {
			id         int64
			name, code string
		}
		var units []unit
		for rows.Next() {
			var u unit
			if err := rows.Scan(&u.id, &u.name, &u.code); err != nil {
				rows.Close()
				return err
			}
			units = append(units, u)
		}
		rows.Close()
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		var ids []int64
		for _, u := range units {
			if actor.Can(access.Read, tree.Ancestry(u.id)) {
				ids = append(ids, u.id)
			}
		}
		vs, err := quarterBatch(ctx, tx, quarter, first.UTC(), last.AddDate(0, 0, 1).UTC(), ids)
		if err != nil {
			return err
		}
		for _, u := range units {
			qv, ok := vs[u.id]
			if !ok {
				continue
			}
			facts := map[string]any{}
			for _, f := range qv.facts() {
				facts[f.Name] = f.Value
			}
			rs, err := sch.Evaluate(scheme.SubjectFacts{ID: fmt.Sprint(u.id), Periods: map[string]map[string]any{quarter: facts}})
			if err != nil {
				return err
			}
			v.Units = append(v.Units, QuarterResult{UnitID: u.id, UnitName: u.name, Facts: facts, Result: rs[0]})
		}
		return nil
	})
	return v, err
}
