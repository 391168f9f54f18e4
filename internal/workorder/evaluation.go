package workorder

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// The three ratings of the seed, one of which is chosen (三选一).
const (
	Satisfied      = 10 // 满意
	Basic          = 8  // 基本满意
	Dissatisfied   = 6  // 不满意
	MaxAttempts    = 3  // unreachable calls before a callback is settled as unreachable
	outcomeRated   = "rated"
	outcomeUnreach = "unreachable"
)

// ValidScore reports whether s is one of the three ratings.
func ValidScore(s int) bool { return s == Satisfied || s == Basic || s == Dissatisfied }

// Task is an evaluation task with its order, as a queue shows it.
type Task struct {
	ID            int64       `json:"id"`
	Order         Order       `json:"order"`
	Kind          Kind        `json:"kind"`
	Role          access.Role `json:"role"`
	AssigneeID    int64       `json:"assignee_id"`
	Assignee      string      `json:"assignee"`
	Day           string      `json:"day"`
	DueAt         time.Time   `json:"due_at"`
	Attempts      int         `json:"attempts"`
	LastAttemptAt *time.Time  `json:"last_attempt_at"`
	Outcome       string      `json:"outcome"` // "", rated, unreachable
	Score         int         `json:"score"`
	Version       int         `json:"version"`
	EvaluatedAt   *time.Time  `json:"evaluated_at"`
	Extension     string      `json:"extension"` // why the deadline was moved by a day; "" if it was not
}

// Done reports whether the task has a saved result.
func (t Task) Done() bool { return t.Version > 0 }

// DueDay is the last day to do the task (its deadline is the end of that day).
func (t Task) DueDay() string { return DayOf(t.DueAt.Add(-time.Second)) }

// Overdue reports whether the task is open after its deadline.
func (t Task) Overdue(now time.Time) bool { return !t.Done() && now.After(t.DueAt) }

// Unreachable reports whether the callback was settled as unreachable.
func (t Task) Unreachable() bool { return t.Outcome == outcomeUnreach }

// Evaluation is one saved version of a task's result.
type Evaluation struct {
	TaskID       int64     `json:"task_id"`
	Version      int       `json:"version"`
	Outcome      string    `json:"outcome"`
	Score        int       `json:"score"`
	Attempts     int       `json:"attempts"`
	NoteSpeed    string    `json:"note_speed"`
	NoteAttitude string    `json:"note_attitude"`
	NoteDevice   string    `json:"note_device"`
	Comment      string    `json:"comment"`
	Reason       string    `json:"reason"`
	EvaluatorID  int64     `json:"evaluator_id"`
	Evaluator    string    `json:"evaluator"`
	CreatedAt    time.Time `json:"created_at"`
}

// EvalInput is what an evaluator submits.
type EvalInput struct {
	OrderID      int64
	Kind         Kind
	Unreachable  bool // the reporter did not answer: one attempt, no rating
	Score        int
	NoteSpeed    string // 响应速度
	NoteAttitude string // 服务态度
	NoteDevice   string // 设备运行状态
	Comment      string // 工长评语 / 不满意问题与建议
	Reason       string // required for a revision
}

func (in *EvalInput) clean() error {
	if in.OrderID <= 0 {
		return errs.Required("order_id")
	}
	var err error
	for _, f := range []struct {
		name string
		v    *string
	}{{"note_speed", &in.NoteSpeed}, {"note_attitude", &in.NoteAttitude}, {"note_device", &in.NoteDevice}, {"comment", &in.Comment}, {"reason", &in.Reason}} {
		if *f.v, err = text(f.name, *f.v, false); err != nil {
			return err
		}
	}
	if in.Kind != SelfEvaluation && in.Kind != Callback {
		return errs.Field("kind", "err.invalid_choice", string(in.Kind))
	}
	if in.Unreachable && in.Kind != Callback {
		return errs.Field("kind", "wo.unreachable_self")
	}
	if !in.Unreachable && !ValidScore(in.Score) {
		return errs.Field("score", "wo.bad_score")
	}
	// A 不满意 callback opens a follow-up the foreman takes to the reporter (docs/policies.md §4): without
	// the reporter's problem it would be an empty form, so the problem is required with the rating.
	if in.Kind == Callback && !in.Unreachable && in.Score == Dissatisfied && in.Comment == "" {
		return errs.Field("comment", "wo.dissatisfied_problem")
	}
	return nil
}

