package workorder

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Kind is what a task asks for.
type Kind string

const (
	SelfEvaluation Kind = "self"     // 工长自评
	Callback       Kind = "callback" // 电话回访
)

// DrawGroup is the draw of one maintenance centre (the parent unit of the teams): its
// callers are the dispatchers and managers whose role covers it.
type DrawGroup struct {
	CentreID int64     `json:"centre_id"`
	Input    DrawInput `json:"input"`
}

// DrawRecord is a stored draw: its day, batch, seed and inputs.
type DrawRecord struct {
	ID        int64       `json:"id"`
	Day       string      `json:"day"`
	Batch     int         `json:"batch"`
	Seed      uint64      `json:"seed"`
	Groups    []DrawGroup `json:"groups"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
}

// GenerateResult says what a run of Generate did.
type GenerateResult struct {
	Day       string `json:"day"`
	DrawID    int64  `json:"draw_id,omitempty"`
	Batch     int    `json:"batch,omitempty"`
	Orders    int    `json:"orders"`
	Callbacks int    `json:"callbacks"`
	Managers  int    `json:"managers"`
	// AlreadyDone is set when another run (a second instance, a retried job) drew the
	// same orders first; this run then changed nothing.
	AlreadyDone bool `json:"already_done,omitempty"`
}

// SeedFor derives a draw's seed from its day and batch, so that two instances running the
// same draw at once compute the same assignment (and the second is refused by the unique
// constraints anyway). The demo's scale data seeds its bulk draws with it too.
func SeedFor(day string, batch int) uint64 {
	h := fnv.New64a()
	h.Write([]byte("workorder-draw/" + day + "/" + strconv.Itoa(batch)))
	return h.Sum64()
}

// DueAt is when the tasks of orders closed on day are due: the end of the next day.
func DueAt(day time.Time) time.Time { return day.AddDate(0, 0, 2).UTC() }

// generateHook, when set by a test, runs after each task insert; an error aborts the draw,
// standing in for a crash half-way.
var generateHook func(inserted int) error

// Generate creates the evaluation tasks of the hotline orders closed on day that have none
// yet: a self-evaluation for the team's foreman and a callback drawn by Draw. It runs in one
// transaction: either all of the draw's tasks are stored with the draw, or none. A draw that
// another run stored first is reported as AlreadyDone.
func Generate(ctx context.Context, db *store.DB, actor access.Principal, dayStr string) (GenerateResult, error) {
	res := GenerateResult{Day: dayStr}
	if !MayDraw(actor) {
		return res, errs.New(errs.Forbidden, "wo.forbidden")
	}
	day, err := ParseDay("day", dayStr)
	if err != nil {
		return res, err
	}
	res.Day = DayOf(day)
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if day.AddDate(0, 0, 1).After(tx.Now) {
			return errs.Field("day", "wo.day_not_over")
		}
		return generate(ctx, tx, actor, day, &res)
	})
	if err != nil && store.IsUniqueViolation(err) {
		return GenerateResult{Day: res.Day, AlreadyDone: true}, nil
	}
	return res, err
}

type pending struct {
	order            int64
	maintainer, team int64
	centre           int64
}

func generate(ctx context.Context, tx *store.Tx, actor access.Principal, day time.Time, res *GenerateResult) error {
	rows, err := tx.Query(ctx, `SELECT o.id, o.maintainer_id, o.team_id, COALESCE(u.parent_id, u.id) FROM work_orders o JOIN units u ON u.id = o.team_id
		WHERE o.close_day = ? AND o.source = 'hotline'
		AND NOT EXISTS (SELECT 1 FROM workorder_tasks k WHERE k.order_id = o.id) ORDER BY o.id`, res.Day)
	if err != nil {
		return err
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.order, &p.maintainer, &p.team, &p.centre); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(todo) == 0 {
		return nil
	}
	var batch int
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(batch), 0) + 1 FROM workorder_draws WHERE day = ?", res.Day).Scan(&batch); err != nil {
		return err
	}
	seed := SeedFor(res.Day, batch)
	groups := map[int64]*DrawGroup{}
	var centres []int64
	for _, p := range todo {
		g := groups[p.centre]
		if g == nil {
			g = &DrawGroup{CentreID: p.centre, Input: DrawInput{Seed: seed ^ uint64(p.centre)}}
			groups[p.centre] = g
			centres = append(centres, p.centre)
		}
		g.Input.Orders = append(g.Input.Orders, DrawOrder{OrderID: p.order, MaintainerID: p.maintainer})
	}
	sort.Slice(centres, func(i, j int) bool { return centres[i] < centres[j] })
	rec := DrawRecord{Day: res.Day, Batch: batch, Seed: seed, CreatedBy: actor.Login()}
	var assigned []Assignment
	for _, c := range centres {
		g := groups[c]
		if g.Input.Dispatchers, g.Input.Managers, err = onDuty(ctx, tx, c, DayOf(day.AddDate(0, 0, 1))); err != nil {
			return err
		}
		a := Draw(g.Input)
		if a == nil {
			return errs.New(errs.Conflict, "wo.nobody_on_duty", unitName(ctx, tx, c))
		}
		assigned = append(assigned, a...)
		rec.Groups = append(rec.Groups, *g)
	}
	inputs, err := json.Marshal(rec.Groups)
	if err != nil {
		return err
	}
	drawID, err := tx.InsertID(ctx, `INSERT INTO workorder_draws (day, batch, seed, inputs_json, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		res.Day, batch, int64(seed), string(inputs), rec.CreatedBy, tx.Now)
	if err != nil {
		return err
	}
	due := DueAt(day)
	byOrder := map[int64]pending{}
	for _, p := range todo {
		byOrder[p.order] = p
	}
	// Tasks go in 500 rows a statement: on PostgreSQL a round trip per row would make a busy
	// day's draw take tens of seconds.
	var values [][]any
	for _, p := range todo {
		values = append(values, []any{p.order, drawID, SelfEvaluation, access.Foreman, nil, p.maintainer, p.team, res.Day, due, tx.Now})
	}
	selfRows := len(values)
	for _, a := range assigned {
		p := byOrder[a.OrderID]
		values = append(values, []any{a.OrderID, drawID, Callback, a.Role, a.CallerID, p.maintainer, p.team, res.Day, due, tx.Now})
		if a.Role == access.Manager {
			res.Managers++
		}
	}
	const chunk = 500
	inserted := 0
	for start := 0; start < len(values); {
		end := min(len(values), start+chunk)
		if start < selfRows {
			end = min(end, selfRows) // self-evaluations and callbacks in separate statements
		}
		args := make([]any, 0, (end-start)*10)
		for _, r := range values[start:end] {
			args = append(args, r...)
		}
		_, err := tx.Exec(ctx, `INSERT INTO workorder_tasks (order_id, draw_id, kind, role, assignee_id, maintainer_id, team_id, day, due_at, created_at)
			VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", end-start), ", "), args...)
		if err != nil {
			return err
		}
		inserted += end - start
		if generateHook != nil {
			if err := generateHook(inserted); err != nil {
				return err
			}
		}
		start = end
	}
	res.DrawID, res.Batch, res.Orders, res.Callbacks = drawID, batch, len(todo), len(assigned)
	return audit.Record(ctx, tx, actor, audit.Change{Action: "draw", Entity: "workorder_draw", EntityID: drawID, After: res})
}

func unitName(ctx context.Context, tx *store.Tx, id int64) string {
	var name string
	if err := tx.QueryRow(ctx, "SELECT name FROM units WHERE id = ?", id).Scan(&name); err != nil {
		return strconv.FormatInt(id, 10)
	}
	return name
}

// onDuty lists the callers of the centre on workDay, the day the calls are made: the
// active dispatchers and managers whose role covers the centre and who are on that day's
// duty roster. A role nobody of which is on the roster that day falls back to everyone
// holding it, so a centre that keeps no roster (or rosters only its dispatchers) still
// draws.
func onDuty(ctx context.Context, tx *store.Tx, centre int64, workDay string) (disp, mgrs []int64, err error) {
	anc, err := org.Ancestry(ctx, tx, centre)
	if err != nil {
		return nil, nil, err
	}
	args := []any{workDay, true}
	for _, id := range anc {
		args = append(args, id)
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT r.person_id, r.role, CASE WHEN d.person_id IS NULL THEN 0 ELSE 1 END FROM role_assignments r
		JOIN people p ON p.id = r.person_id LEFT JOIN workorder_duty d ON d.person_id = r.person_id AND d.day = ?
		WHERE p.active = ? AND r.role IN ('dispatcher', 'manager') AND (r.unit_id IS NULL OR r.unit_id IN (?`+strings.Repeat(", ?", len(anc)-1)+`))
		ORDER BY r.person_id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	all, rostered := map[access.Role][]int64{}, map[access.Role][]int64{}
	for rows.Next() {
		var id int64
		var role access.Role
		var on int
		if err := rows.Scan(&id, &role, &on); err != nil {
			return nil, nil, err
		}
		all[role] = append(all[role], id)
		if on == 1 {
			rostered[role] = append(rostered[role], id)
		}
	}
	pick := func(r access.Role) []int64 {
		if len(rostered[r]) > 0 {
			return rostered[r]
		}
		return all[r]
	}
	return pick(access.Dispatcher), pick(access.Manager), rows.Err()
}

// Draws lists the stored draws of a day, with a check that recomputing each from its stored
// seed and inputs gives the tasks that were stored.
func Draws(ctx context.Context, db *store.DB, day string) ([]DrawCheck, error) {
	var out []DrawCheck
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, day, batch, seed, inputs_json, created_by, created_at FROM workorder_draws WHERE day = ? ORDER BY batch", day)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r DrawRecord
			var seed int64
			var inputs string
			if err := rows.Scan(&r.ID, &r.Day, &r.Batch, &seed, &inputs, &r.CreatedBy, &r.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			r.Seed = uint64(seed)
			if err := json.Unmarshal([]byte(inputs), &r.Groups); err != nil {
				rows.Close()
				return err
			}
			out = append(out, DrawCheck{Draw: r})
		}
		rows.Close()
		for i := range out {
			stored := map[int64][2]int64{}
			rows, err := tx.Query(ctx, "SELECT order_id, role, assignee_id FROM workorder_tasks WHERE draw_id = ? AND kind = 'callback'", out[i].Draw.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var order, who int64
				var role access.Role
				if err := rows.Scan(&order, &role, &who); err != nil {
					rows.Close()
					return err
				}
				r := int64(0)
				if role == access.Manager {
					r = 1
				}
				stored[order] = [2]int64{r, who}
			}
			rows.Close()
			same := true
			for _, g := range out[i].Draw.Groups {
				for _, a := range Draw(g.Input) {
					r := int64(0)
					if a.Role == access.Manager {
						r = 1
					}
					if stored[a.OrderID] != [2]int64{r, a.CallerID} {
						same = false
					}
					out[i].Orders++
				}
			}
			out[i].Reproduced = same && out[i].Orders == len(stored)
		}
		return nil
	})
	return out, err
}

// DrawCheck is a stored draw and whether recomputing it gives the stored tasks.
type DrawCheck struct {
	Draw       DrawRecord
	Orders     int
	Reproduced bool
}
