package booking

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/store"
	"manyi/internal/target"
)

// Measures are the service standards measured from the bookings, for target.NewEngine: the
// response within 24 hours of the booking, and the on-time rate (服务准时率).
func Measures() []target.Measure { return []target.Measure{responded24h{}, onTime{}} }

// zone is where a booking's day is read: China keeps one offset all year.
var zone = time.FixedZone("CST", 8*3600)

// tally runs a query of (id, unit, code, day instant, window start, window end, step time)
// rows, judges each with judge, and counts the due ones in their unit's figure.
func tally(ctx context.Context, tx *store.Tx, judge func(at, start, end time.Time, step *time.Time) (counted, due bool), query string, args ...any) (map[int64]*target.Figure, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*target.Figure{}
	for rows.Next() {
		var id, unit int64
		var code string
		var at, start, end time.Time
		var step *time.Time
		if err := rows.Scan(&id, &unit, &code, &at, &start, &end, &step); err != nil {
			return nil, err
		}
		if counted, due := judge(at, start, end, step); due {
			target.Tally(out, unit, target.Record{Kind: "booking", ID: id, Day: at.In(zone).Format(time.DateOnly),
				Summary: code, URL: fmt.Sprintf("/bookings/%d", id), Counted: counted})
		}
	}
	return out, rows.Err()
}

// responded24h: of the bookings made in the month, those responded to within 24 hours of the
// booking ÷ those responded to or already past 24 hours. A booking still inside its first 24
// hours without a response is not counted yet.
type responded24h struct{}

func (responded24h) Name() string      { return "booking_response_24h" }
func (responded24h) Kind() target.Kind { return target.Rate }
func (responded24h) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	return tally(ctx, tx, func(booked, _, _ time.Time, responded *time.Time) (bool, bool) {
		return RespondedInTime(booked, responded, tx.Now)
	}, "SELECT id, unit_id, code, booked_at, window_start, window_end, responded_at FROM bookings WHERE booked_at >= ? AND booked_at < ? ORDER BY booked_at, id", from, to)
}

// onTime: of the bookings whose promised window began in the month, those whose serviceman
// arrived within the window ÷ those with an arrival or whose window has ended. A window still
// open without an arrival is not counted yet.
type onTime struct{}

func (onTime) Name() string      { return "booking_on_time" }
func (onTime) Kind() target.Kind { return target.Rate }
func (onTime) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	return tally(ctx, tx, func(_, start, end time.Time, arrived *time.Time) (bool, bool) {
		return OnTime(start, end, arrived, tx.Now)
	}, "SELECT id, unit_id, code, window_start, window_start, window_end, arrived_at FROM bookings WHERE window_start >= ? AND window_start < ? ORDER BY window_start, id", from, to)
}
