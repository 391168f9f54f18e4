// Package target runs service-standard targets (服务质量目标): thresholds an organisation
// promises rather than scores, such as customer satisfaction ≥ 85 %, complaints answered within
// 24 hours, an on-time rate ≥ 97 %, contract fulfilment 100 %, first-time acceptance > 96 %
// (seed 002: 服务质量的管理制度 and 电信工程公司工程服务服务质量管理办法).
//
// A target is data: a measure, a comparison and a threshold, for one unit (with its sub-units)
// or the whole organisation, per month. Measures come from the areas that hold the records
// (the project register, complaints, surveys); each says what it counts (numerator,
// denominator, what is excluded) and returns the records behind its figure, so every
// attainment can be checked.
package target

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/store"
)

// Comparison is how a measured value is held against its threshold.
type Comparison string

const (
	AtLeast Comparison = ">="
	Above   Comparison = ">"
	AtMost  Comparison = "<="
	Exactly Comparison = "="
)

// Valid reports whether c is a known comparison.
func (c Comparison) Valid() bool {
	return c == AtLeast || c == Above || c == AtMost || c == Exactly
}

// Kind is what a measure's value is: a rate (numerator over denominator, in basis points) or a
// count (of breaches, say).
type Kind string

const (
	Rate  Kind = "rate"
	Count Kind = "count"
)

// Record is one record behind a figure, for the drill-down.
type Record struct {
	Kind    string `json:"kind"`
	ID      int64  `json:"id"`
	Day     string `json:"day"`
	Summary string `json:"summary"`
	URL     string `json:"url"`
	Counted bool   `json:"counted"` // in the numerator (a rate) or a breach (a count)
}

// Figure is a measure's value for a unit and month, with what made it.
type Figure struct {
	Num, Den int
	Records  []Record
}

// Value is the figure in the measure's unit: basis points of Num/Den for a rate (floor), the
// count of Num for a count. ok is false when there was nothing to measure (Den 0): no
// questionnaire answered, no plan due.
func (f Figure) Value(k Kind) (value int, ok bool) {
	switch {
	case f.Den == 0:
		return 0, false
	case k == Count:
		return f.Num, true
	}
	return f.Num * 10000 / f.Den, true
}

// Measure computes figures from the records an area holds.
type Measure interface {
	// Name is the measure's code, e.g. "contract_fulfilment"; its definition (numerator,
	// denominator, exclusions) is the message "target.measure.<name>.def".
	Name() string
	// Kind says whether the value is a rate or a count.
	Kind() Kind
	// Figures measures [from, to): one figure per unit that holds records, keyed by the
	// records' own unit, in a fixed number of queries. Targets add them up over subtrees.
	Figures(ctx context.Context, tx *store.Tx, from, to time.Time) (map[int64]*Figure, error)
}

// Add adds g's counts and records to f.
func (f *Figure) Add(g *Figure) {
	f.Num += g.Num
	f.Den += g.Den
	f.Records = append(f.Records, g.Records...)
}

// Tally counts r in its unit's figure of byUnit: in the denominator always, in the numerator
// (or as a breach) when r.Counted. Measures build their figures with it row by row.
func Tally(byUnit map[int64]*Figure, unit int64, r Record) {
	f := byUnit[unit]
	if f == nil {
		f = &Figure{}
		byUnit[unit] = f
	}
	f.Den++
	if r.Counted {
		f.Num++
	}
	f.Records = append(f.Records, r)
}

// Attained reports whether value meets threshold by c. Rates compare in basis points, so
// "> 96 %" is value > 9600 and "≥ 97 %" value ≥ 9700, exactly as the seeds write them.
func Attained(value int, c Comparison, threshold int) bool {
	switch c {
	case AtLeast:
		return value >= threshold
	case Above:
		return value > threshold
	case AtMost:
		return value <= threshold
	case Exactly:
		return value == threshold
	}
	return false
}

// Meetable reports whether a rate target can be met at all: a rate is at most 100 %, so
// "> 100 %" or "≥ 100.01 %" never can, and a threshold below 0 is meaningless.
func Meetable(k Kind, c Comparison, threshold int) error {
	switch {
	case threshold < 0:
		return fmt.Errorf("below zero")
	case k == Rate && threshold > 10000:
		return fmt.Errorf("above 100 %%")
	case k == Rate && c == Above && threshold == 10000:
		return fmt.Errorf("above 100 %%")
	}
	return nil
}

// MonthBounds is the month's first instant and the next month's, in zone.
func MonthBounds(month string, zone *time.Location) (from, to time.Time, err error) {
	t, err := time.ParseInLocation("2006-01", month, zone)
	if err != nil {
		return t, t, err
	}
	return t.UTC(), t.AddDate(0, 1, 0).UTC(), nil
}
