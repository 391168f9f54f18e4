package workorder

import (
	"context"
	"fmt"

	"manyi/internal/store"
)

// The running aggregate workorder_pairs counts the evaluated orders of each month, maintainer,
// team and pair of ratings. It is changed in the transaction of every rating, so the month's
// scores never rescan the month's tasks.

// lockOrder takes the row locks of an order's tasks before they are read, so that its
// self-evaluation and callback saved at the same moment see each other (PostgreSQL; SQLite
// has one writer anyway) and the aggregate counts the order exactly once.
func lockOrder(ctx context.Context, tx *store.Tx, orderID int64) error {
	_, err := tx.Exec(ctx, "UPDATE workorder_tasks SET attempts = attempts WHERE order_id = ?", orderID)
	return err
}

// pairOf returns the order's [self, callback] ratings and whether both are rated.
func pairOf(ctx context.Context, tx *store.Tx, orderID int64) ([2]int, bool, error) {
	rows, err := tx.Query(ctx, "SELECT kind, outcome, score FROM workorder_tasks WHERE order_id = ?", orderID)
	if err != nil {
		return [2]int{}, false, err
	}
	defer rows.Close()
	var p [2]int
	for rows.Next() {
		var kind Kind
		var outcome *string
		var score *int
		if err := rows.Scan(&kind, &outcome, &score); err != nil {
			return p, false, err
		}
		if outcome == nil || *outcome != outcomeRated || score == nil {
			continue
		}
		if kind == SelfEvaluation {
			p[0] = *score
		} else {
			p[1] = *score
		}
	}
	return p, p[0] != 0 && p[1] != 0, rows.Err()
}

// addPair changes the count of a pair by delta.
func addPair(ctx context.Context, tx *store.Tx, month string, maintainer, team int64, p [2]int, delta int) error {
	if delta < 0 {
		// The row exists: the pair was counted. (An upsert would check the CHECK on the
		// negative candidate row first.)
		_, err := tx.Exec(ctx, `UPDATE workorder_pairs SET orders = orders + ? WHERE month = ? AND maintainer_id = ? AND team_id = ? AND self_score = ? AND callback_score = ?`,
			delta, month, maintainer, team, p[0], p[1])
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO workorder_pairs (month, maintainer_id, team_id, self_score, callback_score, orders) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (month, maintainer_id, team_id, self_score, callback_score) DO UPDATE SET orders = workorder_pairs.orders + excluded.orders`,
		month, maintainer, team, p[0], p[1], delta)
	return err
}

// pairsQuery recomputes the aggregate of a month from the tasks.
const pairsQuery = `SELECT s.maintainer_id, s.team_id, s.score, c.score, COUNT(*)
	FROM workorder_tasks s JOIN workorder_tasks c ON c.order_id = s.order_id AND c.kind = 'callback'
	WHERE s.kind = 'self' AND s.day >= ? AND s.day < ? AND s.outcome = 'rated' AND c.outcome = 'rated'
	GROUP BY s.maintainer_id, s.team_id, s.score, c.score`

type pairKey struct {
	maintainer, team int64
	self, cb         int
}

func pairCounts(ctx context.Context, tx *store.Tx, query string, args ...any) (map[pairKey]int, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[pairKey]int{}
	for rows.Next() {
		var k pairKey
		var n int
		if err := rows.Scan(&k.maintainer, &k.team, &k.self, &k.cb, &n); err != nil {
			return nil, err
		}
		if n != 0 {
			out[k] = n
		}
	}
	return out, rows.Err()
}

// RebuildPairs recomputes a month's aggregate from the tasks, replacing what was stored.
func RebuildPairs(ctx context.Context, db *store.DB, month string) error {
	from, to, err := monthBounds(month)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		counts, err := pairCounts(ctx, tx, pairsQuery, from, to)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM workorder_pairs WHERE month = ?", month); err != nil {
			return err
		}
		for k, n := range counts {
			if err := addPair(ctx, tx, month, k.maintainer, k.team, [2]int{k.self, k.cb}, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// CheckPairs reports the differences between a month's stored aggregate and a full
// recomputation from the tasks; none means they agree.
func CheckPairs(ctx context.Context, db *store.DB, month string) ([]string, error) {
	from, to, err := monthBounds(month)
	if err != nil {
		return nil, err
	}
	var diffs []string
	err = db.Read(ctx, func(tx *store.Tx) error {
		want, err := pairCounts(ctx, tx, pairsQuery, from, to)
		if err != nil {
			return err
		}
		got, err := pairCounts(ctx, tx, "SELECT maintainer_id, team_id, self_score, callback_score, orders FROM workorder_pairs WHERE month = ?", month)
		if err != nil {
			return err
		}
		for k, n := range want {
			if got[k] != n {
				diffs = append(diffs, fmt.Sprintf("maintainer %d team %d %d+%d: stored %d, recomputed %d", k.maintainer, k.team, k.self, k.cb, got[k], n))
			}
		}
		for k, n := range got {
			if _, ok := want[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("maintainer %d team %d %d+%d: stored %d, recomputed 0", k.maintainer, k.team, k.self, k.cb, n))
			}
		}
		return nil
	})
	return diffs, err
}
