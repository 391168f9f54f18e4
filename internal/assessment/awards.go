package assessment

import (
	"encoding/json"
	"fmt"
	"sort"

	"manyi/internal/scheme"
)

// The maintenance centre's monthly awards (docs/policies.md §4), read from a closed
// maintainer-monthly period: the maintenance star (维修之星) is the best maintainer; the best
// team (优胜班组) is the team whose evaluated orders have the best mean total. Both are pure
// functions of the stored results, so a locked close names the same star and team forever.

// dissatisfiedRating is the 不满意 rating of an evaluation.
const dissatisfiedRating = 6

// orderStats reads a result's evaluated orders (the orders fact: [foreman, callback] rows):
// their count, the sum of their totals and the number of 不满意 ratings.
func orderStats(r Result) (n, sum, dissatisfied int) {
	rows, _ := r.Facts["orders"].([]any)
	for _, row := range rows {
		pair, _ := row.([]any)
		for _, x := range pair {
			v := atoiJSON(x)
			sum += v
			if v == dissatisfiedRating {
				dissatisfied++
			}
		}
		n++
	}
	return n, sum, dissatisfied
}

// Orders is the number of evaluated orders behind a maintainer-monthly result.
func (r Result) Orders() int {
	n, _, _ := orderStats(r)
	return n
}

func atoiJSON(x any) int {
	switch v := x.(type) {
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

// Star returns the period's star among the scored person results: the best total; on a tie
// more evaluated orders, then fewer 不满意 ratings, then the lower person id, so there is
// always exactly one. nil when nobody scored.
func Star(results []Result) *Result {
	var best *Result
	for i := range results {
		r := &results[i]
		if r.Result.Status != scheme.Scored || r.Result.Total == nil || r.PersonID == 0 {
			continue
		}
		if best == nil || better(r, best) {
			best = r
		}
	}
	return best
}

func better(a, b *Result) bool {
	if c := a.Result.Total.Cmp(*b.Result.Total); c != 0 {
		return c > 0
	}
	an, _, ad := orderStats(*a)
	bn, _, bd := orderStats(*b)
	if an != bn {
		return an > bn
	}
	if ad != bd {
		return ad < bd
	}
	return a.PersonID < b.PersonID
}

// TeamScore is a team's month: the mean total (12–20) of its evaluated orders. The 0.15
// volume bonus is a maintainer's and never a team's (§4): a team's score stays on the order
// scale so that small and large teams compare fairly.
type TeamScore struct {
	UnitID       int64          `json:"unit_id"`
	Orders       int            `json:"orders"`
	Sum          int            `json:"sum"` // the evaluated orders' totals added
	Dissatisfied int            `json:"dissatisfied"`
	Mean         scheme.Decimal `json:"mean"`
	Place        int            `json:"place"` // 1 is the best team
}

// Explain is the reading of the score, e.g. "386 ÷ 20 = 19.3".
func (t TeamScore) Explain() string { return fmt.Sprintf("%d ÷ %d = %s", t.Sum, t.Orders, t.Mean) }

// BestTeams ranks the teams (the units of the scored maintainers) by the mean total of their
// evaluated orders, ties broken by more evaluated orders, then fewer 不满意, then unit id.
func BestTeams(results []Result) []TeamScore {
	type acc struct{ n, sum, dis int }
	by := map[int64]*acc{}
	var order []int64
	for _, r := range results {
		if r.Result.Status != scheme.Scored || r.PersonID == 0 {
			continue
		}
		n, sum, dis := orderStats(r)
		a := by[r.UnitID]
		if a == nil {
			a = &acc{}
			by[r.UnitID] = a
			order = append(order, r.UnitID)
		}
		a.n, a.sum, a.dis = a.n+n, a.sum+sum, a.dis+dis
	}
	var out []TeamScore
	for _, id := range order {
		a := by[id]
		if a.n == 0 {
			continue
		}
		mean, err := scheme.NewDecimal(int64(a.sum), 0).Quo(scheme.NewDecimal(int64(a.n), 0))
		if err == nil {
			mean, err = mean.Round(2, "half_up")
		}
		if err != nil {
			continue
		}
		out = append(out, TeamScore{UnitID: id, Orders: a.n, Sum: a.sum, Dissatisfied: a.dis, Mean: mean})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if c := a.Mean.Cmp(b.Mean); c != 0 {
			return c > 0
		}
		if a.Orders != b.Orders {
			return a.Orders > b.Orders
		}
		if a.Dissatisfied != b.Dissatisfied {
			return a.Dissatisfied < b.Dissatisfied
		}
		return a.UnitID < b.UnitID
	})
	for i := range out {
		out[i].Place = i + 1
	}
	return out
}
