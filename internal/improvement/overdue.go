package improvement

import (
	"context"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
)

// AnnounceOverdue writes one improvement.overdue audit entry, which webhooks announce, for
// each item still being carried out after its due day (Item.Overdue, on today's day in Zone)
// and marks the item with the due day it announced, in tx. The marker is set only where it is
// still older than the due day, so a second sweep, or one on another instance at the same
// time, announces nothing; a due day moved later is announced again once it has passed.
func AnnounceOverdue(ctx context.Context, tx *store.Tx) (int, error) {
	type due struct {
		id, unit int64
		on       string
	}
	todo, err := store.All(ctx, tx, func(r store.Scanner) (d due, err error) {
		return d, r.Scan(&d.id, &d.unit, &d.on)
	}, `SELECT id, unit_id, due_on FROM improvements WHERE status IN ('open', 'reopened') AND due_on < ?
		AND (overdue_announced_on IS NULL OR overdue_announced_on < due_on) ORDER BY id`, localDay(tx.Now))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range todo {
		res, err := tx.Exec(ctx, `UPDATE improvements SET overdue_announced_on = due_on WHERE id = ? AND due_on = ?
			AND (overdue_announced_on IS NULL OR overdue_announced_on < due_on)`, d.id, d.on)
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue
		}
		n++
		if err := audit.Record(ctx, tx, access.System, audit.Change{Action: "overdue", Entity: "improvement", EntityID: d.id, UnitID: d.unit,
			After: map[string]any{"due_on": d.on}}); err != nil {
			return n, err
		}
	}
	return n, nil
}
