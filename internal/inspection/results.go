package inspection

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// UnitMonth is one unit's month of inspections.
type UnitMonth struct {
	UnitID      int64  `json:"unit_id"`
	UnitName    string `json:"unit_name"`
	Inspections int    `json:"inspections"`
	Problems    int    `json:"problems"`
	Deducted    Points `json:"deducted"`
	Open        int    `json:"open_rectifications"`
	Overdue     int    `json:"overdue_rectifications"`
}

// UnitMonths sums each readable unit's inspections of month (every kind), the findings on the
// unit not rejected, their deductions and the rectification status, by unit name.
func UnitMonths(ctx context.Context, db *store.DB, actor access.Principal, month string) ([]UnitMonth, error) {
	if _, err := time.Parse("2006-01", month); err != nil {
		return nil, errs.Field("month", "inspection.bad_month", month)
	}
	byUnit := map[int64]*UnitMonth{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		cond, args, err := scope(ctx, tx, actor, "i.unit_id", 0)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT i.unit_id, u.name, COUNT(*) FROM inspections i JOIN units u ON u.id = i.unit_id WHERE "+cond+" AND i.month = ? GROUP BY i.unit_id, u.name", append(args, month)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			m := &UnitMonth{}
			if err := rows.Scan(&m.UnitID, &m.UnitName, &m.Inspections); err != nil {
				rows.Close()
				return err
			}
			byUnit[m.UnitID] = m
		}
		rows.Close()
		today := tx.Now.In(Zone).Format("2006-01-02")
		cond, args, err = scope(ctx, tx, actor, "f.unit_id", 0)
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT f.unit_id, u.name, COUNT(*), COALESCE(SUM(f.deduction_cp), 0),
			SUM(CASE WHEN f.rectify_due IS NOT NULL AND f.rectified_at IS NULL THEN 1 ELSE 0 END),
			SUM(CASE WHEN f.rectify_due IS NOT NULL AND f.rectified_at IS NULL AND f.rectify_due < ? THEN 1 ELSE 0 END)
			FROM inspection_findings f JOIN units u ON u.id = f.unit_id WHERE `+cond+` AND f.month = ? AND f.signoff <> 'rejected' GROUP BY f.unit_id, u.name`,
			append(append([]any{today}, args...), month)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name string
			var n, open, overdue int
			var cp Points
			if err := rows.Scan(&id, &name, &n, &cp, &open, &overdue); err != nil {
				return err
			}
			m := byUnit[id]
			if m == nil {
				m = &UnitMonth{UnitID: id, UnitName: name}
				byUnit[id] = m
			}
			m.Problems, m.Deducted, m.Open, m.Overdue = n, cp, open, overdue
		}
		return rows.Err()
	})
	out := make([]UnitMonth, 0, len(byUnit))
	for _, m := range byUnit {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UnitName < out[j].UnitName })
	return out, errs.Wrapf(err, "unit months")
}

// PersonMonth is one person's month under the care-deductions scheme.
type PersonMonth struct {
	PersonID        int64          `json:"person_id"`
	PersonName      string         `json:"person_name"`
	UnitName        string         `json:"unit_name"`
	Deductions      int            `json:"deductions"`
	Points          scheme.Decimal `json:"points"`
	Yuan            scheme.Decimal `json:"yuan"`
	BaseSalaryOnly  bool           `json:"base_salary_only"`
	DismissalReview bool           `json:"dismissal_review"`
	Pending         int            `json:"pending"` // findings awaiting sign-off, not yet counted
	Explanation     scheme.Text    `json:"explanation"`
}

// careScheme returns the active care-deductions scheme, or the built-in one when none is
// stored (a database without the seeded schemes).
func careScheme(ctx context.Context, db *store.DB) (*scheme.Scheme, error) {
	vs, err := assessment.ListSchemes(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.Code == "care-deductions" && v.Active {
			return v.Parse()
		}
	}
	return scheme.Builtin("care-deductions")
}

// PersonMonths evaluates the care-deductions scheme for every person with a deduction in
// month (signed off, or awaiting sign-off and shown apart), over the units the actor may read,
// so the points, the yuan and the base-salary-only and dismissal-review flags come from the
// scheme. The twelve months up to month are evaluated together, because the dismissal rule
// needs the month before (December for January too). Anyone but peopleReaders gets his own
// row only.
func PersonMonths(ctx context.Context, db *store.DB, actor access.Principal, month string) ([]PersonMonth, error) {
	mt, err := time.ParseInLocation("2006-01", month, Zone)
	if err != nil {
		return nil, errs.Field("month", "inspection.bad_month", month)
	}
	sch, err := careScheme(ctx, db)
	if err != nil {
		return nil, err
	}
	type key struct {
		person int64
		month  string
	}
	facts := map[key][]any{}
	people := map[int64]*PersonMonth{}
	var order []int64
	err = db.Read(ctx, func(tx *store.Tx) error {
		cond, args, err := scope(ctx, tx, actor, "f.unit_id", 0)
		if err != nil {
			return err
		}
		// Only the people with a finding in month get a row; the earlier months are read for
		// them alone (a year of findings charges tens of thousands of people at scale).
		where := cond + ` AND f.person_id IS NOT NULL AND f.month >= ? AND f.month <= ? AND f.signoff IN ('signed', 'pending')
			AND f.person_id IN (SELECT m.person_id FROM inspection_findings m WHERE m.month = ? AND m.person_id IS NOT NULL AND m.signoff IN ('signed', 'pending'))`
		args = append(args, mt.AddDate(0, -11, 0).Format("2006-01"), month, month)
		if !actor.HasAny(peopleReaders...) {
			// An account without a person has no row.
			where, args = where+" AND f.person_id = ?", append(args, cmp.Or(actor.PersonID, -1))
		}
		fs, err := queryFindings(ctx, tx, where, args...)
		if err != nil {
			return err
		}
		for _, f := range fs {
			p := people[f.PersonID]
			if p == nil {
				p = &PersonMonth{PersonID: f.PersonID, PersonName: f.PersonName}
				people[f.PersonID] = p
				order = append(order, f.PersonID)
			}
			if f.Month == month {
				p.UnitName = f.UnitName
				if f.Signoff == Pending {
					p.Pending++
					continue
				}
				p.Deductions++
			}
			if f.Signoff == Signed {
				k := key{f.PersonID, f.Month}
				facts[k] = append(facts[k], map[string]any{"points": json.Number(f.Deduction.String()), "double": f.Doubled})
			}
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrapf(err, "person months")
	}
	var input []scheme.SubjectFacts
	for _, id := range order {
		sf := scheme.SubjectFacts{ID: fmt.Sprint(id), Periods: map[string]map[string]any{}}
		for m := mt.AddDate(0, -11, 0); !m.After(mt); m = m.AddDate(0, 1, 0) {
			ds := facts[key{id, m.Format("2006-01")}]
			if ds == nil {
				ds = []any{}
			}
			sf.Periods[m.Format("2006-01")] = map[string]any{"deductions": ds}
		}
		input = append(input, sf)
	}
	results, err := sch.Evaluate(input...)
	if err != nil {
		return nil, err
	}
	var out []PersonMonth
	for _, r := range results {
		if r.Period != month {
			continue
		}
		var id int64
		fmt.Sscan(r.Subject, &id)
		p := people[id]
		if p.UnitName == "" {
			continue // nothing this month: earlier months only fed the rules
		}
		if r.Total != nil {
			p.Points = *r.Total
		}
		p.Yuan = r.Money["penalty"]
		for _, fl := range r.Flags {
			p.BaseSalaryOnly = p.BaseSalaryOnly || fl == "base_salary_only"
			p.DismissalReview = p.DismissalReview || fl == "dismissal_review"
		}
		if len(r.Components) > 0 {
			p.Explanation = r.Components[0].Explanation
		}
		out = append(out, *p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Points.Cmp(out[j].Points) > 0 })
	return out, nil
}

// DutyQuotas reports each duty-round inspector's points logged on day against the quota of
// §5 (at least 10 points a day): a status to see, not a rule that makes findings up.
func DutyQuotas(ctx context.Context, db *store.DB, actor access.Principal, day string) ([]QuotaStatus, error) {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, errs.Field("day", "inspection.bad_date", day)
	}
	var out []QuotaStatus
	err := db.Read(ctx, func(tx *store.Tx) error {
		cond, args, err := scope(ctx, tx, actor, "i.unit_id", 0)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT i.inspector, COALESCE(SUM(f.deduction_cp), 0) FROM inspections i
			LEFT JOIN inspection_findings f ON f.inspection_id = i.id AND f.signoff <> 'rejected'
			WHERE `+cond+` AND i.kind = 'duty_round' AND i.day = ? GROUP BY i.inspector ORDER BY i.inspector`, append(args, day)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			q := QuotaStatus{Day: day}
			if err := rows.Scan(&q.Inspector, &q.Logged); err != nil {
				return err
			}
			q.Met = q.Logged >= DutyQuota
			out = append(out, q)
		}
		return rows.Err()
	})
	return out, errs.Wrapf(err, "duty quotas")
}
