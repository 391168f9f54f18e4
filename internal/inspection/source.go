package inspection

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"manyi/internal/assessment"
	"manyi/internal/org"
	"manyi/internal/store"
)

// FactSource gives period close the inspection facts:
//   - inspections and problems (unit-monthly): the inspections of the unit or its sub-units
//     in the period, of every kind but the unit's own self-checks and callback-record audits,
//     and their findings not rejected at sign-off;
//   - self_checks and spot_checks (dept-quarterly-weighted): month → score of the unit's
//     self-checks and of the work group's spot checks (the latest of a month counts);
//   - callback_deductions (dept-quarterly-weighted): the deduction of each finding of a
//     callback-record audit;
//   - deductions (care-deductions, a person subject): each signed-off finding charging the
//     person, with its points and whether it is doubled.
//
// Register it in web.Config.Sources.
type FactSource struct{}

var _ assessment.Source = FactSource{}

// Name identifies the source.
func (FactSource) Name() string { return "inspections" }

// SourceFacts are the facts FactSource provides.
var SourceFacts = []string{"inspections", "problems", "self_checks", "spot_checks", "callback_deductions", "deductions"}

// Provides lists the facts.
func (FactSource) Provides() []string { return SourceFacts }

// unitMonthlyKinds are the inspections that count for unit-monthly.
const unitMonthlyKinds = "'routine', 'spot_check', 'director_round', 'duty_round', 'ward_round'"

// Facts reads the facts among q.Names for the subject and [q.From, q.To).
func (FactSource) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	var out []assessment.Fact
	for _, name := range q.Names {
		var f assessment.Fact
		var err error
		switch name {
		case "inspections", "problems":
			f, err = unitFacts(ctx, tx, q, name)
		case "self_checks", "spot_checks":
			f, err = scoreFacts(ctx, tx, q, name)
		case "callback_deductions":
			f, err = callbackFacts(ctx, tx, q)
		case "deductions":
			f, err = personFacts(ctx, tx, q)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("inspection facts %s: %w", name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// subtree is the subject unit and the units below it: the close's snapshot, or else the tree
// as it is now.
func subtree(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]int64, error) {
	if len(q.Units) > 0 {
		return q.Units, nil
	}
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return nil, err
	}
	ids := tree.Subtree(q.UnitID)
	if len(ids) == 0 {
		ids = []int64{q.UnitID}
	}
	return ids, nil
}

func inList(col string, ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}

func unitFacts(ctx context.Context, tx *store.Tx, q assessment.FactQuery, name string) (assessment.Fact, error) {
	units, err := subtree(ctx, tx, q)
	if err != nil {
		return assessment.Fact{}, err
	}
	got, err := unitBatch(ctx, tx, assessment.Batch{Subjects: []assessment.BatchSubject{{UnitID: q.UnitID, Units: units}},
		Periods: []assessment.Span{{Period: q.Period, From: q.From, To: q.To}}, Totals: q.Totals}, name)
	if err != nil {
		return assessment.Fact{}, err
	}
	return got[0][0], nil
}

var _ assessment.BatchSource = FactSource{}

// BatchFacts answers inspections and problems (unit-monthly) for all the subjects at once;
// the facts of the schemes with a few subjects are asked subject by subject.
func (s FactSource) BatchFacts(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][][]assessment.Fact, error) {
	out, err := assessment.EachQuery(ctx, tx, s, b.Without("inspections", "problems"))
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"inspections", "problems"} {
		if !b.Wants(name) {
			continue
		}
		got, err := unitBatch(ctx, tx, b, name)
		if err != nil {
			return nil, fmt.Errorf("inspection facts %s: %w", name, err)
		}
		for i := range got {
			for j := range got[i] {
				out[i][j] = append(out[i][j], got[i][j])
			}
		}
	}
	return out, nil
}

