package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// The scale data per unit of N (docs/demo.md): two maintenance centres of ten units each (the
// centre, its dispatch room and eight teams) with about 1,000 staff, and a year of their work
// orders, about 53,600 a year, whose self-evaluations and callbacks make about 100,000
// evaluations; and the complaints, findings (scalecomplaints.go, scaleinspections.go) and
// survey answers (scalesurveys.go) of the same year.
const (
	centresPerN = 2
	peoplePerN  = 1000
	ordersPerN  = 53_600
	// MaxScale bounds N: 1,000 would be a billion evaluations, more than any benchmark needs.
	MaxScale = 500
	// centreStaff are the people of a centre who are not in its teams: its head, the
	// dispatchers and the managers who call reporters back.
	dispatchersPerCentre = 16
	managersPerCentre    = 3
	teamsPerCentre       = 8
)

// ScaleSummary is what LoadScale added to the demo.
type ScaleSummary struct {
	N           float64 `json:"n"`
	Units       int     `json:"units"`
	People      int     `json:"people"`
	Orders      int     `json:"work_orders"`
	Tasks       int     `json:"tasks"`
	Evaluations int     `json:"evaluations"`
	Complaints  int     `json:"complaints"`
	Inspections int     `json:"inspections"`
	Findings    int     `json:"findings"`
	Campaigns   int     `json:"survey_campaigns"`
	Invitations int     `json:"survey_invitations"`
	Answers     int     `json:"survey_answers"`
	Seconds     float64 `json:"seconds"`
}

// scaleTeams are the kinds of team a bulk centre has, twice each: the demo's four teams,
// whose faults (woFaults) the bulk orders draw from.
var scaleTeams = []struct{ code, name string }{{"IMC-WL", "网络班"}, {"IMC-ZD", "终端班"}, {"IMC-JF", "机房班"}, {"IMC-RD", "弱电班"}}

// CheckScale refuses an N that is not a positive number up to MaxScale.
func CheckScale(n float64) error {
	if !(n > 0) || n > MaxScale {
		return errs.Field("scale", "demo.scale_range", MaxScale)
	}
	return nil
}

// LoadScale loads the demo as LoadAt does, then adds N times its scale data in bulk: rows
// written straight into the areas' tables in large transactions, not through the areas'
// functions, which would take hours at N=100. The data is drawn from fixed seeds, so two loads
// at the same moment give the same rows. Afterwards the running totals and the work-order
// pairs are recomputed from the records (aggs are the areas keeping totals), and one audit
// entry (demo.scale) records the load: the bulk rows have no entry each. Progress lines go to
// progress every few seconds.
//
// The bulk tables' secondary indexes are dropped while the rows are written and built again,
// all in one transaction, before the recount. A load stopped half-way therefore leaves a
// database without them (or, stopped in the recount, with stale totals that
// `rebuild-aggregates --check` reports), and always without the demo.scale entry, which is
// written last; loading again into it is refused, as into any organisation, so it must be
// thrown away (docs/benchmarks/scale-data.sh builds under a temporary name for that reason).
func LoadScale(ctx context.Context, db *store.DB, now time.Time, n float64, aggs []assessment.Aggregator, progress io.Writer) (ScaleSummary, error) {
	if err := CheckScale(n); err != nil {
		return ScaleSummary{}, err
	}
	started := time.Now()
	if _, err := LoadAt(ctx, db, now); err != nil {
		return ScaleSummary{}, err
	}
	say(progress, "scale: demo loaded in %.1f s; writing the scale data\n", time.Since(started).Seconds())
	g, err := newScaleGen(ctx, db, now, n, progress)
	if err != nil {
		return ScaleSummary{}, err
	}
	indexes, err := dropIndexes(ctx, db, scaleTables)
	if err != nil {
		return ScaleSummary{}, err
	}
	if err := g.organisation(ctx); err != nil {
		return ScaleSummary{}, err
	}
	if err := g.workorders(ctx); err != nil {
		return ScaleSummary{}, err
	}
	if err := g.complaints(ctx); err != nil {
		return ScaleSummary{}, err
	}
	if err := g.inspections(ctx); err != nil {
		return ScaleSummary{}, err
	}
	if err := g.surveys(ctx); err != nil {
		return ScaleSummary{}, err
	}
	if err := g.b.flush(ctx); err != nil {
		return ScaleSummary{}, err
	}
	g.b.report()
	say(progress, "scale: bulk rows written after %.1f s; building %d indexes\n", time.Since(started).Seconds(), len(indexes))
	if err := createIndexes(ctx, db, indexes); err != nil {
		return ScaleSummary{}, err
	}
	if err := afterBulk(ctx, db); err != nil {
		return ScaleSummary{}, err
	}
	say(progress, "scale: indexes built after %.1f s; recomputing pairs and running totals\n", time.Since(started).Seconds())
	if err := g.recount(ctx, aggs); err != nil {
		return ScaleSummary{}, err
	}
	say(progress, "scale: totals recomputed after %.1f s\n", time.Since(started).Seconds())
	if db.Dialect == store.Postgres {
		// PostgreSQL plans by its statistics, and autovacuum had not gathered them for the
		// running totals an hour after an N=100 load: planned as one row, a maintainer close
		// read all 4.6 million order totals (1.3 s; 0.055 s once analysed).
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, "ANALYZE"); return err }); err != nil {
			return ScaleSummary{}, fmt.Errorf("analyse the loaded tables: %w", err)
		}
		say(progress, "scale: statistics gathered after %.1f s\n", time.Since(started).Seconds())
	}
	g.sum.Seconds = math.Round(time.Since(started).Seconds()*10) / 10
	err = db.InTx(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, access.System, audit.Change{Action: "demo.scale", Entity: "demo", After: g.sum})
	})
	return g.sum, err
}

