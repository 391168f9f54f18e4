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

// ratedPairsQuery reads the maintainers' orders of a period whose self-evaluation and callback
// are both rated; index workorder_tasks_maintainer_self serves it (TestRatedPairsIndex). The
// last condition, on s.maintainer_id, is added by the caller. "c.outcome || ”" is
// c.outcome, written so that SQLite, which plans without statistics, cannot start from the
// index on (outcome, day) — every rated task of the month — when the list of maintainers is
// long (a centre's 500: 6 s instead of 0.1 s a close at N=10).
const ratedPairsQuery = `SELECT s.maintainer_id, s.order_id, o.closed_at, o.device, o.fault, s.score, c.score
	FROM workorder_tasks s JOIN workorder_tasks c ON c.order_id = s.order_id AND c.kind = 'callback' JOIN work_orders o ON o.id = s.order_id
	WHERE s.kind = 'self' AND s.day >= ? AND s.day < ? AND s.outcome = 'rated' AND c.outcome || '' = 'rated' AND `

// Facts returns the maintainer's evaluated orders of the period.
func (FactSource) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	got, err := FactSource{}.BatchFacts(ctx, tx, assessment.Batch{Subjects: []assessment.BatchSubject{{UnitID: q.UnitID, PersonID: q.PersonID}},
		Periods: []assessment.Span{{Period: q.Period, From: q.From, To: q.To}}, Names: q.Names, Totals: q.Totals})
	if err != nil {
		return nil, err
	}
	return got[0][0], nil
}

var _ assessment.BatchSource = FactSource{}

// BatchFacts returns the evaluated orders of every maintainer of the batch, in one query a
// period (one over all the periods from the running totals).
func (FactSource) BatchFacts(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][][]assessment.Fact, error) {
	out := assessment.NewAnswer(b)
	if !b.Wants("orders") {
		return out, nil
	}
	if b.Totals {
		return orderTotals(ctx, tx, b)
	}
	owners, people := b.PersonOwners()
	in, inArgs := tx.AnyOf("s.maintainer_id", people)
	for j, p := range b.Periods {
		facts := make([]assessment.Fact, len(b.Subjects))
		for i := range facts {
			facts[i] = assessment.Fact{Name: "orders", Value: []any{}, Records: []assessment.Record{}}
		}
		rows, err := tx.Query(ctx, ratedPairsQuery+in+" ORDER BY o.closed_at, s.order_id", append([]any{DayOf(p.From), DayOf(p.To)}, inArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("work-order facts: %w", err)
		}
		for rows.Next() {
			var maintainer, id int64
			var r assessment.Record
			var device, fault string
			var self, cb int
			if err := rows.Scan(&maintainer, &id, &r.At, &device, &fault, &self, &cb); err != nil {
				rows.Close()
				return nil, err
			}
			r.Kind, r.ID, r.At, r.URL = "work_order", fmt.Sprint(id), r.At.UTC(), fmt.Sprintf("/workorders/%d", id)
			r.Summary = fmt.Sprintf("%d %s %s: %d+%d", id, device, fault, self, cb)
			for _, i := range owners[maintainer] {
				facts[i].Value = append(facts[i].Value.([]any), []any{self, cb})
				facts[i].Records = append(facts[i].Records, r)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		for i := range facts {
			out[i][j] = []assessment.Fact{facts[i]}
		}
	}
	return out, nil
}

// orderContribution is what an order's pair of ratings adds to the running totals: one in
// orders, bucket "self+callback", on the maintainer's day, when both are rated.
func orderContribution(maintainer int64, day string, p [2]int, counted bool) []assessment.Total {
	if !counted {
		return nil
	}
	return []assessment.Total{{Fact: "orders", SubjectKind: "person", SubjectID: maintainer, Day: day, Bucket: fmt.Sprintf("%d+%d", p[0], p[1]), N: 1}}
}

// orderTotals reads the maintainers' orders of the batch's periods from the running totals:
// the pairs best first, since the scheme reads them as a multiset (count, sum, mean).
func orderTotals(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][][]assessment.Fact, error) {
	subjects := make([][]int64, len(b.Subjects))
	for i, sub := range b.Subjects {
		subjects[i] = []int64{sub.PersonID}
	}
	t, err := assessment.BatchTotals(ctx, tx, "orders", "person", subjects, b.DaySpans())
	if err != nil {
		return nil, err
	}
	out := assessment.NewAnswer(b)
	for i := range t {
		for j := range t[i] {
			var pairs [][2]int
			for k, n := range t[i][j] {
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
			out[i][j] = []assessment.Fact{{Name: "orders", Value: orders, Records: []assessment.Record{}}}
		}
	}
	return out, nil
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