// unitBatch answers inspections or problems for every subject and period of b, in one query
// a period (or one over all the periods, from the running totals): the period's inspections
// of the unit-monthly kinds, and their findings not rejected at sign-off, of every unit of
// the subjects' subtrees, each given to the subjects whose subtree holds its unit.
func unitBatch(ctx context.Context, tx *store.Tx, b assessment.Batch, name string) ([][]assessment.Fact, error) {
	out := make([][]assessment.Fact, len(b.Subjects))
	for i := range out {
		out[i] = make([]assessment.Fact, len(b.Periods))
		for j := range out[i] {
			out[i][j] = assessment.Fact{Name: name, Value: 0, Records: []assessment.Record{}}
		}
	}
	if b.Totals {
		t, err := assessment.BatchTotals(ctx, tx, name, "unit", b.Subtrees(), b.DaySpans())
		if err != nil {
			return nil, err
		}
		for i := range t {
			for j := range t[i] {
				out[i][j].Value = int(t[i][j][""])
			}
		}
		return out, nil
	}
	owners, units := b.Owners()
	for j, p := range b.Periods {
		if name == "inspections" {
			in, inArgs := tx.AnyOf("i.unit_id", units)
			rows, err := tx.Query(ctx, "SELECT "+inspectionColumns+inspectionFrom+" WHERE "+in+" AND i.inspected_at >= ? AND i.inspected_at < ? AND i.kind IN ("+unitMonthlyKinds+") ORDER BY i.inspected_at, i.id", append(inArgs, p.From, p.To)...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				i, err := scanInspection(rows)
				if err != nil {
					rows.Close()
					return nil, err
				}
				r := assessment.Record{Kind: "inspection", ID: fmt.Sprint(i.ID), At: i.InspectedAt,
					Summary: fmt.Sprintf("%s %s %s · %d", i.Day, i.UnitName, i.Inspector, i.Findings), URL: fmt.Sprintf("/inspections/%d", i.ID)}
				for _, k := range owners[i.UnitID] {
					out[k][j].Records = append(out[k][j].Records, r)
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, err
			}
		} else {
			in, inArgs := tx.AnyOf("f.unit_id", units)
			fs, err := queryFindings(ctx, tx, in+" AND i.inspected_at >= ? AND i.inspected_at < ? AND i.kind IN ("+unitMonthlyKinds+") AND f.signoff <> 'rejected'", append(inArgs, p.From, p.To)...)
			if err != nil {
				return nil, err
			}
			for _, x := range fs {
				r := findingRecord(x)
				for _, k := range owners[x.UnitID] {
					out[k][j].Records = append(out[k][j].Records, r)
				}
			}
		}
		for k := range out {
			out[k][j].Value = len(out[k][j].Records)
		}
	}
	return out, nil
}

func findingRecord(x Finding) assessment.Record {
	return assessment.Record{Kind: "inspection_finding", ID: fmt.Sprint(x.ID), At: dayTime(x.Day).UTC(),
		Summary: fmt.Sprintf("%s %s %s %s −%s", x.Day, x.UnitName, x.ItemCode, x.Description, x.Deduction), URL: fmt.Sprintf("/inspections/%d#finding-%d", x.InspectionID, x.ID)}
}

func scoreFacts(ctx context.Context, tx *store.Tx, q assessment.FactQuery, name string) (assessment.Fact, error) {
	kind := SelfCheck
	if name == "spot_checks" {
		kind = SpotCheck
	}
	f := assessment.Fact{Name: name, Records: []assessment.Record{}}
	// A score counts in the period of the month it is for, not of the day it was filed: the
	// September report filed on 3 October is the third quarter's.
	rows, err := tx.Query(ctx, "SELECT "+inspectionColumns+inspectionFrom+" WHERE i.unit_id = ? AND i.kind = ? AND i.score_cp IS NOT NULL AND i.month >= ? AND i.month < ? ORDER BY i.inspected_at, i.id",
		q.UnitID, kind, q.From.In(Zone).Format("2006-01"), q.To.In(Zone).Format("2006-01"))
	if err != nil {
		return f, err
	}
	defer rows.Close()
	m := map[string]any{}
	for rows.Next() {
		i, err := scanInspection(rows)
		if err != nil {
			return f, err
		}
		m[i.Month] = json.Number(i.Score.String()) // a later check of the month replaces an earlier one
		f.Records = append(f.Records, assessment.Record{Kind: "inspection", ID: fmt.Sprint(i.ID), At: i.InspectedAt,
			Summary: fmt.Sprintf("%s %s %s", i.Month, i.UnitName, i.Score), URL: fmt.Sprintf("/inspections/%d", i.ID)})
	}
	f.Value = m
	return f, rows.Err()
}

func callbackFacts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) (assessment.Fact, error) {
	f := assessment.Fact{Name: "callback_deductions", Records: []assessment.Record{}}
	units, err := subtree(ctx, tx, q)
	if err != nil {
		return f, err
	}
	in, args := inList("f.unit_id", units)
	if q.Totals {
		f.Value, err = listTotals(ctx, tx, "callback_deductions", "unit", units, q.From.In(Zone).Format("2006-01"), q.To.In(Zone).Format("2006-01"),
			func(cp Points, _ bool) any { return json.Number(cp.String()) })
		return f, err
	}
	// By the month of the records audited (the audit's month), like the scores.
	fs, err := queryFindings(ctx, tx, in+" AND i.month >= ? AND i.month < ? AND i.kind = 'callback_audit' AND f.signoff <> 'rejected'",
		append(args, q.From.In(Zone).Format("2006-01"), q.To.In(Zone).Format("2006-01"))...)
	if err != nil {
		return f, err
	}
	vals := []any{}
	for _, x := range fs {
		vals = append(vals, json.Number(x.Deduction.String()))
		f.Records = append(f.Records, findingRecord(x))
	}
	f.Value = vals
	return f, nil
}

func personFacts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) (assessment.Fact, error) {
	f := assessment.Fact{Name: "deductions", Records: []assessment.Record{}}
	if q.Totals {
		var err error
		f.Value, err = listTotals(ctx, tx, "deductions", "person", []int64{q.PersonID}, q.From.In(Zone).Format(time.DateOnly), q.To.In(Zone).Format(time.DateOnly),
			func(cp Points, doubled bool) any {
				return map[string]any{"points": json.Number(cp.String()), "double": doubled}
			})
		return f, err
	}
	fs, err := queryFindings(ctx, tx, "f.person_id = ? AND f.signoff = 'signed' AND i.inspected_at >= ? AND i.inspected_at < ?", q.PersonID, q.From, q.To)
	if err != nil {
		return f, err
	}
	vals := []any{}
	for _, x := range fs {
		vals = append(vals, map[string]any{"points": json.Number(x.Deduction.String()), "double": x.Doubled})
		f.Records = append(f.Records, findingRecord(x))
	}
	f.Value = vals
	return f, nil
}