// say prints a progress line; a nil progress is silence.
func say(progress io.Writer, format string, args ...any) {
	if progress != nil {
		fmt.Fprintf(progress, format, args...)
	}
}

// scaleGen draws the bulk rows.
type scaleGen struct {
	b     *bulk
	rnd   *rand.Rand
	ids   map[string]int64
	sum   ScaleSummary
	now   time.Time
	today time.Time
	start time.Time // the first day of the month a year before the current one, as the demo

	root    int64
	centres []scaleCentre
	batches map[string]int // the demo's last draw batch per day
}

type scaleCentre struct {
	id          int64
	head        string // the name that signs off the findings charged to its people
	dispatchers []int64
	managers    []int64
	teams       []scaleTeam
}

type scaleTeam struct {
	id, centre  int64
	kind        string // the demo team whose faults it has
	foreman     int64
	maintainers []int64
}

func newScaleGen(ctx context.Context, db *store.DB, now time.Time, n float64, progress io.Writer) (*scaleGen, error) {
	l := newLoader(db, now)
	g := &scaleGen{rnd: rand.New(rand.NewPCG(2026, 100)), sum: ScaleSummary{N: n}, now: now, today: l.today, start: l.month(-12), batches: map[string]int{}}
	var err error
	if g.ids, err = nextIDs(ctx, db); err != nil {
		return nil, err
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT id FROM units WHERE code = 'GROUP'").Scan(&g.root); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT day, MAX(batch) FROM workorder_draws GROUP BY day")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var day string
			var batch int
			if err := rows.Scan(&day, &batch); err != nil {
				return err
			}
			g.batches[day] = batch
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	centres := max(1, int(math.Round(centresPerN*n)))
	orders := int(math.Round(ordersPerN * n))
	// Every centre has its head, callers and at least one maintainer a team.
	people := int(math.Round(peoplePerN * n))
	total := map[string]int{
		unitsTable.name:      centres * (2 + teamsPerCentre),
		peopleTable.name:     max(people, centres*(1+dispatchersPerCentre+managersPerCentre+2*teamsPerCentre)),
		ordersTable.name:     orders,
		tasksTable.name:      orders * 2,
		evalsTable.name:      orders * 2,
		complaintsTable.name: int(math.Round(complaintsPerN * n)),
		findingsTable.name:   int(math.Round(findingsPerN * n)),
		answersTable.name:    int(math.Round(answersPerN * n)),
	}
	g.b = newBulk(db, progress, total)
	g.centres = make([]scaleCentre, centres)
	return g, nil
}