const taskColumns = `k.id, k.kind, k.role, k.assignee_id, COALESCE(a.name, ''), k.day, k.due_at, k.attempts, k.last_attempt_at,
	k.outcome, k.score, k.version, k.evaluated_at, k.extension_reason, ` + orderColumns

const taskFrom = ` FROM workorder_tasks k JOIN work_orders o ON o.id = k.order_id JOIN units t ON t.id = o.team_id
	JOIN people p ON p.id = o.maintainer_id LEFT JOIN people a ON a.id = k.assignee_id`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var k Task
	var assignee, score sql.NullInt64
	var last, evaluated sql.NullTime
	var outcome sql.NullString
	var o Order
	var contacted, arrived, closed sql.NullTime
	var day sql.NullString
	var repeat sql.NullInt64
	err := row.Scan(&k.ID, &k.Kind, &k.Role, &assignee, &k.Assignee, &k.Day, &k.DueAt, &k.Attempts, &last, &outcome, &score, &k.Version, &evaluated, &k.Extension,
		&o.ID, &o.Source, &o.Reporter, &o.Phone, &o.Location, &o.Device, &o.Fault, &o.TeamID, &o.TeamName, &o.MaintainerID, &o.Maintainer,
		&o.ReportedAt, &contacted, &arrived, &closed, &day, &o.Cause, &o.Measures, &repeat, &o.CreatedAt)
	o.ContactedAt, o.ArrivedAt, o.ClosedAt = timep(contacted), timep(arrived), timep(closed)
	o.CloseDay, o.RepeatOf = day.String, repeat.Int64
	k.Order, k.AssigneeID, k.Score, k.Outcome = o, assignee.Int64, int(score.Int64), outcome.String
	k.LastAttemptAt, k.EvaluatedAt = timep(last), timep(evaluated)
	k.DueAt = k.DueAt.UTC()
	return k, err
}

func getTask(ctx context.Context, tx *store.Tx, where string, args ...any) (Task, error) {
	return scanTask(tx.QueryRow(ctx, "SELECT "+taskColumns+taskFrom+" WHERE "+where, args...))
}

// mayEvaluate checks that actor may rate the task: the assigned caller for a callback, a
// foreman of the order's team for a self-evaluation; never the maintainer who is rated.
func mayEvaluate(ctx context.Context, tx *store.Tx, actor access.Principal, k Task) error {
	if actor.PersonID != 0 && actor.PersonID == k.Order.MaintainerID {
		return errs.New(errs.Forbidden, "wo.own_order")
	}
	if k.Kind == Callback {
		if actor.PersonID == 0 || actor.PersonID != k.AssigneeID {
			return errs.New(errs.Forbidden, "wo.not_assigned", k.Assignee)
		}
		return nil
	}
	anc, err := org.Ancestry(ctx, tx, k.Order.TeamID)
	if err != nil {
		return err
	}
	if !actor.HoldsOver(anc, access.Foreman) {
		return errs.New(errs.Forbidden, "wo.not_foreman", k.Order.TeamName)
	}
	return nil
}

