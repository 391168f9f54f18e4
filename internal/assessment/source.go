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

// Batch asks for the facts of many subjects over one or more periods. A close asks once for
// the facts of all its subjects in the period it closes (with records), and once for the
// year's earlier periods (values from the running totals), so its number of queries does not
// grow with its subjects.
type Batch struct {
	Subjects []BatchSubject
	Periods  []Span
	Names    []string
	Totals   bool // as FactQuery.Totals
}

// BatchSubject is one subject of a batch.
type BatchSubject struct {
	UnitID   int64
	PersonID int64
	Units    []int64 // the unit and the units below it, from the close's snapshot
}

// Span is one period of a batch, bounded in UTC like FactQuery.From and To.
type Span struct {
	Period   string
	From, To time.Time
}

// Query is the single-subject question of subject i over period j.
func (b Batch) Query(i, j int) FactQuery {
	s, p := b.Subjects[i], b.Periods[j]
	return FactQuery{UnitID: s.UnitID, PersonID: s.PersonID, Period: p.Period, From: p.From, To: p.To, Names: b.Names, Totals: b.Totals, Units: s.Units}
}

// BatchSource is a Source that answers a whole batch in a fixed number of queries, whatever
// its number of subjects. Its answer for a subject and period is the one Facts gives for the
// same question: the same records, selected by the same conditions.
type BatchSource interface {
	Source
	// BatchFacts returns out[i][j], the facts of b.Subjects[i] over b.Periods[j].
	BatchFacts(ctx context.Context, tx *store.Tx, b Batch) ([][][]Fact, error)
}

// EachQuery answers a batch with one Facts call per subject and period: what the engine does
// for a source that has no BatchFacts, and what a BatchSource does for the facts it does not
// batch (those of schemes with a few subjects).
func EachQuery(ctx context.Context, tx *store.Tx, s Source, b Batch) ([][][]Fact, error) {
	out := NewAnswer(b)
	if len(b.Names) == 0 {
		return out, nil
	}
	for i := range b.Subjects {
		for j := range b.Periods {
			f, err := s.Facts(ctx, tx, b.Query(i, j))
			if err != nil {
				return nil, err
			}
			out[i][j] = f
		}
	}
	return out, nil
}

// Merge appends the facts of more to out, subject by subject and period by period: a
// BatchSource that answers some facts in batch and others with EachQuery joins them so.
func Merge(out, more [][][]Fact) [][][]Fact {
	for i := range more {
		for j := range more[i] {
			out[i][j] = append(out[i][j], more[i][j]...)
		}
	}
	return out
}

// NewAnswer returns an empty answer for b: out[i][j] for every subject and period.
func NewAnswer(b Batch) [][][]Fact {
	out := make([][][]Fact, len(b.Subjects))
	for i := range out {
		out[i] = make([][]Fact, len(b.Periods))
	}
	return out
}

// Owners maps each unit of the batch's subtrees to the subjects that count it (a unit is in
// its own subject's subtree and in those of the subjects above it), and lists those units:
// a source reads the records of all of them in one query and gives each record to its owners.
func (b Batch) Owners() (map[int64][]int, []int64) {
	return b.owners(func(s BatchSubject) []int64 {
		if len(s.Units) == 0 {
			return []int64{s.UnitID}
		}
		return s.Units
	})
}

// UnitOwners is Owners for the facts of a subject's own unit, its subtree left out.
func (b Batch) UnitOwners() (map[int64][]int, []int64) {
	return b.owners(func(s BatchSubject) []int64 { return []int64{s.UnitID} })
}

// PersonOwners is Owners for person subjects: each person's subjects, and the people.
func (b Batch) PersonOwners() (map[int64][]int, []int64) {
	return b.owners(func(s BatchSubject) []int64 { return []int64{s.PersonID} })
}

func (b Batch) owners(ids func(BatchSubject) []int64) (map[int64][]int, []int64) {
	owners := map[int64][]int{}
	var all []int64
	for i, s := range b.Subjects {
		for _, id := range ids(s) {
			if _, seen := owners[id]; !seen {
				all = append(all, id)
			}
			owners[id] = append(owners[id], i)
		}
	}
	return owners, all
}

// Subtrees lists each subject's units, for BatchTotals of the facts counted over a subtree.
func (b Batch) Subtrees() [][]int64 {
	out := make([][]int64, len(b.Subjects))
	for i, s := range b.Subjects {
		out[i] = s.Units
	}
	return out
}

// DaySpans are the batch's periods as ranges of local days (Zone), for BatchTotals.
func (b Batch) DaySpans() []DaySpan {
	out := make([]DaySpan, len(b.Periods))
	for j, p := range b.Periods {
		out[j] = DaySpan{From: p.From.In(Zone).Format(time.DateOnly), To: p.To.In(Zone).Format(time.DateOnly)}
	}
	return out
}

// Wants reports whether the batch asks for any of names.
func (b Batch) Wants(names ...string) bool {
	for _, n := range b.Names {
		for _, m := range names {
			if n == m {
				return true
			}
		}
	}
	return false
}

// Without returns the batch asking only for its names not among names: what is left for
// EachQuery once a source has answered names in batch.
func (b Batch) Without(names ...string) Batch {
	var rest []string
	for _, n := range b.Names {
		found := false
		for _, m := range names {
			found = found || n == m
		}
		if !found {
			rest = append(rest, n)
		}
	}
	b.Names = rest
	return b
}