func (g *scaleGen) id(t table) int64 {
	id := g.ids[t.name]
	g.ids[t.name]++
	return id
}

func (g *scaleGen) name() string {
	return string(surnames[g.rnd.IntN(len(surnames))]) + givens[g.rnd.IntN(len(givens))]
}

func (g *scaleGen) phone() string {
	return fmt.Sprintf("%s%08d", phonePrefixes[g.rnd.IntN(len(phonePrefixes))], g.rnd.IntN(100_000_000))
}

func (g *scaleGen) unit(ctx context.Context, parent int64, code, name string, kind org.Kind, public bool) (int64, error) {
	id := g.id(unitsTable)
	g.sum.Units++
	at := g.start.Add(-24 * time.Hour).UTC()
	return id, g.b.add(ctx, unitsTable, id, parent, code, name, string(kind), nil, nil, true, public, at, at)
}

// person adds a member of staff with a role over scope (0: no role).
func (g *scaleGen) person(ctx context.Context, unit int64, title string, role access.Role, scope int64) (int64, error) {
	id, _, err := g.namedPerson(ctx, unit, title, role, scope)
	return id, err
}

func (g *scaleGen) namedPerson(ctx context.Context, unit int64, title string, role access.Role, scope int64) (int64, string, error) {
	id, name := g.id(peopleTable), g.name()
	g.sum.People++
	at := g.start.Add(-24 * time.Hour).UTC()
	if err := g.b.add(ctx, peopleTable, id, unit, name, g.phone(), title, true, at, at); err != nil {
		return 0, "", err
	}
	if role == "" {
		return id, name, nil
	}
	return id, name, g.b.add(ctx, rolesTable, g.id(rolesTable), id, string(role), scope, at)
}

// organisation adds the centres under the demo's group, like its maintenance centre: a head,
// a dispatch room of dispatchers and managers whose roles cover the centre, and eight teams of
// a foreman and maintainers. The staff beyond the fixed posts are spread over the teams.
func (g *scaleGen) organisation(ctx context.Context) error {
	fixed := 1 + dispatchersPerCentre + managersPerCentre + teamsPerCentre
	maintainers := max(len(g.centres)*teamsPerCentre, g.b.total[peopleTable.name]-len(g.centres)*fixed)
	slots := len(g.centres) * teamsPerCentre
	for i := range g.centres {
		c := &g.centres[i]
		code := fmt.Sprintf("IMC-S%03d", i+1)
		name := fmt.Sprintf("第%d维修分中心", i+1)
		var err error
		if c.id, err = g.unit(ctx, g.root, code, name, org.Department, false); err != nil {
			return err
		}
		if _, c.head, err = g.namedPerson(ctx, c.id, "中心主任", access.UnitHead, c.id); err != nil {
			return err
		}
		room, err := g.unit(ctx, c.id, code+"-DDS", name+"调度室", org.Section, false)
		if err != nil {
			return err
		}
		for range dispatchersPerCentre {
			p, err := g.person(ctx, room, "调度", access.Dispatcher, c.id)
			if err != nil {
				return err
			}
			c.dispatchers = append(c.dispatchers, p)
		}
		for range managersPerCentre {
			p, err := g.person(ctx, room, "维修工程师", access.Manager, c.id)
			if err != nil {
				return err
			}
			c.managers = append(c.managers, p)
		}
		for j := range teamsPerCentre {
			kind := scaleTeams[j%len(scaleTeams)]
			t := scaleTeam{kind: kind.code, centre: c.id}
			if t.id, err = g.unit(ctx, c.id, fmt.Sprintf("%s-T%d", code, j+1), fmt.Sprintf("%s%s%d", name, kind.name, j/len(scaleTeams)+1), org.Team, true); err != nil {
				return err
			}
			if t.foreman, err = g.person(ctx, t.id, "工长", access.Foreman, t.id); err != nil {
				return err
			}
			slot := i*teamsPerCentre + j
			for range maintainers*(slot+1)/slots - maintainers*slot/slots {
				p, err := g.person(ctx, t.id, "维修人", access.Staff, t.id)
				if err != nil {
					return err
				}
				t.maintainers = append(t.maintainers, p)
			}
			c.teams = append(c.teams, t)
		}
	}
	return nil
}

