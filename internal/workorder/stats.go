package workorder

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// DayStats is one maintainer's (or team's) evaluations of the orders closed on a day.
type DayStats struct {
	ID, TeamID       int64
	Name, Team       string
	Orders           int // closed hotline orders with tasks
	SelfRated        int
	SelfSum          int
	CallbackRated    int
	CallbackSum      int
	Unreachable      int
	Dissatisfied     int // 不满意 callbacks
	Pending          int // tasks still open
	Overdue          int // open tasks past their deadline
	CallbackManagers int // callbacks drawn for managers
}

// SelfAvg and CallbackAvg are the average ratings, "" when none.
func (s DayStats) SelfAvg() string     { return avg(s.SelfSum, s.SelfRated) }
func (s DayStats) CallbackAvg() string { return avg(s.CallbackSum, s.CallbackRated) }

func avg(sum, n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", float64(sum)/float64(n))
}

// Daily returns the statistics of the orders closed on day, per maintainer and per team,
// within the actor's scope.
func Daily(ctx context.Context, db *store.DB, actor access.Principal, dayStr string) (maint, teams []DayStats, err error) {
	day, err := ParseDay("day", dayStr)
	if err != nil {
		return nil, nil, err
	}
	byM, byT := map[int64]*DayStats{}, map[int64]*DayStats{}
	err = db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "k.team_id")
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT k.maintainer_id, p.name, k.team_id, t.name, k.kind, k.role, COALESCE(k.outcome, ''), COALESCE(k.score, 0),
			SUM(CASE WHEN k.version = 0 AND k.due_at < ? THEN 1 ELSE 0 END), COUNT(*)
			FROM workorder_tasks k JOIN people p ON p.id = k.maintainer_id JOIN units t ON t.id = k.team_id
			WHERE k.day = ? AND `+scope+`
			GROUP BY k.maintainer_id, p.name, k.team_id, t.name, k.kind, k.role, k.outcome, k.score`,
			append([]any{tx.Now, DayOf(day)}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var mID, tID int64
			var mName, tName, outcome string
			var kind Kind
			var role access.Role
			var score, overdue, n int
			if err := rows.Scan(&mID, &mName, &tID, &tName, &kind, &role, &outcome, &score, &overdue, &n); err != nil {
				return err
			}
			for _, s := range []*DayStats{entry(byM, mID, mName, tID, tName), entry(byT, tID, tName, tID, tName)} {
				add(s, kind, role, outcome, score, overdue, n)
			}
		}
		return rows.Err()
	})
	return sortedStats(byM), sortedStats(byT), err
}

func entry(m map[int64]*DayStats, id int64, name string, teamID int64, team string) *DayStats {
	s := m[id]
	if s == nil {
		s = &DayStats{ID: id, Name: name, TeamID: teamID, Team: team}
		m[id] = s
	}
	return s
}

func add(s *DayStats, kind Kind, role access.Role, outcome string, score, overdue, n int) {
	if kind == SelfEvaluation {
		s.Orders += n
	}
	if kind == Callback && role == access.Manager {
		s.CallbackManagers += n
	}
	switch {
	case outcome == "":
		s.Pending += n
		s.Overdue += overdue
	case outcome == outcomeUnreach:
		s.Unreachable += n
	case kind == SelfEvaluation:
		s.SelfRated += n
		s.SelfSum += score * n
	default:
		s.CallbackRated += n
		s.CallbackSum += score * n
		if score == Dissatisfied {
			s.Dissatisfied += n
		}
	}
}

func sortedStats(m map[int64]*DayStats) []DayStats {
	out := make([]DayStats, 0, len(m))
	for _, s := range m {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Team != out[j].Team {
			return out[i].Team < out[j].Team
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Score is a maintainer's or team's month through the maintainer-monthly scheme.
type Score struct {
	ID, TeamID   int64
	Name, Team   string
	Orders       [][2]int // [foreman, callback] of each evaluated order
	Evaluated    int
	Dissatisfied int     // 不满意 ratings among the evaluated orders (self and callback)
	Unreachable  []int64 // orders whose reporter could not be reached: not evaluated, listed
	Pending      int     // orders with an open task: not evaluated yet
	Result       scheme.Result
	Place        int // 1 for the best; 0 when unscored
}

// Scored reports whether the month has a score (at least one evaluated order).
func (s Score) Scored() bool { return s.Result.Total != nil }

// TotalString is the score as shown.
func (s Score) TotalString() string {
	if s.Result.Total == nil {
		return ""
	}
	return s.Result.Total.String()
}

// Centre is a maintenance centre: a unit with teams under it. The seed ranks a centre's
// maintainers and teams among themselves: the best team and the star are a centre's.
type Centre struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Ranking is a month's maintainer and team scores of one centre, best first, with the best
// team and the maintenance star; Centres are the centres the actor may choose from.
type Ranking struct {
	Month       string
	Centre      Centre
	Centres     []Centre
	Maintainers []Score
	Teams       []Score
	BestTeam    *Score
	Star        *Score
}

// Rank orders scores best first: higher total; on a tie, more evaluated orders; then fewer
// 不满意; then by name so the order is stable. Unscored months come last.
func Rank(scores []Score) {
	sort.SliceStable(scores, func(i, j int) bool {
		a, b := scores[i], scores[j]
		if a.Scored() != b.Scored() {
			return a.Scored()
		}
		if a.Scored() {
			if c := a.Result.Total.Cmp(*b.Result.Total); c != 0 {
				return c > 0
			}
		}
		if a.Evaluated != b.Evaluated {
			return a.Evaluated > b.Evaluated
		}
		if a.Dissatisfied != b.Dissatisfied {
			return a.Dissatisfied < b.Dissatisfied
		}
		return a.Name < b.Name
	})
}

// monthBounds returns the first day of month and of the month after, as close_day keys.
func monthBounds(month string) (string, string, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", "", errs.Field("month", "wo.bad_month", month)
	}
	return t.Format(time.DateOnly), t.AddDate(0, 1, 0).Format(time.DateOnly), nil
}

// Monthly computes the month's scores of the maintainers and teams of a centre in the
// actor's scope with the maintainer-monthly scheme: an order is evaluated when both its
// self-evaluation and its callback are rated; a team's score pools its maintainers' evaluated
// orders through the same formula (the seed: "以此原则评价优胜工班及每月维修之星"). centre 0 is
// the first centre of the actor's scope; one outside it is refused.
func Monthly(ctx context.Context, db *store.DB, actor access.Principal, month string, centre int64) (Ranking, error) {
	from, to, err := monthBounds(month)
	if err != nil {
		return Ranking{}, err
	}
	r := Ranking{Month: month}
	byM, byT := map[int64]*Score{}, map[int64]*Score{}
	get := func(m map[int64]*Score, id int64, name string, tID int64, team string) *Score {
		s := m[id]
		if s == nil {
			s = &Score{ID: id, Name: name, TeamID: tID, Team: team}
			m[id] = s
		}
		return s
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		var teams map[int64]string
		if r.Centres, r.Centre, teams, err = centreTeams(ctx, tx, actor, centre); err != nil || len(teams) == 0 {
			return err
		}
		ids := make([]int64, 0, len(teams))
		for id := range teams {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		inTeams, targs := tx.AnyOf("s.team_id", ids)
		// Evaluated orders, counted by their pair of ratings in the running aggregate: at most
		// nine rows a maintainer.
		rows, err := tx.Query(ctx, `SELECT s.maintainer_id, p.name, s.team_id, s.self_score, s.callback_score, s.orders
			FROM workorder_pairs s JOIN people p ON p.id = s.maintainer_id WHERE s.month = ? AND s.orders > 0 AND `+inTeams, append([]any{month}, targs...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m, t int64
			var name string
			var self, cb, n int
			if err := rows.Scan(&m, &name, &t, &self, &cb, &n); err != nil {
				rows.Close()
				return err
			}
			for _, s := range []*Score{get(byM, m, name, t, teams[t]), get(byT, t, teams[t], t, teams[t])} {
				for range n {
					s.Orders = append(s.Orders, [2]int{self, cb})
				}
				s.Evaluated += n
				if self == Dissatisfied {
					s.Dissatisfied += n
				}
				if cb == Dissatisfied {
					s.Dissatisfied += n
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Orders not evaluated: unreachable reporters (listed) and open tasks. Both are few.
		seen := map[int64]bool{}
		for _, q := range []struct {
			cond        string
			unreachable bool
		}{{"s.outcome = 'unreachable'", true}, {"s.version = 0", false}} {
			rows, err := tx.Query(ctx, `SELECT s.order_id, s.maintainer_id, p.name, s.team_id FROM workorder_tasks s JOIN people p ON p.id = s.maintainer_id
				WHERE `+q.cond+` AND s.day >= ? AND s.day < ? AND `+inTeams+` ORDER BY s.order_id`, append([]any{from, to}, targs...)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var order, m, t int64
				var name string
				if err := rows.Scan(&order, &m, &name, &t); err != nil {
					rows.Close()
					return err
				}
				if seen[order] {
					continue
				}
				seen[order] = true
				for _, s := range []*Score{get(byM, m, name, t, teams[t]), get(byT, t, teams[t], t, teams[t])} {
					if q.unreachable {
						s.Unreachable = append(s.Unreachable, order)
					} else {
						s.Pending++
					}
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	if r.Maintainers, err = evaluate(byM, month, false); err != nil {
		return r, err
	}
	if r.Teams, err = evaluate(byT, month, true); err != nil {
		return r, err
	}
	if len(r.Maintainers) > 0 && r.Maintainers[0].Scored() {
		r.Star = &r.Maintainers[0]
	}
	if len(r.Teams) > 0 && r.Teams[0].Scored() {
		r.BestTeam = &r.Teams[0]
	}
	if OwnScoresOnly(actor) {
		ownRow(&r, actor.PersonID)
	}
	return r, nil
}

// centreTeams returns the centres with a team in the actor's scope, by name, the chosen one
// (0: the first) and the names of its teams in that scope.
func centreTeams(ctx context.Context, tx *store.Tx, actor access.Principal, centre int64) ([]Centre, Centre, map[int64]string, error) {
	scope, args, err := scopeClause(ctx, tx, actor, "t.id")
	if err != nil {
		return nil, Centre{}, nil, err
	}
	type team struct {
		id, centre  int64
		name, cname string
	}
	all, err := store.All(ctx, tx, func(s store.Scanner) (team, error) {
		var t team
		return t, s.Scan(&t.id, &t.name, &t.centre, &t.cname)
	}, `SELECT t.id, t.name, c.id, c.name FROM units t JOIN units c ON c.id = t.parent_id
		WHERE t.kind = 'team' AND `+scope+` ORDER BY c.name, c.id, t.id`, args...)
	var centres []Centre
	for _, t := range all {
		if len(centres) == 0 || centres[len(centres)-1].ID != t.centre {
			centres = append(centres, Centre{ID: t.centre, Name: t.cname})
		}
	}
	if err != nil || len(centres) == 0 {
		return centres, Centre{}, nil, err
	}
	chosen := centres[0]
	if centre != 0 {
		i := slices.IndexFunc(centres, func(c Centre) bool { return c.ID == centre })
		if i < 0 {
			return nil, Centre{}, nil, errs.Field("centre", "wo.bad_centre", strconv.FormatInt(centre, 10))
		}
		chosen = centres[i]
	}
	teams := map[int64]string{}
	for _, t := range all {
		if t.centre == chosen.ID {
			teams[t.id] = t.name
		}
	}
	return centres, chosen, teams, nil
}

// OwnScoresOnly reports whether p sees only his own maintainer score: a maintainer whose only
// role is staff (docs/design.md: staff see their own scores). Foremen, managers, dispatchers,
// clerks and the rest keep the rows their scope allows.
func OwnScoresOnly(p access.Principal) bool {
	for _, g := range p.Grants {
		if g.Role != access.Staff {
			return false
		}
	}
	return true
}

// ownRow keeps only person's maintainer row of a ranking, ranked among everyone so that his
// place is true, and the star only when it is he. Team scores stay: they pool a team's
// orders and name nobody's score.
func ownRow(r *Ranking, person int64) {
	var own []Score
	for _, s := range r.Maintainers {
		if s.ID == person && person != 0 {
			own = append(own, s)
		}
	}
	r.Maintainers = own
	if r.Star != nil && (len(own) == 0 || r.Star.ID != person) {
		r.Star = nil
	}
	if r.Star != nil {
		r.Star = &r.Maintainers[0]
	}
}

// evaluate runs the scheme over the subjects and ranks them. A team's score is the mean total
// (12–20) of its evaluated orders, the scheme's average component alone: the 0.15 volume
// bonus is a maintainer's, never a team's (docs/policies.md §4), so that small and large teams
// compare fairly.
func evaluate(m map[int64]*Score, month string, teams bool) ([]Score, error) {
	sc, err := scheme.Builtin("maintainer-monthly")
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	facts := make([]scheme.SubjectFacts, 0, len(ids))
	for _, id := range ids {
		s := m[id]
		orders := make([]any, len(s.Orders))
		for i, o := range s.Orders {
			orders[i] = []any{o[0], o[1]}
		}
		facts = append(facts, scheme.SubjectFacts{ID: fmt.Sprint(id), Periods: map[string]map[string]any{month: {"orders": orders}}})
	}
	results, err := sc.Evaluate(facts...)
	if err != nil {
		return nil, err
	}
	out := make([]Score, 0, len(ids))
	for i, id := range ids {
		s := *m[id]
		s.Result = results[i]
		if teams {
			s.Result = teamResult(s.Result)
		}
		out = append(out, s)
	}
	Rank(out)
	for i := range out {
		if out[i].Scored() {
			out[i].Place = i + 1
		}
	}
	return out, nil
}

// teamResult keeps the average component of a scored result as its total.
func teamResult(r scheme.Result) scheme.Result {
	for _, c := range r.Components {
		if c.Code == "average" && r.Total != nil {
			v := c.Value
			r.Components, r.Total = []scheme.ComponentResult{c}, &v
		}
	}
	return r
}
