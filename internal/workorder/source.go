package workorder

import (
	"context"
	"fmt"
	"sort"

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

// ratedPairsQuery reads a maintainer's orders of a period whose self-evaluation and callback
// are both rated; index workorder_tasks_maintainer_self serves it (TestRatedPairsIndex).
const ratedPairsQuery = `SELECT s.order_id, o.closed_at, o.device, o.fault, s.score, c.score
	FROM workorder_tasks s JOIN workorder_tasks c ON c.order_id = s.order_id AND c.kind = 'callback' JOIN work_orders o ON o.id = s.order_id
	WHERE s.kind = 'self' AND s.maintainer_id = ? AND s.day >= ? AND s.day < ? AND s.outcome = 'rated' AND c.outcome = 'rated'
	ORDER BY o.closed_at, s.order_id`

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
	if q.Totals {
		return orderTotals(ctx, tx, q.PersonID, from, to)
	}
	rows, err := tx.Query(ctx, ratedPairsQuery, q.PersonID, from, to)
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

// orderContribution is what an order's pair of ratings adds to the running totals: one in
// orders, bucket "self+callback", on the maintainer's day, when both are rated.
func orderContribution(maintainer int64, day string, p [2]int, counted bool) []assessment.Total {
	if !counted {
		return nil
	}
	return []assessment.Total{{Fact: "orders", SubjectKind: "person", SubjectID: maintainer, Day: day, Bucket: fmt.Sprintf("%d+%d", p[0], p[1]), N: 1}}
}

// orderTotals reads a maintainer's orders of [from, to) from the running totals: the pairs
// best first, since the scheme reads them as a multiset (count, sum, mean).
func orderTotals(ctx context.Context, tx *store.Tx, person int64, from, to string) ([]assessment.Fact, error) {
	t, err := assessment.SumTotals(ctx, tx, "orders", "person", []int64{person}, from, to)
	if err != nil {
		return nil, err
	}
	var pairs [][2]int
	for k, n := range t {
		var p [2]int
		if _, err := fmt.Sscanf(k, "%d+%d", &p[0], &p[1]); err != nil {
			return nil, fmt.Errorf("orders total bucket %q: %w", k, err)
		}
		for range n {
			pairs = append(pairs, p)
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] > pairs[j][0]
		}
		return pairs[i][1] > pairs[j][1]
	})
	orders := []any{}
	for _, p := range pairs {
		orders = append(orders, []any{p[0], p[1]})
	}
	return []assessment.Fact{{Name: "orders", Value: orders, Records: []assessment.Record{}}}, nil
}

// TotalFacts lists the facts the area keeps running totals of.
func (FactSource) TotalFacts() []string { return []string{"orders"} }

// Recompute computes the orders totals from the tasks, as the close's query reads them.
func (FactSource) Recompute(ctx context.Context, tx *store.Tx) ([]assessment.Total, error) {
	rows, err := tx.Query(ctx, `SELECT s.maintainer_id, s.day, s.score, c.score, COUNT(*)
		FROM workorder_tasks s JOIN workorder_tasks c ON c.order_id = s.order_id AND c.kind = 'callback'
		WHERE s.kind = 'self' AND s.outcome = 'rated' AND c.outcome = 'rated'
		GROUP BY s.maintainer_id, s.day, s.score, c.score`)
	if err != nil {
		return nil, fmt.Errorf("recompute orders: %w", err)
	}
	defer rows.Close()
	var out []assessment.Total
	for rows.Next() {
		var m, n int64
		var day string
		var p [2]int
		if err := rows.Scan(&m, &day, &p[0], &p[1], &n); err != nil {
			return nil, err
		}
		t := orderContribution(m, day, p, true)[0]
		t.N = n
		out = append(out, t)
	}
	return out, rows.Err()
}