// workorders adds a year of closed orders up to yesterday, spread over the working days with
// a day-to-day variation, with the demo's distributions: 1 in 15 not from the hotline (no
// evaluation), the demo's faults and places by team, the same times to contact, arrive and
// close. Each day's hotline orders are drawn the next morning with the areas' own draw
// (workorder.Draw, stored so that workorder.Draws can check it) and evaluated that day,
// except the last two days', which stay open as in the demo.
func (g *scaleGen) workorders(ctx context.Context) error {
	var days []time.Time
	for d := g.start; d.Before(g.today); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days = append(days, d)
		}
	}
	weights := make([]float64, len(days))
	var sum float64
	for i := range weights {
		weights[i] = 0.7 + 0.6*g.rnd.Float64()
		sum += weights[i]
	}
	total := g.b.total[ordersTable.name]
	var teams []*scaleTeam
	for i := range g.centres {
		for j := range g.centres[i].teams {
			teams = append(teams, &g.centres[i].teams[j])
		}
	}
	var cum float64
	done := 0
	for i, d := range days {
		cum += weights[i]
		upTo := int(math.Round(float64(total) * cum / sum))
		if err := g.day(ctx, d, upTo-done, teams, i < len(days)-2); err != nil {
			return err
		}
		done = upTo
	}
	return nil
}

type scaleOrder struct{ id, maintainer, team int64 }

func (g *scaleGen) day(ctx context.Context, d time.Time, count int, teams []*scaleTeam, evaluated bool) error {
	day := d.Format(time.DateOnly)
	byCentre := map[int64][]scaleOrder{}
	for range count {
		t := teams[g.rnd.IntN(len(teams))]
		f := woFaults[t.kind][g.rnd.IntN(len(woFaults[t.kind]))]
		rep := d.Add(time.Duration(8*60+g.rnd.IntN(9*60)) * time.Minute)
		source := workorder.Hotline
		if g.rnd.IntN(15) == 0 {
			source = workorder.Other
		}
		contact := rep.Add(time.Duration(5+g.rnd.IntN(70)) * time.Minute)
		arrive := contact.Add(time.Duration(10+g.rnd.IntN(60)) * time.Minute)
		closed := arrive.Add(time.Duration(20+g.rnd.IntN(240)) * time.Minute)
		o := scaleOrder{id: g.id(ordersTable), maintainer: t.maintainers[g.rnd.IntN(len(t.maintainers))], team: t.id}
		g.sum.Orders++
		if err := g.b.add(ctx, ordersTable, o.id, string(source), g.name(), g.phone(), woPlaces[g.rnd.IntN(len(woPlaces))], f[0], f[1], t.id, o.maintainer,
			rep.UTC(), contact.UTC(), arrive.UTC(), closed.UTC(), day, f[2], f[3], rep.UTC(), closed.UTC()); err != nil {
			return err
		}
		if source == workorder.Hotline {
			byCentre[t.centre] = append(byCentre[t.centre], o)
		}
	}
	drawAt := d.Add(24*time.Hour + 30*time.Minute)
	if !d.Add(24*time.Hour).Before(g.now) || len(byCentre) == 0 {
		return nil
	}
	return g.draw(ctx, d, drawAt, byCentre, evaluated)
}

