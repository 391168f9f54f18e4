package workorder

import (
	"context"
	"fmt"

	"manyi/internal/store"
)

// ClosedOrder is a closed work order as a sampling population sees it: a reference, a line a
// quality supervisor recognises, and its team as the stratum.
type ClosedOrder struct {
	ID       int64
	Team     string
	CloseDay string
	Location string
	Fault    string
}

// ClosedBetween returns the orders closed on days in [fromDay, toDay] (YYYY-MM-DD, local),
// oldest first: the population of the weekly on-site maintenance sample (docs/policies.md §6).
func ClosedBetween(ctx context.Context, db *store.DB, fromDay, toDay string) ([]ClosedOrder, error) {
	var out []ClosedOrder
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.id, u.name, o.close_day, o.location, o.fault FROM work_orders o JOIN units u ON u.id = o.team_id
			WHERE o.close_day >= ? AND o.close_day <= ? ORDER BY o.close_day, o.id`, fromDay, toDay)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o ClosedOrder
			if err := rows.Scan(&o.ID, &o.Team, &o.CloseDay, &o.Location, &o.Fault); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("closed work orders: %w", err)
	}
	return out, nil
}
