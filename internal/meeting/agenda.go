package meeting

import (
	"context"
	"strconv"
	"strings"
	"time"

	"manyi/internal/org"
	"manyi/internal/store"
)

// agenda counts the quarter's records of the organisation's units: the evidence the meeting
// goes through, each line with the page that lists the records. A fixed number of queries,
// whatever the number of units.
func agenda(ctx context.Context, tx *store.Tx, orgID int64, q Quarter, now time.Time) ([]Line, error) {
	tree, err := org.LoadTree(ctx, tx)
	if err != nil {
		return nil, err
	}
	units := tree.Subtree(orgID)
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(units)), ", ") + ")"
	ids := make([]any, len(units))
	for i, u := range units {
		ids[i] = u
	}
	with := func(args ...any) []any { return append(append([]any{}, ids...), args...) }
	from, to := q.Start().UTC(), q.End().UTC()
	months := q.Months()
	period := "period=" + q.String()
	var out []Line

	count := func(key, href, query string, args []any) error {
		var n, extra int
		if err := tx.QueryRow(ctx, query, args...).Scan(&n, &extra); err != nil {
			return err
		}
		out = append(out, Line{Key: key, Count: n, Extra: extra, Href: href})
		return nil
	}
	for _, c := range []struct {
		key, kind string
	}{{"meet.agenda.spot_checks", "spot_check"}, {"meet.agenda.self_checks", "self_check"}, {"meet.agenda.routine", "routine"}} {
		if err := count(c.key, "/inspections?kind="+c.kind+"&month="+months[0],
			`SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM inspection_findings f WHERE f.inspection_id = i.id) THEN 1 ELSE 0 END), 0)
			FROM inspections i WHERE i.unit_id IN `+in+` AND i.kind = ? AND i.month IN (?, ?, ?)`, with(c.kind, months[0], months[1], months[2])); err != nil {
			return nil, err
		}
	}
	if err := count("meet.agenda.surveys", "/surveys/quarters/"+q.String(),
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN satisfied THEN 1 ELSE 0 END), 0) FROM survey_answers WHERE unit_id IN `+in+` AND answered_at >= ? AND answered_at < ? AND authenticity <> 'fake'`,
		with(from, to)); err != nil {
		return nil, err
	}
	if err := count("meet.agenda.complaints", "/complaints?"+period,
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN classification = 'valid' THEN 1 ELSE 0 END), 0) FROM complaints WHERE unit_id IN `+in+` AND received_at >= ? AND received_at < ?`,
		with(from, to)); err != nil {
		return nil, err
	}
	if err := count("meet.agenda.dept_results", "/assessment",
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.status IN ('approved', 'locked') THEN 1 ELSE 0 END), 0) FROM assessment_results r JOIN assessment_closes c ON c.id = r.close_id
		WHERE r.unit_id IN `+in+` AND c.period = ? AND c.status <> 'superseded'`, with(q.String())); err != nil {
		return nil, err
	}
	today := now.In(Zone).Format(time.DateOnly)
	if err := count("meet.agenda.items", "/improvements?unit_id="+strconv.FormatInt(orgID, 10),
		`SELECT COALESCE(SUM(CASE WHEN status IN ('open', 'reopened', 'done') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status IN ('open', 'reopened') AND due_on < ? THEN 1 ELSE 0 END), 0) FROM improvements WHERE unit_id IN `+in,
		append([]any{today}, ids...)); err != nil {
		return nil, err
	}
	return out, nil
}
