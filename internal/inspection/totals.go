package inspection

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"manyi/internal/assessment"
	"manyi/internal/store"
)

// The inspection facts kept as running totals (docs/aggregates.md): an inspection of a
// unit-monthly kind counts one in inspections, and each of its findings not rejected at
// sign-off one in problems, on the finding's unit and the inspection's day; a callback-audit
// finding not rejected counts one in callback_deductions, bucket its deduction in hundredths,
// on its unit and the audited month (YYYY-MM); a signed finding charging a person counts one in
// deductions, bucket "hundredths/doubled", on the person and the inspection's day.
var totalFacts = []string{"inspections", "problems", "callback_deductions", "deductions"}

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
	var out []assessment.Total
	if countsForUnit(f.Kind) && f.Signoff != Rejected {
		out = append(out, assessment.Total{Fact: "problems", SubjectKind: "unit", SubjectID: f.UnitID, Day: f.Day, N: 1})
	}
	if f.Kind == CallbackAudit && f.Signoff != Rejected {
		out = append(out, assessment.Total{Fact: "callback_deductions", SubjectKind: "unit", SubjectID: f.UnitID, Day: f.Month, Bucket: strconv.FormatInt(int64(f.Deduction), 10), N: 1})
	}
	if f.PersonID != 0 && f.Signoff == Signed {
		out = append(out, assessment.Total{Fact: "deductions", SubjectKind: "person", SubjectID: f.PersonID, Day: f.Day, Bucket: deductionBucket(f.Deduction, f.Doubled), N: 1})
	}
	return out
}

func deductionBucket(cp Points, doubled bool) string {
	return fmt.Sprintf("%d/%t", int64(cp), doubled)
}

// TotalFacts lists the facts the area keeps running totals of.
func (FactSource) TotalFacts() []string { return totalFacts }

// Recompute computes the running totals from the inspections and their findings.
func (FactSource) Recompute(ctx context.Context, tx *store.Tx) ([]assessment.Total, error) {
	var out []assessment.Total
	for _, q := range []struct{ fact, query string }{
		{"inspections", "SELECT i.unit_id, i.day, COUNT(*) FROM inspections i WHERE i.kind IN (" + unitMonthlyKinds + ") GROUP BY i.unit_id, i.day"},
		{"problems", "SELECT f.unit_id, i.day, COUNT(*) FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE i.kind IN (" + unitMonthlyKinds + ") AND f.signoff <> 'rejected' GROUP BY f.unit_id, i.day"},
		{"callback_deductions", "SELECT f.unit_id, i.month, f.deduction_cp, COUNT(*) FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE i.kind = 'callback_audit' AND f.signoff <> 'rejected' GROUP BY f.unit_id, i.month, f.deduction_cp"},
		{"deductions", "SELECT f.person_id, i.day, f.deduction_cp, f.doubled, COUNT(*) FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id WHERE f.person_id IS NOT NULL AND f.signoff = 'signed' GROUP BY f.person_id, i.day, f.deduction_cp, f.doubled"},
	} {
		rows, err := tx.Query(ctx, q.query)
		if err != nil {
			return nil, fmt.Errorf("recompute %s: %w", q.fact, err)
		}
		for rows.Next() {
			t := assessment.Total{Fact: q.fact, SubjectKind: "unit"}
			var cp Points
			var doubled bool
			var err error
			switch q.fact {
			case "callback_deductions":
				err = rows.Scan(&t.SubjectID, &t.Day, &cp, &t.N)
				t.Bucket = strconv.FormatInt(int64(cp), 10)
			case "deductions":
				err = rows.Scan(&t.SubjectID, &t.Day, &cp, &doubled, &t.N)
				t.SubjectKind, t.Bucket = "person", deductionBucket(cp, doubled)
			default:
				err = rows.Scan(&t.SubjectID, &t.Day, &t.N)
			}
			if err != nil {
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

// listTotals reads a list fact of [from, to) from the running totals: each bucket as many
// times as it counts, largest first (the schemes sum these lists, so their order is free).
func listTotals(ctx context.Context, tx *store.Tx, fact, kind string, ids []int64, from, to string, value func(cp Points, doubled bool) any) ([]any, error) {
	t, err := assessment.SumTotals(ctx, tx, fact, kind, ids, from, to)
	if err != nil {
		return nil, err
	}
	type bucket struct {
		cp      Points
		doubled bool
		n       int64
	}
	var bs []bucket
	for k, n := range t {
		var b bucket
		cp, dbl, _ := strings.Cut(k, "/")
		v, err := strconv.ParseInt(cp, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s total bucket %q: %w", fact, k, err)
		}
		b.cp, b.doubled, b.n = Points(v), dbl == "true", n
		bs = append(bs, b)
	}
	sort.Slice(bs, func(i, j int) bool {
		return bs[i].cp > bs[j].cp || bs[i].cp == bs[j].cp && bs[i].doubled && !bs[j].doubled
	})
	out := []any{}
	for _, b := range bs {
		for range b.n {
			out = append(out, value(b.cp, b.doubled))
		}
	}
	return out, nil
}
