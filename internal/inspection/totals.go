package inspection

import (
	"context"
	"fmt"

	"manyi/internal/assessment"
	"manyi/internal/store"
)

// The unit-monthly inspection facts kept as running totals (docs/aggregates.md): an
// inspection of a unit-monthly kind counts one in inspections, and each of its findings not
// rejected at sign-off one in problems, on the finding's unit and the inspection's day.
var totalFacts = []string{"inspections", "problems"}

// countsForUnit reports whether an inspection of kind counts in unit-monthly (unitMonthlyKinds).
func countsForUnit(kind Kind) bool {
	switch kind {
	case Routine, SpotCheck, DirectorRound, DutyRound, WardRound:
		return true
	}
	return false
}

func inspectionContribution(kind Kind, unitID int64, day string) []assessment.Total {
	if !countsForUnit(kind) {
		return nil
	}
	return []assessment.Total{{Fact: "inspections", SubjectKind: "unit", SubjectID: unitID, Day: day, N: 1}}
}

func findingContribution(f Finding) []assessment.Total {
	if !countsForUnit(f.Kind) || f.Signoff == Rejected {
		return nil
	}
	return []assessment.Total{{Fact: "problems", SubjectKind: "unit", SubjectID: f.UnitID, Day: f.Day, N: 1}}
}

// TotalFacts lists the facts the area keeps running totals of.
func (FactSource) TotalFacts() []string { return totalFacts }

// Recompute computes the running totals from the inspections and their findings.
func (FactSource) Recompute(ctx context.Context, tx *store.Tx) ([]assessment.Total, error) {
	var out []assessment.Total
	for _, q := range []struct{ fact, query string }{
		{"inspections", "SELECT i.unit_id, i.day, COUNT(*) FROM inspections i WHERE i.kind IN (" + unitMonthlyKinds + ") GROUP BY i.unit_id, i.day"},
		{"problems", "SELECT f.unit_id, i.day, COUNT(*) FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE i.kind IN (" + unitMonthlyKinds + ") AND f.signoff <> 'rejected' GROUP BY f.unit_id, i.day"},
	} {
		rows, err := tx.Query(ctx, q.query)
		if err != nil {
			return nil, fmt.Errorf("recompute %s: %w", q.fact, err)
		}
		for rows.Next() {
			t := assessment.Total{Fact: q.fact, SubjectKind: "unit"}
			if err := rows.Scan(&t.SubjectID, &t.Day, &t.N); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
