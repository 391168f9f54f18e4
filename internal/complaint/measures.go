package complaint

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/store"
	"manyi/internal/target"
)

// Measures are the service standards measured from the complaint desk, for target.NewEngine:
// the response within 24 hours and the on-time rate of solutions.
func Measures() []target.Measure { return []target.Measure{replied24h{}, onTime{}} }

type measureRow struct {
	id, unit     int64
	code         string
	at           time.Time
	counted, due bool
}

func figures(rows []measureRow, zone *time.Location) map[int64]*target.Figure {
	out := map[int64]*target.Figure{}
	for _, r := range rows {
		if !r.due {
			continue
		}
		f := out[r.unit]
		if f == nil {
			f = &target.Figure{}
			out[r.unit] = f
		}
		f.Den++
		if r.counted {
			f.Num++
		}
		f.Records = append(f.Records, target.Record{Kind: "complaint", ID: r.id, Day: r.at.In(zone).Format(time.DateOnly),
			Summary: r.code, URL: fmt.Sprintf("/complaints/%d", r.id), Counted: r.counted})
	}
	return out
}

// measured runs a query of (id, unit, tracking code, clock start or deadline, end) rows and
// judges each with judge, which says whether the row counts and whether it is due yet.
func measured(ctx context.Context, tx *store.Tx, judge func(at time.Time, end *time.Time) (counted, due bool), query string, args ...any) (map[int64]*target.Figure, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []measureRow
	for rows.Next() {
		var r measureRow
		var end *time.Time
		if err := rows.Scan(&r.id, &r.unit, &r.code, &r.at, &end); err != nil {
			return nil, err
		}
		r.counted, r.due = judge(r.at, end)
		out = append(out, r)
	}
	return figures(out, chinaTime), rows.Err()
}

// replied24h: of the complaints received in the month, those answered within 24 hours of
// registration. A complaint still inside its first 24 hours is not counted yet; invalid
// complaints count like the others (the customer was owed an answer).
type replied24h struct{}

func (replied24h) Name() string      { return "complaint_reply_24h" }
func (replied24h) Kind() target.Kind { return target.Rate }
func (replied24h) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	return measured(ctx, tx, func(received time.Time, replied *time.Time) (bool, bool) {
		limit := received.Add(24 * time.Hour)
		return replied != nil && !replied.After(limit), replied != nil || tx.Now.After(limit)
	}, "SELECT id, unit_id, tracking_code, received_at, replied_at FROM complaints WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id", from, to)
}

// onTime: of the complaints whose solution deadline (3 working days) fell in the month, those
// resolved by it. A complaint whose clock is paused or not yet due is not counted.
type onTime struct{}

func (onTime) Name() string      { return "complaint_on_time" }
func (onTime) Kind() target.Kind { return target.Rate }
func (onTime) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	return measured(ctx, tx, func(due time.Time, resolved *time.Time) (bool, bool) {
		return resolved != nil && !resolved.After(due), resolved != nil || tx.Now.After(due)
	}, `SELECT id, unit_id, tracking_code, solution_due_at, resolved_at FROM complaints
		WHERE solution_due_at >= ? AND solution_due_at < ? AND paused_at IS NULL ORDER BY solution_due_at, id`, from, to)
}

// chinaTime is where a record's day is read: China keeps one offset all year.
var chinaTime = time.FixedZone("CST", 8*3600)
