package assessment

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"manyi/internal/store"
)

// Running totals (docs/aggregates.md). A record that makes a fact contributes Totals: one for
// each (fact, subject, day, bucket) it counts in. The area's store function that writes the
// record computes the record's contribution before and after the change and calls
// ShiftTotals in the same transaction, so the totals move exactly when the records do, or not
// at all. Closes read the totals of the year's earlier periods instead of rescanning records;
// RebuildTotals and CheckTotals recompute them from the records.

// Total is one running total, or one record's contribution to it (N = 1).
type Total struct {
	Fact        string // the scheme fact, e.g. complaints_valid
	SubjectKind string // "unit" (the record's own unit) or "person"
	SubjectID   int64
	Day         string // YYYY-MM-DD in Zone; a month YYYY-MM for totals kept by month
	Bucket      string // the value counted, e.g. a survey band "20"; "" for a plain count
	N           int64
}

type totalKey struct {
	fact, kind string
	id         int64
	day, bk    string
}

func (t Total) key() totalKey { return totalKey{t.Fact, t.SubjectKind, t.SubjectID, t.Day, t.Bucket} }

// ShiftTotals moves a record's contribution from before to after (either may be empty: an
// insert has no before, a delete no after). Contributions common to both are not written, so
// an edit that changes no fact costs no write.
func ShiftTotals(ctx context.Context, tx *store.Tx, before, after []Total) error {
	delta := map[totalKey]int64{}
	for _, t := range before {
		delta[t.key()] -= t.N
	}
	for _, t := range after {
		delta[t.key()] += t.N
	}
	keys := make([]totalKey, 0, len(delta))
	for k, n := range delta {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	// A fixed order takes the row locks in the same order in every transaction (PostgreSQL),
	// so two writers of the same totals wait for each other instead of deadlocking.
	sort.Slice(keys, func(i, j int) bool { return lessKey(keys[i], keys[j]) })
	for _, k := range keys {
		if _, err := tx.Exec(ctx, `INSERT INTO fact_totals (fact, subject_kind, subject_id, day, bucket, n) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (fact, subject_kind, subject_id, day, bucket) DO UPDATE SET n = fact_totals.n + excluded.n`,
			k.fact, k.kind, k.id, k.day, k.bk, delta[k]); err != nil {
			return fmt.Errorf("running total %s: %w", k.fact, err)
		}
	}
	return nil
}

func lessKey(a, b totalKey) bool {
	if a.fact != b.fact {
		return a.fact < b.fact
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	if a.id != b.id {
		return a.id < b.id
	}
	if a.day != b.day {
		return a.day < b.day
	}
	return a.bk < b.bk
}

// SumTotals returns a fact's totals per bucket over the subjects ids and the days in
// [from, to) (YYYY-MM-DD, or YYYY-MM for totals kept by month): one indexed query.
func SumTotals(ctx context.Context, tx *store.Tx, fact, kind string, ids []int64, from, to string) (map[string]int64, error) {
	args := []any{fact, kind, from, to}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.Query(ctx, `SELECT bucket, SUM(n) FROM fact_totals WHERE fact = ? AND subject_kind = ? AND day >= ? AND day < ?
		AND subject_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) GROUP BY bucket`, args...)
	if err != nil {
		return nil, fmt.Errorf("sum totals %s: %w", fact, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var b string
		var n int64
		if err := rows.Scan(&b, &n); err != nil {
			return nil, err
		}
		if n != 0 {
			out[b] = n
		}
	}
	return out, rows.Err()
}

// Aggregator is an area that keeps running totals: it names the facts it keeps and recomputes
// their totals from its records, for RebuildTotals and CheckTotals.
type Aggregator interface {
	Name() string
	// TotalFacts lists the facts whose totals the area keeps in fact_totals.
	TotalFacts() []string
	// Recompute returns every total of those facts computed from the records, as the
	// running totals should be.
	Recompute(ctx context.Context, tx *store.Tx) ([]Total, error)
}

// Difference is a total whose stored value is not what the records say.
type Difference struct {
	Total
	Stored, Recomputed int64
}

func (d Difference) String() string {
	b := ""
	if d.Bucket != "" {
		b = " bucket " + d.Bucket
	}
	return fmt.Sprintf("%s %s %d %s%s: stored %d, recomputed %d", d.Fact, d.SubjectKind, d.SubjectID, d.Day, b, d.Stored, d.Recomputed)
}

// CheckTotals compares the stored totals of every aggregator with a recomputation from the
// records, in one read transaction, and returns every difference (none: they agree). It
// changes nothing.
func CheckTotals(ctx context.Context, db *store.DB, aggs []Aggregator) ([]Difference, error) {
	var out []Difference
	err := db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = differences(ctx, tx, aggs)
		return err
	})
	return out, err
}

func differences(ctx context.Context, tx *store.Tx, aggs []Aggregator) ([]Difference, error) {
	var out []Difference
	for _, a := range aggs {
		want, err := a.Recompute(ctx, tx)
		if err != nil {
			return nil, fmt.Errorf("recompute %s: %w", a.Name(), err)
		}
		got, err := storedTotals(ctx, tx, a.TotalFacts())
		if err != nil {
			return nil, err
		}
		wantN := map[totalKey]int64{}
		for _, t := range want {
			wantN[t.key()] += t.N
		}
		seen := map[totalKey]bool{}
		for _, t := range got {
			seen[t.key()] = true
			if w := wantN[t.key()]; w != t.N {
				out = append(out, Difference{Total: t, Stored: t.N, Recomputed: w})
			}
		}
		for k, n := range wantN {
			if !seen[k] && n != 0 {
				out = append(out, Difference{Total: Total{Fact: k.fact, SubjectKind: k.kind, SubjectID: k.id, Day: k.day, Bucket: k.bk}, Recomputed: n})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessKey(out[i].key(), out[j].key()) })
	return out, nil
}

func storedTotals(ctx context.Context, tx *store.Tx, facts []string) ([]Total, error) {
	args := make([]any, len(facts))
	for i, f := range facts {
		args[i] = f
	}
	rows, err := tx.Query(ctx, `SELECT fact, subject_kind, subject_id, day, bucket, n FROM fact_totals
		WHERE n <> 0 AND fact IN (`+strings.TrimSuffix(strings.Repeat("?,", len(facts)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("stored totals: %w", err)
	}
	defer rows.Close()
	var out []Total
	for rows.Next() {
		var t Total
		if err := rows.Scan(&t.Fact, &t.SubjectKind, &t.SubjectID, &t.Day, &t.Bucket, &t.N); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RebuildTotals replaces the stored totals of every aggregator by a recomputation from the
// records, in one transaction, and returns the differences it mended (what CheckTotals would
// have reported).
func RebuildTotals(ctx context.Context, db *store.DB, aggs []Aggregator) ([]Difference, error) {
	var out []Difference
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = differences(ctx, tx, aggs); err != nil {
			return err
		}
		// Only the differing totals are written: the recomputation is the expensive part,
		// and a rebuild of agreeing totals then writes nothing.
		for _, d := range out {
			t := d.Total
			t.N = d.Recomputed - d.Stored
			if err := ShiftTotals(ctx, tx, nil, []Total{t}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DaySpan is a range [From, To) of days (YYYY-MM-DD), or of months (YYYY-MM) for totals kept
// by month.
type DaySpan struct{ From, To string }

// BatchTotals sums a fact's totals for many subjects over many spans in one grouped query:
// out[i][j] is, per bucket, the sum over the ids of subjects[i] (a unit's subtree, or one
// person) in spans[j]. Spans are in ascending order and do not overlap. When every bound is
// the first of a month the rows are grouped by month, so a year is twelve rows a subject and
// bucket rather than 365.
func BatchTotals(ctx context.Context, tx *store.Tx, fact, kind string, subjects [][]int64, spans []DaySpan) ([][]map[string]int64, error) {
	out := make([][]map[string]int64, len(subjects))
	for i := range out {
		out[i] = make([]map[string]int64, len(spans))
		for j := range out[i] {
			out[i][j] = map[string]int64{}
		}
	}
	if len(spans) == 0 || len(subjects) == 0 {
		return out, nil
	}
	grain := 7
	for _, s := range spans {
		for _, d := range []string{s.From, s.To} {
			if len(d) == 10 && !strings.HasSuffix(d, "-01") {
				grain = 10 // a week: group by day
			}
		}
	}
	owners := map[int64][]int{}
	var ids []int64
	for i, s := range subjects {
		for _, id := range s {
			if _, seen := owners[id]; !seen {
				ids = append(ids, id)
			}
			owners[id] = append(owners[id], i)
		}
	}
	in, inArgs := tx.AnyOf("subject_id", ids)
	g := fmt.Sprintf("substr(day, 1, %d)", grain)
	rows, err := tx.Query(ctx, `SELECT subject_id, `+g+`, bucket, SUM(n) FROM fact_totals WHERE fact = ? AND subject_kind = ? AND day >= ? AND day < ? AND `+in+`
		GROUP BY subject_id, `+g+`, bucket`, append([]any{fact, kind, spans[0].From, spans[len(spans)-1].To}, inArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("batch totals %s: %w", fact, err)
	}
	defer rows.Close()
	cut := func(d string) string { return d[:min(len(d), grain)] }
	for rows.Next() {
		var id, n int64
		var at, b string
		if err := rows.Scan(&id, &at, &b, &n); err != nil {
			return nil, err
		}
		// The span holding at: the last whose start is not after it.
		j := sort.Search(len(spans), func(j int) bool { return cut(spans[j].From) > at }) - 1
		if j < 0 || at >= cut(spans[j].To) || n == 0 {
			continue
		}
		for _, i := range owners[id] {
			out[i][j][b] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i] {
			for b, n := range out[i][j] {
				if n == 0 {
					delete(out[i][j], b)
				}
			}
		}
	}
	return out, nil
}
