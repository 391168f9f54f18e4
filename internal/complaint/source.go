package complaint

import (
	"context"
	"fmt"

	"manyi/internal/assessment"
	"manyi/internal/org"
	"manyi/internal/store"
)

// FactSource gives period close the complaint facts of a unit: complaints_valid (valid,
// not counting major ones) and complaints_major, over the complaints received in the
// period against the unit or its sub-units, each with a record linking to the complaint.
// Invalid and unclassified complaints count nothing (docs/policies.md §1). It also gives
// direct_deductions (dept-quarterly-weighted, §3): the sum of the unit's direct deductions
// (主业直接扣分) of the period, each a record. Register it by passing
// FactSource{} in web.Config.Sources.
type FactSource struct{}

var _ assessment.Source = FactSource{}

// Name identifies the source.
func (FactSource) Name() string { return "complaints" }

// Provides lists the facts.
func (FactSource) Provides() []string {
	return []string{"complaints_valid", "complaints_major", "direct_deductions"}
}

// Facts counts the unit's valid and major complaints received in [q.From, q.To).
func (FactSource) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	want := map[string]bool{}
	for _, n := range q.Names {
		want[n] = true
	}
	var out []assessment.Fact
	if want["direct_deductions"] {
		f, err := directFact(ctx, tx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if !want["complaints_valid"] && !want["complaints_major"] {
		return out, nil
	}
	units := q.Units
	if len(units) == 0 {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return nil, err
		}
		units = tree.Subtree(q.UnitID)
	}
	got, err := countFacts(ctx, tx, assessment.Batch{Subjects: []assessment.BatchSubject{{UnitID: q.UnitID, Units: units}},
		Periods: []assessment.Span{{Period: q.Period, From: q.From, To: q.To}}, Names: q.Names, Totals: q.Totals})
	if err != nil {
		return nil, err
	}
	return append(out, got[0][0]...), nil
}

var _ assessment.BatchSource = FactSource{}

// BatchFacts answers complaints_valid and complaints_major for all the subjects at once: from
// the running totals, one grouped query per fact; or the period's complaints of every unit of
// the subjects' subtrees in one query, each given to the subjects that count its unit.
// direct_deductions (dept-quarterly-weighted, a few departments) is asked subject by subject.
func (s FactSource) BatchFacts(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][][]assessment.Fact, error) {
	out, err := assessment.EachQuery(ctx, tx, s, b.Without("complaints_valid", "complaints_major"))
	if err != nil || !b.Wants("complaints_valid", "complaints_major") {
		return out, err
	}
	counts, err := countFacts(ctx, tx, b)
	if err != nil {
		return nil, err
	}
	return assessment.Merge(out, counts), nil
}

// countFacts answers complaints_valid and complaints_major (those of b.Names) for every
// subject and period of b: the one selection of the complaints a unit-monthly close counts.
func countFacts(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][][]assessment.Fact, error) {
	want := map[string]bool{}
	for _, n := range b.Names {
		want[n] = true
	}
	counts := assessment.NewAnswer(b)
	if b.Totals {
		for _, name := range []string{"complaints_valid", "complaints_major"} {
			if !want[name] {
				continue
			}
			t, err := assessment.BatchTotals(ctx, tx, name, "unit", b.Subtrees(), b.DaySpans())
			if err != nil {
				return nil, err
			}
			for i := range t {
				for j := range t[i] {
					counts[i][j] = append(counts[i][j], assessment.Fact{Name: name, Value: int(t[i][j][""]), Records: []assessment.Record{}})
				}
			}
		}
		return counts, nil
	}
	owners, units := b.Owners()
	in, inArgs := tx.AnyOf("c.unit_id", units)
	for j, p := range b.Periods {
		valid, major := make([]assessment.Fact, len(b.Subjects)), make([]assessment.Fact, len(b.Subjects))
		for i := range b.Subjects {
			valid[i] = assessment.Fact{Name: "complaints_valid", Records: []assessment.Record{}}
			major[i] = assessment.Fact{Name: "complaints_major", Records: []assessment.Record{}}
		}
		rows, err := tx.Query(ctx, `SELECT c.id, c.unit_id, c.tracking_code, c.classification, c.category, c.received_at, u.name FROM complaints c
			JOIN units u ON u.id = c.unit_id
			WHERE c.received_at >= ? AND c.received_at < ? AND `+in+` AND c.classification IN ('valid', 'major')
			ORDER BY c.received_at, c.id`, append([]any{p.From, p.To}, inArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("complaint facts: %w", err)
		}
		for rows.Next() {
			var r assessment.Record
			var id, unitID int64
			var code, unit string
			var class Class
			var cat Category
			if err := rows.Scan(&id, &unitID, &code, &class, &cat, &r.At, &unit); err != nil {
				rows.Close()
				return nil, err
			}
			r.Kind, r.ID, r.At, r.URL = "complaint", fmt.Sprint(id), r.At.UTC(), fmt.Sprintf("/complaints/%d", id)
			r.Summary = fmt.Sprintf("%s %s %s %s", code, unit, class, cat)
			for _, i := range owners[unitID] {
				f := &valid[i]
				if class == Major {
					f = &major[i]
				}
				f.Records = append(f.Records, r)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		for i := range b.Subjects {
			valid[i].Value, major[i].Value = len(valid[i].Records), len(major[i].Records)
			if want["complaints_valid"] {
				counts[i][j] = append(counts[i][j], valid[i])
			}
			if want["complaints_major"] {
				counts[i][j] = append(counts[i][j], major[i])
			}
		}
	}
	return counts, nil
}