// Evaluate saves the first rating of an order by one evaluator role, or records an
// unreachable call. Refused: an order not closed or not from the hotline, one whose tasks are
// not drawn yet, a rating outside 10/8/6, a second evaluation of the same order and kind (use
// Revise), and anyone but the assigned caller or the team's foreman.
func Evaluate(ctx context.Context, db *store.DB, actor access.Principal, in EvalInput) (Task, error) {
	if err := in.clean(); err != nil {
		return Task{}, err
	}
	var k Task
	err := db.InTx(ctx, func(tx *store.Tx) error {
		o, err := getOrder(ctx, tx, in.OrderID)
		if err != nil {
			return err
		}
		if !o.Closed() {
			return errs.New(errs.Conflict, "wo.not_closed", o.ID)
		}
		if o.Source != Hotline {
			return errs.New(errs.Conflict, "wo.not_hotline", o.ID)
		}
		if err := lockOrder(ctx, tx, o.ID); err != nil {
			return err
		}
		k, err = getTask(ctx, tx, "k.order_id = ? AND k.kind = ?", o.ID, in.Kind)
		if store.IsNoRows(err) {
			return errs.New(errs.Conflict, "wo.no_task", o.ID, o.CloseDay)
		}
		if err != nil {
			return err
		}
		if err := mayEvaluate(ctx, tx, actor, k); err != nil {
			return err
		}
		if k.Done() {
			return errs.New(errs.Conflict, "wo.already_evaluated", o.ID)
		}
		if in.Unreachable {
			k.Attempts++
			if k.Attempts < MaxAttempts {
				_, err := tx.Exec(ctx, "UPDATE workorder_tasks SET attempts = ?, last_attempt_at = ? WHERE id = ? AND version = 0", k.Attempts, tx.Now, k.ID)
				if err != nil {
					return err
				}
				k.LastAttemptAt = &tx.Now
				return audit.Record(ctx, tx, actor, audit.Change{Action: "unreachable", Entity: "workorder_task", EntityID: k.ID, UnitID: o.TeamID,
					After: map[string]any{"attempts": k.Attempts}})
			}
		}
		return save(ctx, tx, actor, &k, in, 1)
	})
	return k, err
}

// Revise changes a saved result by a new version with a reason: MayRevise, with a foreman
// holding the order's team.
func Revise(ctx context.Context, db *store.DB, actor access.Principal, taskID int64, in EvalInput) (Task, error) {
	var k Task
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE workorder_tasks SET attempts = attempts WHERE order_id = (SELECT order_id FROM workorder_tasks WHERE id = ?)", taskID); err != nil {
			return err
		}
		var err error
		k, err = getTask(ctx, tx, "k.id = ?", taskID)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "wo.task_not_found", taskID)
		}
		if err != nil {
			return err
		}
		in.Kind, in.OrderID = k.Kind, k.Order.ID
		if err := in.clean(); err != nil {
			return err
		}
		if in.Reason == "" {
			return errs.Required("reason")
		}
		if !k.Done() {
			return errs.New(errs.Conflict, "wo.not_evaluated_yet")
		}
		if actor.PersonID != 0 && actor.PersonID == k.Order.MaintainerID {
			return errs.New(errs.Forbidden, "wo.own_order")
		}
		if !actor.HasAny(clerkRoles...) {
			if err := mayEvaluate(ctx, tx, actor, k); err != nil {
				return err
			}
		}
		return save(ctx, tx, actor, &k, in, k.Version+1)
	})
	return k, err
}

