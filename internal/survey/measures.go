package survey

import (
	"context"
	"strconv"
	"time"

	"manyi/internal/store"
	"manyi/internal/target"
)

// Measures is the service standard measured from the questionnaires, for target.NewEngine.
func Measures() []target.Measure { return []target.Measure{satisfactionMeasure{}} }

// satisfactionMeasure is customer satisfaction (客户满意度): of the valid questionnaires answered
// in the month (those marked fake excluded), the ones whose overall rating is 基本满意 or better.
// It reads the running counts, one row per unit and day, so it never rescans the answers.
type satisfactionMeasure struct{}

func (satisfactionMeasure) Name() string      { return "survey_satisfaction" }
func (satisfactionMeasure) Kind() target.Kind { return target.Rate }
func (satisfactionMeasure) Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*target.Figure, error) {
	rows, err := tx.Query(ctx, `SELECT unit_id, SUM(answered - fake), SUM(satisfied) FROM survey_counts
		WHERE day >= ? AND day < ? GROUP BY unit_id`, Day(from), Day(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*target.Figure{}
	for rows.Next() {
		var unit int64
		var f target.Figure
		if err := rows.Scan(&unit, &f.Den, &f.Num); err != nil {
			return nil, err
		}
		if f.Den > 0 {
			f.Records = []target.Record{{Kind: "survey_answers", ID: unit, Day: Day(from), URL: "/surveys/answers?unit=" + strconv.FormatInt(unit, 10), Counted: true}}
			out[unit] = &f
		}
	}
	return out, rows.Err()
}