// draw stores the day's draw of the bulk orders as a batch after the demo's, and its tasks.
func (g *scaleGen) draw(ctx context.Context, d, at time.Time, byCentre map[int64][]scaleOrder, evaluated bool) error {
	day := d.Format(time.DateOnly)
	batch := g.batches[day] + 1
	seed := workorder.SeedFor(day, batch)
	var groups []workorder.DrawGroup
	var assigned []workorder.Assignment
	orders := map[int64]scaleOrder{}
	foremen := map[int64]int64{}
	for _, c := range g.centres {
		for _, t := range c.teams {
			foremen[t.id] = t.foreman
		}
		os := byCentre[c.id]
		if len(os) == 0 {
			continue
		}
		in := workorder.DrawInput{Seed: seed ^ uint64(c.id), Dispatchers: c.dispatchers, Managers: c.managers}
		for _, o := range os {
			in.Orders = append(in.Orders, workorder.DrawOrder{OrderID: o.id, MaintainerID: o.maintainer})
			orders[o.id] = o
		}
		groups = append(groups, workorder.DrawGroup{CentreID: c.id, Input: in})
		assigned = append(assigned, workorder.Draw(in)...)
	}
	inputs, err := json.Marshal(groups)
	if err != nil {
		return err
	}
	drawID := g.id(drawsTable)
	if err := g.b.add(ctx, drawsTable, drawID, day, batch, int64(seed), string(inputs), access.System.Username, at.UTC()); err != nil {
		return err
	}
	due := workorder.DueAt(d)
	evalAt := d.Add(24*time.Hour + 10*time.Hour)
	for _, a := range assigned {
		o := orders[a.OrderID]
		// The demo's mix: the self-evaluation drawn, the callback from the order.
		self := workorder.Satisfied
		selfComment := ""
		switch r := g.rnd.IntN(100); {
		case r < 3:
			self, selfComment = workorder.Dissatisfied, "原因分析不完整，班组内部整改：工单须写明故障点"
		case r < 25:
			self, selfComment = workorder.Basic, "处理得当，工单描述可更详细"
		}
		if err := g.task(ctx, drawID, o, workorder.SelfEvaluation, access.Foreman, nil, foremen[o.team], self, false, "", "", selfComment, day, due, at, evalAt, evaluated); err != nil {
			return err
		}
		var speed, device, comment string
		score, unreachable := workorder.Satisfied, false
		switch r := int(o.id * 7919 % 100); {
		case r < 3:
			unreachable = true
		case r < 7:
			score, speed, comment = workorder.Dissatisfied, "接报后两个多小时才联系", "希望维修人员及时回电告知到场时间"
		case r < 22:
			score, device = workorder.Basic, "已修复，偶有卡顿"
		}
		if err := g.task(ctx, drawID, o, workorder.Callback, a.Role, a.CallerID, a.CallerID, score, unreachable, speed, device, comment, day, due, at, evalAt.Add(time.Hour), evaluated); err != nil {
			return err
		}
	}
	return nil
}

// task adds a task and, when the day is evaluated, its one evaluation: rated at the first
// call, or unreachable after workorder.MaxAttempts calls.
func (g *scaleGen) task(ctx context.Context, drawID int64, o scaleOrder, kind workorder.Kind, role access.Role, assignee any, evaluator int64,
	score int, unreachable bool, speed, device, comment, day string, due, created, at time.Time, evaluated bool) error {
	id := g.id(tasksTable)
	g.sum.Tasks++
	if !evaluated {
		return g.b.add(ctx, tasksTable, id, o.id, drawID, string(kind), string(role), assignee, o.maintainer, o.team, day, due, 0, nil, nil, nil, 0, nil, created.UTC())
	}
	outcome, scored, attempts := "rated", any(score), 1
	if unreachable {
		outcome, scored, attempts = "unreachable", nil, workorder.MaxAttempts
	}
	g.sum.Evaluations++
	at = at.UTC()
	if err := g.b.add(ctx, tasksTable, id, o.id, drawID, string(kind), string(role), assignee, o.maintainer, o.team, day, due, attempts, at, outcome, scored, 1, at, created.UTC()); err != nil {
		return err
	}
	return g.b.add(ctx, evalsTable, g.id(evalsTable), id, 1, outcome, scored, attempts, speed, device, comment, evaluator, at)
}

// recount recomputes what the areas keep beside their records: the work-order pairs of
// every month with bulk ratings, the survey answers' running counts and the running totals
// of the close facts.
func (g *scaleGen) recount(ctx context.Context, aggs []assessment.Aggregator) error {
	for m := g.start; !m.After(g.today); m = m.AddDate(0, 1, 0) {
		if err := workorder.RebuildPairs(ctx, g.b.db, m.Format("2006-01")); err != nil {
			return err
		}
	}
	if err := survey.RebuildCounts(ctx, g.b.db); err != nil {
		return err
	}
	_, err := assessment.RebuildTotals(ctx, g.b.db, aggs)
	return err
}
