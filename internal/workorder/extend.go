package workorder

import (
	"context"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// ExtendTask moves an open task's deadline by one day for a special case (the seed: 特殊情况
// 顺延至次日 — the reporter is away, the device cannot be checked yet), with the reason. The
// task's evaluator or a clerk may; a task is extended once, and a done task not at all.
func ExtendTask(ctx context.Context, db *store.DB, actor access.Principal, taskID int64, reason string) (Task, error) {
	reason, err := text("extension_reason", reason, true)
	if err != nil {
		return Task{}, err
	}
	var k Task
	err = db.InTx(ctx, func(tx *store.Tx) error {
		k, err = getTask(ctx, tx, "k.id = ?", taskID)
		if store.IsNoRows(err) {
			return errs.New(errs.NotFound, "wo.task_not_found", taskID)
		}
		if err != nil {
			return err
		}
		if !actor.HasAny(clerkRoles...) {
			if err := mayEvaluate(ctx, tx, actor, k); err != nil {
				return err
			}
		}
		if k.Done() {
			return errs.New(errs.Conflict, "wo.extend_done", k.Order.ID)
		}
		if k.Extension != "" {
			return errs.New(errs.Conflict, "wo.extend_twice", k.Order.ID)
		}
		before := k.DueAt
		k.DueAt, k.Extension = k.DueAt.Add(24*time.Hour), reason
		// The guards make a second extension at the same moment change nothing.
		res, err := tx.Exec(ctx, "UPDATE workorder_tasks SET due_at = ?, extension_reason = ? WHERE id = ? AND extension_reason = '' AND version = 0",
			k.DueAt, reason, k.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.Conflict, "wo.extend_twice", k.Order.ID)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "extend", Entity: "workorder_task", EntityID: k.ID, UnitID: k.Order.TeamID,
			Before: map[string]any{"due_at": before}, After: map[string]any{"due_at": k.DueAt, "reason": reason}})
	})
	return k, err
}
