package workorder

import (
	"context"
	"fmt"

	"manyi/internal/assessment"
	"manyi/internal/store"
)

// FactSource gives period close the maintainer-monthly fact of a maintainer (q.PersonID):
// orders, the [foreman, callback] ratings of each evaluated order closed in [q.From, q.To),
// each with a record linking to the order. Orders whose reporter could not be reached, or whose
// evaluation is not finished, are not in it (docs/policies.md §4). Register it by passing FactSource{}
// in web.Config.Sources.
type FactSource struct{}

var _ assessment.Source = FactSource{}

// Name identifies the source.
func (FactSource) Name() string { return "workorders" }

// Provides lists the facts.
func (FactSource) Provides() []string { return []string{"orders"} }

// Facts returns the maintainer's evaluated orders of the period.
func (FactSource) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	want := false
	for _, n := range q.Names {
		want = want || n == "orders"
	}
	if !want {
		return nil, nil
	}
	from, to := DayOf(q.From), DayOf(q.To)
	rows, err := tx.Query(ctx, `SELECT s.order_id, o.closed_at, o.device, o.fault, s.score, c.score
		FROM workorder_tasks s JOIN workorder_tasks c ON c.order_id = s.order_id AND c.kind = 'callback' JOIN work_orders o ON o.id = s.order_id
		WHERE s.kind = 'self' AND s.maintainer_id = ? AND s.day >= ? AND s.day < ? AND s.outcome = 'rated' AND c.outcome = 'rated'
		ORDER BY o.closed_at, s.order_id`, q.PersonID, from, to)
	if err != nil {
		return nil, fmt.Errorf("work-order facts: %w", err)
	}
	defer rows.Close()
	f := assessment.Fact{Name: "orders", Value: []any{}, Records: []assessment.Record{}}
	var orders []any
	for rows.Next() {
		var id int64
		var r assessment.Record
		var device, fault string
		var self, cb int
		if err := rows.Scan(&id, &r.At, &device, &fault, &self, &cb); err != nil {
			return nil, err
		}
		orders = append(orders, []any{self, cb})
		r.Kind, r.ID, r.At, r.URL = "work_order", fmt.Sprint(id), r.At.UTC(), fmt.Sprintf("/workorders/%d", id)
		r.Summary = fmt.Sprintf("%d %s %s: %d+%d", id, device, fault, self, cb)
		f.Records = append(f.Records, r)
	}
	if orders != nil {
		f.Value = orders
	}
	return []assessment.Fact{f}, rows.Err()
}
