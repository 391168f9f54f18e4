package demo

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/scheme"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// The demo's closes of the schemes that are not unit-monthly, approved by the committee so
// that the ledger and the year pages have content:
//   - maintainer-monthly and care-deductions for the last month: the maintenance star (pending
//     on review, approved with the close, its points in next year's first payroll); a care
//     worker of 一病区 on base salary only, one of 二病区 flagged for a dismissal review;
//   - survey-quarterly and dept-quarterly-weighted for the last complete quarter: the unit
//     heads' deductions, 储运中心's reward and 武汉业务部's penalty, within the work group's
//     budget.
//
// dept-quarterly-weighted needs weights before it can be active; the demo's committee enters
// the worked example's 40/30/30 (docs/policies.md §3 gives no table), as version 2.

// demoWeights are the weights the demo's committee sets.
var demoWeights = map[string]string{"self": "40", "survey": "30", "complaints": "30"}

// closes loads the closes; it does nothing if err is set.
func (l *loader) closes(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	defer l.at(l.now)
	admin := access.Principal{Username: "admin", Grants: []access.Grant{{Role: access.Admin}}}
	sch, err := scheme.Builtin("dept-quarterly-weighted")
	if err != nil {
		return err
	}
	sch.Weights.Values = map[string]scheme.Decimal{}
	for k, v := range demoWeights {
		sch.Weights.Values[k] = scheme.MustDecimal(v)
	}
	y, err := sch.YAML()
	if err != nil {
		return err
	}
	l.atMost(l.month(-12))
	v, err := assessment.ImportScheme(ctx, l.db, admin, y)
	if err != nil {
		return fmt.Errorf("demo: weights: %w", err)
	}
	if _, err := assessment.ActivateScheme(ctx, l.db, admin, v.ID); err != nil {
		return fmt.Errorf("demo: weights: %w", err)
	}

	e := assessment.NewEngine(l.db, complaint.FactSource{}, workorder.FactSource{}, inspection.FactSource{}, survey.FactSource{})
	months := l.historyMonths()
	last := months[len(months)-1]
	quarter := survey.QuarterOf(l.month(-3))
	if survey.QuarterOf(l.month(-1)) != survey.QuarterOf(l.today) {
		quarter = survey.QuarterOf(l.month(-1)) // the last month ends a quarter
	}
	for _, c := range []struct{ code, period, parent string }{
		{"maintainer-monthly", last, "IMC"},
		{"care-deductions", last, "CARE"},
		{"survey-quarterly", quarter, "PROP"},
		{"dept-quarterly-weighted", quarter, "LOG"},
	} {
		if err := l.closeOne(ctx, e, c.code, c.period, c.parent); err != nil {
			return fmt.Errorf("demo: close %s %s: %w", c.code, c.period, err)
		}
	}
	return nil
}

// closeOne starts a close in the first days after its period, decides its incomplete
// subjects as no opinion with a reason, and has the committee approve it.
func (l *loader) closeOne(ctx context.Context, e *assessment.Engine, code, period, parent string) error {
	p, err := scheme.ParsePeriod(period)
	if err != nil {
		return err
	}
	end := mustMonth(assessment.PayMonth(p)).AddDate(0, 1, 0)
	l.atMost(end.AddDate(0, 0, 3).Add(10 * time.Hour))
	c, err := e.Start(ctx, demoClerk, assessment.StartInput{SchemeCode: code, Period: period, ParentUnitID: l.units[parent].ID})
	if err != nil {
		return err
	}
	v, err := e.GetClose(ctx, demoClerk, c.ID)
	if err != nil {
		return err
	}
	for _, r := range v.Results {
		if !r.Undecided() {
			continue
		}
		if _, err := e.Decide(ctx, demoClerk, c.ID, assessment.DecisionInput{UnitID: r.UnitID, PersonID: r.PersonID, Kind: assessment.Exclude,
			Reason: "演示数据：本期没有可用的证据，不出具考评意见"}); err != nil {
			return err
		}
	}
	l.atMost(end.AddDate(0, 0, 5).Add(15 * time.Hour))
	_, err = e.Approve(ctx, demoCommittee, c.ID)
	return err
}
