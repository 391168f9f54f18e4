package project

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"manyi/internal/store"
	"manyi/internal/target"
)

// Measures are the engineering targets' measures over the register, for target.NewEngine.
func Measures() []target.Measure {
	return []target.Measure{fulfilment{}, firstPass{}, satisfaction{}, planBreaches{}}
}

func days(from, to time.Time) (string, string) {
	return from.In(Zone).Format(time.DateOnly), to.In(Zone).Format(time.DateOnly)
}

func record(id int64, day, code, name string, counted bool) target.Record {
	return target.Record{Kind: "project", ID: id, Day: day, Summary: code + " " + name, URL: fmt.Sprintf("/projects/%d", id), Counted: counted}
}

// tally runs a query of (project id, unit, code, name, day, yes) rows and counts each row in
// its unit's figure: in the denominator always, in the numerator when yes.
func tally(ctx context.Context, tx *store.Tx, query string, args ...any) (map[int64]*target.Figure, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*target.Figure{}
	for rows.Next() {
		var id, unit int64
		var code, name, day string
		var yes bool
		if err := rows.Scan(&id, &unit, &code, &name, &day, &yes); err != nil {
			return nil, err
		}
		target.Tally(out, unit, record(id, day, code, name, yes))
	}
	return out, rows.Err()
}

// handedOver counts the projects handed over in the month whose flag column is set: the
// fulfilled ones among the settled (fulfilment), or the satisfied customers among those who
// gave a verdict (satisfaction). Projects not yet settled, or without a verdict, are left out.
func handedOver(ctx context.Context, tx *store.Tx, flag string, from, to time.Time) (map[int64]*target.Figure, error) {
	f, t := days(from, to)
	return tally(ctx, tx, "SELECT id, unit_id, code, name, handed_over_on, "+flag+" FROM projects WHERE handed_over_on >= ? AND handed_over_on < ? AND "+flag+" IS NOT NULL ORDER BY handed_over_on, code", f, t)
}

// fulfilment is the contract fulfilment rate (合同履约率).
type fulfilment struct{}

func (fulfilment) Name() string      { return "contract_fulfilment" }
func (fulfilment) Kind() target.Kind { return target.Rate }
func (fulfilment) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	return handedOver(ctx, tx, "fulfilled", from, to)
}

// satisfaction is the engineering customers' satisfaction (顾客满意度) at handover.
type satisfaction struct{}

func (satisfaction) Name() string      { return "project_satisfaction" }
func (satisfaction) Kind() target.Kind { return target.Rate }
func (satisfaction) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	return handedOver(ctx, tx, "customer_satisfied", from, to)
}

// firstPass is the first-time acceptance pass rate (工程交验一次合格率): of the projects whose
// first acceptance inspection fell in the month, those that passed it. Later inspections of a
// project that failed its first do not count again.
type firstPass struct{}

func (firstPass) Name() string      { return "first_pass" }
func (firstPass) Kind() target.Kind { return target.Rate }
func (firstPass) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	f, t := days(from, to)
	return tally(ctx, tx, `SELECT p.id, p.unit_id, p.code, p.name, a.inspected_on, a.passed FROM project_acceptances a JOIN projects p ON p.id = a.project_id
		WHERE a.inspected_on >= ? AND a.inspected_on < ? AND NOT EXISTS (SELECT 1 FROM project_acceptances b WHERE b.project_id = a.project_id
		AND (b.inspected_on < a.inspected_on OR (b.inspected_on = a.inspected_on AND b.id < a.id))) ORDER BY a.inspected_on, p.code`, f, t)
}

// planBreaches counts the construction plans filed late or not at all whose deadline fell in
// the month (第七条); the denominator is every project whose plan was due in it.
type planBreaches struct{}

func (planBreaches) Name() string      { return "plan_breaches" }
func (planBreaches) Kind() target.Kind { return target.Count }
func (planBreaches) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	f, t := days(from, to)
	// A deadline in the month belongs to a start up to PlanLeadDays after it.
	last := to.In(Zone).AddDate(0, 0, PlanLeadDays).Format(time.DateOnly)
	rows, err := tx.Query(ctx, `SELECT id, unit_id, code, name, major, tendered, planned_start, plan_filed_on FROM projects
		WHERE planned_start >= ? AND planned_start < ? AND (major = ? OR tendered = ?) ORDER BY planned_start, code`, f, last, true, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := tx.Now.In(Zone).Format(time.DateOnly)
	out := map[int64]*target.Figure{}
	for rows.Next() {
		var id, unit int64
		var code, name, start string
		var filed sql.NullString
		var major, tendered bool
		if err := rows.Scan(&id, &unit, &code, &name, &major, &tendered, &start, &filed); err != nil {
			return nil, err
		}
		deadline := PlanDeadline(major, tendered, start)
		if deadline < f || deadline >= t {
			continue
		}
		st := Plan(major, tendered, start, filed.String, today)
		if st == PlanPending {
			continue // not due yet: neither kept nor broken
		}
		target.Tally(out, unit, record(id, deadline, code, name, st.Breach()))
	}
	return out, rows.Err()
}
