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
		var err error
		if units, err = subtree(ctx, tx, q.UnitID); err != nil {
			return nil, err
		}
	}
	if q.Totals {
		v, m, err := countTotals(ctx, tx, q, units)
		if err != nil {
			return nil, err
		}
		if want["complaints_valid"] {
			out = append(out, assessment.Fact{Name: "complaints_valid", Value: v, Records: []assessment.Record{}})
		}
		if want["complaints_major"] {
			out = append(out, assessment.Fact{Name: "complaints_major", Value: m, Records: []assessment.Record{}})
		}
		return out, nil
	}
	args := []any{q.From, q.To}
	in := "?"
	args = append(args, units[0])
	for _, u := range units[1:] {
		in += ",?"
		args = append(args, u)
	}
	rows, err := tx.Query(ctx, `SELECT c.id, c.tracking_code, c.classification, c.category, c.received_at, u.name FROM complaints c
		JOIN units u ON u.id = c.unit_id
		WHERE c.received_at >= ? AND c.received_at < ? AND c.unit_id IN (`+in+`) AND c.classification IN ('valid', 'major')
		ORDER BY c.received_at, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("complaint facts: %w", err)
	}
	defer rows.Close()
	valid := assessment.Fact{Name: "complaints_valid", Records: []assessment.Record{}}
	major := assessment.Fact{Name: "complaints_major", Records: []assessment.Record{}}
	var nValid, nMajor int
	for rows.Next() {
		var r assessment.Record
		var id int64
		var code, unit string
		var class Class
		var cat Category
		if err := rows.Scan(&id, &code, &class, &cat, &r.At, &unit); err != nil {
			return nil, err
		}
		r.Kind, r.ID, r.At, r.URL = "complaint", fmt.Sprint(id), r.At.UTC(), fmt.Sprintf("/complaints/%d", id)
		r.Summary = fmt.Sprintf("%s %s %s %s", code, unit, class, cat)
		if class == Major {
			nMajor++
			major.Records = append(major.Records, r)
		} else {
			nValid++
			valid.Records = append(valid.Records, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	valid.Value, major.Value = nValid, nMajor
	if want["complaints_valid"] {
		out = append(out, valid)
	}
	if want["complaints_major"] {
		out = append(out, major)
	}
	return out, nil
}

func subtree(ctx context.Context, tx *store.Tx, unitID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, "SELECT id, parent_id FROM units")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []org.Unit
	for rows.Next() {
		var u org.Unit
		var parent *int64
		if err := rows.Scan(&u.ID, &parent); err != nil {
			return nil, err
		}
		if parent != nil {
			u.ParentID = *parent
		}
		all = append(all, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := org.NewTree(all).Subtree(unitID)
	if len(ids) == 0 {
		ids = []int64{unitID}
	}
	return ids, nil
}