// save writes version of the task's result and moves the task to it. The version guard in the
// UPDATE and the unique (task, version) make a concurrent second save fail instead of
// overwriting.
func save(ctx context.Context, tx *store.Tx, actor access.Principal, k *Task, in EvalInput, version int) error {
	pairBefore, countedBefore, err := pairOf(ctx, tx, k.Order.ID)
	if err != nil {
		return err
	}
	outcome, score := outcomeRated, any(in.Score)
	if in.Unreachable {
		outcome, score = outcomeUnreach, nil
	}
	_, err = tx.Exec(ctx, `INSERT INTO workorder_evaluations (task_id, version, outcome, score, attempts, note_speed, note_attitude, note_device, comment, reason, evaluator_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.ID, version, outcome, score, k.Attempts, in.NoteSpeed, in.NoteAttitude, in.NoteDevice, in.Comment, in.Reason, actor.PersonID, tx.Now)
	if store.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "wo.already_evaluated", k.Order.ID)
	}
	if store.IsForeignKeyViolation(err) {
		return errs.New(errs.Forbidden, "wo.no_person")
	}
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE workorder_tasks SET outcome = ?, score = ?, version = ?, attempts = ?, evaluated_at = ? WHERE id = ? AND version = ?`,
		outcome, score, version, k.Attempts, tx.Now, k.ID, version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(errs.Conflict, "wo.already_evaluated", k.Order.ID)
	}
	pairAfter, countedAfter, err := pairOf(ctx, tx, k.Order.ID)
	if err != nil {
		return err
	}
	if countedBefore != countedAfter || pairBefore != pairAfter {
		month := k.Day[:7]
		if countedBefore {
			if err := addPair(ctx, tx, month, k.Order.MaintainerID, k.Order.TeamID, pairBefore, -1); err != nil {
				return err
			}
		}
		if countedAfter {
			if err := addPair(ctx, tx, month, k.Order.MaintainerID, k.Order.TeamID, pairAfter, 1); err != nil {
				return err
			}
		}
		if err := assessment.ShiftTotals(ctx, tx, orderContribution(k.Order.MaintainerID, k.Day, pairBefore, countedBefore),
			orderContribution(k.Order.MaintainerID, k.Day, pairAfter, countedAfter)); err != nil {
			return err
		}
	}
	before := map[string]any{"outcome": k.Outcome, "score": k.Score, "version": k.Version}
	k.Outcome, k.Version, k.EvaluatedAt = outcome, version, &tx.Now
	k.Score = 0
	if !in.Unreachable {
		k.Score = in.Score
	}
	if k.Kind == Callback && k.Score == Dissatisfied {
		if err := openFollowUp(ctx, tx, actor, *k); err != nil {
			return err
		}
	}
	action := "evaluate"
	if version > 1 {
		action = "revise"
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "workorder_task", EntityID: k.ID, UnitID: k.Order.TeamID, Before: before,
		After: map[string]any{"outcome": outcome, "score": k.Score, "version": version, "reason": in.Reason}})
}

// History lists a task's saved versions, oldest first.
func History(ctx context.Context, tx *store.Tx, taskID int64) ([]Evaluation, error) {
	return histories(ctx, tx, "e.task_id = ?", taskID)
}

// histories lists the saved versions of the tasks cond selects, by task and version.
func histories(ctx context.Context, tx *store.Tx, cond string, args ...any) ([]Evaluation, error) {
	rows, err := tx.Query(ctx, `SELECT e.task_id, e.version, e.outcome, e.score, e.attempts, e.note_speed, e.note_attitude, e.note_device, e.comment, e.reason,
		e.evaluator_id, p.name, e.created_at FROM workorder_evaluations e JOIN people p ON p.id = e.evaluator_id WHERE `+cond+` ORDER BY e.task_id, e.version`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Evaluation
	for rows.Next() {
		var e Evaluation
		var score sql.NullInt64
		if err := rows.Scan(&e.TaskID, &e.Version, &e.Outcome, &score, &e.Attempts, &e.NoteSpeed, &e.NoteAttitude, &e.NoteDevice, &e.Comment, &e.Reason,
			&e.EvaluatorID, &e.Evaluator, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.Score = int(score.Int64)
		out = append(out, e)
	}
	return out, rows.Err()
}

// OrderTasks returns an order's tasks with their histories, for its page.
func OrderTasks(ctx context.Context, db *store.DB, actor access.Principal, orderID int64) ([]Task, map[int64][]Evaluation, error) {
	if _, err := Get(ctx, db, actor, orderID); err != nil {
		return nil, nil, err
	}
	var tasks []Task
	hist := map[int64][]Evaluation{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+taskColumns+taskFrom+" WHERE k.order_id = ? ORDER BY k.kind DESC", orderID)
		if err != nil {
			return err
		}
		for rows.Next() {
			k, err := scanTask(rows)
			if err != nil {
				rows.Close()
				return err
			}
			tasks = append(tasks, k)
		}
		rows.Close()
		// Every task's versions in one query, not one per task.
		all, err := histories(ctx, tx, "e.task_id IN (SELECT id FROM workorder_tasks WHERE order_id = ?)", orderID)
		for _, e := range all {
			hist[e.TaskID] = append(hist[e.TaskID], e)
		}
		return err
	})
	return tasks, hist, err
}

