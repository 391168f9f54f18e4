package assessment

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// TrendPoint is one closed period of a subject under one scheme: what a unit head's or a
// member of staff's home page draws as their own trend.
type TrendPoint struct {
	CloseID  int64
	Scheme   string
	Period   string
	UnitID   int64
	PersonID int64
	Status   scheme.Status
	Total    *scheme.Decimal
	Grade    *scheme.GradeResult
}

// Trend is a subject's results of approved or locked closes, per scheme, each oldest first
// and at most perScheme long: a unit's own results when sub.PersonID is 0, else the person's
// wherever they were assessed. Results of units outside the actor's read scope are left out,
// except a person's own. Drafts are not shown: a trend is of numbers that will not change
// without a reopen.
func Trend(ctx context.Context, db *store.DB, actor access.Principal, sub Subject, perScheme int) (map[string][]TrendPoint, error) {
	out := map[string][]TrendPoint{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		cond, args := "r.unit_id = ? AND r.person_id = 0", []any{false, sub.UnitID}
		if sub.PersonID != 0 {
			cond, args = "r.person_id = ?", []any{false, sub.PersonID}
		}
		// Newest first, so each scheme keeps its latest periods; a subject has a result a
		// period per scheme, and there are few schemes.
		rows, err := tx.Query(ctx, `SELECT c.id, c.scheme_code, c.period, r.unit_id, r.person_id, r.result_json
			FROM assessment_results r JOIN assessment_closes c ON c.id = r.close_id
			WHERE c.superseded = ? AND c.status <> 'draft' AND `+cond+`
			ORDER BY c.period DESC, c.id DESC`, args...)
		if err != nil {
			return fmt.Errorf("read trend: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p TrendPoint
			var rj string
			if err := rows.Scan(&p.CloseID, &p.Scheme, &p.Period, &p.UnitID, &p.PersonID, &rj); err != nil {
				return err
			}
			if len(out[p.Scheme]) >= perScheme {
				continue
			}
			own := actor.PersonID != 0 && p.PersonID == actor.PersonID
			if !own && !actor.Can(access.Read, tree.Ancestry(p.UnitID)) {
				continue
			}
			var res scheme.Result
			if err := json.Unmarshal([]byte(rj), &res); err != nil {
				return fmt.Errorf("decode result of close %d: %w", p.CloseID, err)
			}
			p.Status, p.Total, p.Grade = res.Status, res.Total, res.Grade
			out[p.Scheme] = append(out[p.Scheme], p)
		}
		return rows.Err()
	})
	for _, pts := range out {
		slices.Reverse(pts)
	}
	return out, err
}
