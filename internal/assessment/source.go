// Package assessment closes periods: it gathers each subject's facts from the areas that
// record them, evaluates the period's scheme, records decisions on incomplete subjects,
// and takes results through review, committee approval (审定), lock and reopen, keeping every
// number traceable to the records behind it.
package assessment

import (
	"context"
	"time"

	"manyi/internal/store"
)

// Source is one area's contribution of facts to period close. Each area (complaints,
// inspections, surveys, work orders) implements it over its own tables; assessment never
// reads another area's tables itself.
type Source interface {
	// Name identifies the source in explanations and logs, e.g. "complaints".
	Name() string
	// Provides lists the fact names this source can supply, e.g. complaints_valid.
	Provides() []string
	// Facts returns the facts among q.Names that this source knows for the subject and
	// period, each with the records that made it so that every number can be drilled into.
	// A fact the source provides but has no records for is returned with its zero value
	// (0, an empty list), not left out: "no complaints" is a fact.
	Facts(ctx context.Context, tx *store.Tx, q FactQuery) ([]Fact, error)
}

// FactQuery asks for a subject's facts over a period.
type FactQuery struct {
	UnitID   int64 // the subject: a unit (or, for person schemes, PersonID)
	PersonID int64
	Period   string // the scheme's period key: "2026-10", "2026-Q4", "2026-W05", "2026"
	// From and To bound the period in UTC: From inclusive, To exclusive, computed from the
	// period in the organisation's time zone (Asia/Shanghai).
	From, To time.Time
	Names    []string
	// Totals asks for the values alone, with no records: an earlier period of the year that a
	// multi-period rule looks at. A source reads them from its running totals
	// (docs/aggregates.md) rather than rescanning the period's records.
	Totals bool
	// Units are the subject unit and every unit below it, from the close's snapshot of the
	// tree, for the facts that count a unit's subtree; nil: the source reads the tree itself.
	Units []int64
}

// Fact is one named value with its evidence. Value is what the scheme's fact type expects:
// an int for counts, a []int or []string of decimals for lists, a map for structured facts.
type Fact struct {
	Name    string
	Value   any
	Records []Record
}

// Record is a pointer from a number to the record behind it, for drill-down pages.
type Record struct {
	Kind    string    `json:"kind"`    // e.g. "complaint", "inspection_finding"
	ID      string    `json:"id"`      // the record's id in its area
	At      time.Time `json:"at"`      // when it happened
	Summary string    `json:"summary"` // one line a clerk recognises
	URL     string    `json:"url"`     // the page that shows the record
}