// Queue lists the open tasks of the actor: the callbacks assigned to them and, for a foreman,
// the self-evaluations of their teams; fewest attempts and earliest deadline first.
func Queue(ctx context.Context, db *store.DB, actor access.Principal, kind Kind, limit int) ([]Task, int, error) {
	var out []Task
	total := 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		where, args := []string{"k.version = 0", "k.kind = ?"}, []any{kind}
		if kind == Callback {
			where, args = append(where, "k.assignee_id = ?"), append(args, actor.PersonID)
		} else {
			var roots []int64
			everything := false
			for _, g := range actor.Grants {
				if g.Role == access.Foreman {
					roots, everything = append(roots, g.UnitID), everything || g.UnitID == 0
				}
			}
			scope, sargs, err := subtreeClause(ctx, tx, roots, everything, "k.team_id")
			if err != nil {
				return err
			}
			where, args = append(where, scope), append(args, sargs...)
		}
		cond := " WHERE " + strings.Join(where, " AND ")
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM workorder_tasks k"+cond, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+taskColumns+taskFrom+cond+" ORDER BY k.attempts, k.due_at, k.id LIMIT ?", append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanTask(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, total, err
}

// Backlog is where the callbacks in a reader's scope stand: how many are still open after
// their deadline, and the day of the oldest of them (the daily page to open first, "" when
// none is late).
type Backlog struct {
	Overdue   int
	OldestDay string
}

// CallbackBacklog counts the callbacks in the actor's read scope still open after their
// deadline, as of the transaction's time: what the clerk chases each morning.
func CallbackBacklog(ctx context.Context, db *store.DB, actor access.Principal) (Backlog, error) {
	var b Backlog
	err := db.Read(ctx, func(tx *store.Tx) error {
		scope, args, err := scopeClause(ctx, tx, actor, "k.team_id")
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT COUNT(*), COALESCE(MIN(k.day), '') FROM workorder_tasks k WHERE k.version = 0 AND k.kind = ? AND k.due_at < ? AND "+scope,
			append([]any{Callback, tx.Now}, args...)...).Scan(&b.Overdue, &b.OldestDay)
	})
	return b, err
}

// CallsToday counts the callbacks the actor has recorded since midnight (local time): with
// the queue's size, a dispatcher's progress through the day. A callback is due the day after
// its draw, a day later when extended, so the tasks of the last week hold every call of the
// day but a late revision; bounding the draw day lets the queue index (assignee, outcome,
// day) read a week of the caller's tasks instead of a year.
func CallsToday(ctx context.Context, db *store.DB, actor access.Principal) (int, error) {
	n := 0
	err := db.Read(ctx, func(tx *store.Tx) error {
		local := tx.Now.In(Zone)
		midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, Zone)
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM workorder_tasks k WHERE k.assignee_id = ? AND k.outcome IN (?, ?) AND k.day >= ?
			AND k.kind = ? AND k.version > 0 AND k.evaluated_at >= ?`,
			actor.PersonID, outcomeRated, outcomeUnreach, DayOf(midnight.AddDate(0, 0, -7)), Callback, midnight).Scan(&n)
	})
	return n, err
}

// MyQueue is the actor's queue of one kind, as the queue page and the API show it: callbacks
// for dispatchers and managers, self-evaluations for foremen (anyone else is refused). The
// first task is the current one, whose reporter's number is shown in full to its caller, so
// showing it is recorded in the access log.
func MyQueue(ctx context.Context, db *store.DB, actor access.Principal, kind Kind, limit int) ([]Task, int, error) {
	switch {
	case kind == Callback && !MayCall(actor):
		return nil, 0, errs.New(errs.Forbidden, "wo.queue_callers_only")
	case kind == SelfEvaluation && !MayEvaluateSelf(actor):
		return nil, 0, errs.New(errs.Forbidden, "wo.queue_foremen_only")
	case kind != Callback && kind != SelfEvaluation:
		return nil, 0, errs.Field("kind", "err.invalid_choice", string(kind))
	}
	tasks, total, err := Queue(ctx, db, actor, kind, limit)
	if err != nil || len(tasks) == 0 || kind != Callback {
		return tasks, total, err
	}
	cur := tasks[0].Order
	return tasks, total, audit.RecordView(ctx, db, actor, "work_order", cur.ID, cur.TeamID, "phone")
}
