package survey

import (
	"context"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
)

// AnnounceOverdue writes one survey_followup.overdue audit entry, which webhooks announce, for
// each follow-up still open after its due time (the Overdue of the follow-up list) and marks it
// announced, in tx. A follow-up's due time never moves, so it is announced at most once; the
// marker is set only where it is still unset, so a second sweep, or one on another instance at
// the same time, announces nothing.
func AnnounceOverdue(ctx context.Context, tx *store.Tx) (int, error) {
	type due struct {
		id, unit int64
		at       time.Time
	}
	todo, err := store.All(ctx, tx, func(r store.Scanner) (d due, err error) {
		return d, r.Scan(&d.id, &d.unit, &d.at)
	}, `SELECT id, unit_id, due_at FROM survey_followups WHERE status = 'open' AND due_at < ?
		AND overdue_announced_at IS NULL ORDER BY id`, tx.Now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range todo {
		res, err := tx.Exec(ctx, "UPDATE survey_followups SET overdue_announced_at = ? WHERE id = ? AND overdue_announced_at IS NULL", tx.Now, d.id)
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue
		}
		n++
		if err := audit.Record(ctx, tx, access.System, audit.Change{Action: "overdue", Entity: "survey_followup", EntityID: d.id, UnitID: d.unit,
			After: map[string]any{"due_at": d.at.UTC()}}); err != nil {
			return n, err
		}
	}
	return n, nil
}
