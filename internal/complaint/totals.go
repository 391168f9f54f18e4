package complaint

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/assessment"
	"manyi/internal/store"
)

// The complaint facts kept as running totals (docs/aggregates.md): a valid or major
// complaint counts one on its unit's day of receipt; a direct deduction counts its points in
// hundredths on its unit's day.
var totalFacts = []string{"complaints_valid", "complaints_major", "direct_deductions"}

// contribution is what a complaint adds to the running totals.
func contribution(c Complaint) []assessment.Total {
	if !c.Counts() {
		return nil
	}
	fact := "complaints_valid"
	if c.Class == Major {
		fact = "complaints_major"
	}
	return []assessment.Total{{Fact: fact, SubjectKind: "unit", SubjectID: c.UnitID, Day: c.ReceivedAt.In(assessment.Zone).Format(time.DateOnly), N: 1}}
}

func deductionContribution(unitID int64, day string, cp int64) []assessment.Total {
	return []assessment.Total{{Fact: "direct_deductions", SubjectKind: "unit", SubjectID: unitID, Day: day, N: cp}}
}

// TotalFacts lists the facts the area keeps running totals of.
func (FactSource) TotalFacts() []string { return totalFacts }

// Recompute computes the running totals from the complaints and direct deductions.
func (FactSource) Recompute(ctx context.Context, tx *store.Tx) ([]assessment.Total, error) {
	rows, err := tx.Query(ctx, "SELECT unit_id, classification, received_at FROM complaints WHERE classification IN ('valid', 'major')")
	if err != nil {
		return nil, fmt.Errorf("recompute complaints: %w", err)
	}
	var out []assessment.Total
	for rows.Next() {
		var c Complaint
		if err := rows.Scan(&c.UnitID, &c.Class, &c.ReceivedAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, contribution(c)...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, "SELECT unit_id, day, SUM(points_cp) FROM complaint_direct_deductions GROUP BY unit_id, day")
	if err != nil {
		return nil, fmt.Errorf("recompute direct deductions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var unit, cp int64
		var day string
		if err := rows.Scan(&unit, &day, &cp); err != nil {
			return nil, err
		}
		out = append(out, deductionContribution(unit, day, cp)...)
	}
	return out, rows.Err()
}
