package complaint

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/store"
)

// Row is one line of a statistics table.
type Row struct {
	Key         string `json:"key"`   // unit id, channel, category or month (2026-10)
	Label       string `json:"label"` // unit name, or the key
	Total       int    `json:"total"`
	Valid       int    `json:"valid"`
	Major       int    `json:"major"`
	Invalid     int    `json:"invalid"`
	ReplyDone   int    `json:"reply_done"`    // replied, or reply deadline passed
	ReplyOnTime int    `json:"reply_on_time"` // replied by the deadline
	SolDone     int    `json:"solution_done"`
	SolOnTime   int    `json:"solution_on_time"`
}

// ReplyRate is the on-time reply rate in per cent, -1 when nothing is due yet.
func (r Row) ReplyRate() float64 { return rate(r.ReplyOnTime, r.ReplyDone) }

// SolutionRate is the on-time solution rate in per cent, -1 when nothing is due yet.
func (r Row) SolutionRate() float64 { return rate(r.SolOnTime, r.SolDone) }

func rate(n, d int) float64 {
	if d == 0 {
		return -1
	}
	return float64(n) * 100 / float64(d)
}

// Repeat is a complainant who complained more than once. Pages show the contact masked and
// link to the complaints by LatestID (Filter.SameContactAs), so the full number never enters
// a URL, where browser histories, proxies and access logs would keep it.
type Repeat struct {
	ContactKey string `json:"-"`
	Name       string `json:"name"`
	Count      int    `json:"count"`
	LatestID   int64  `json:"latest_id"` // the newest of the complainant's complaints
}

// Stats is the statistics page.
type Stats struct {
	All        Row         `json:"all"`
	ByUnit     []Row       `json:"by_unit"`
	ByChannel  []Row       `json:"by_channel"`
	ByCategory []Row       `json:"by_category"`
	ByMonth    []Row       `json:"by_month"`
	Repeats    []Repeat    `json:"repeats"`
	RootCauses []Complaint `json:"root_causes"`
}

// counted is what each complaint adds to the statistics' rows, as the columns of the CTE the
// rows sum: ones and zeros. Its two placeholders take the time the "done" counts are taken
// at: a reply or solution is done when given or when its deadline has passed. A comparison
// with a NULL time (not replied, not resolved, paused) is not true, so such a complaint is not
// on time.
const counted = `c.unit_id, u.name AS unit_name, c.channel, c.category,
	CASE WHEN c.classification = 'valid' THEN 1 ELSE 0 END AS is_valid,
	CASE WHEN c.classification = 'major' THEN 1 ELSE 0 END AS is_major,
	CASE WHEN c.classification = 'invalid' THEN 1 ELSE 0 END AS is_invalid,
	CASE WHEN c.replied_at IS NOT NULL OR c.reply_due_at <= ? THEN 1 ELSE 0 END AS reply_done,
	CASE WHEN c.replied_at <= c.reply_due_at THEN 1 ELSE 0 END AS reply_on_time,
	CASE WHEN c.resolved_at IS NOT NULL OR c.solution_due_at <= ? THEN 1 ELSE 0 END AS sol_done,
	CASE WHEN c.resolved_at <= c.solution_due_at THEN 1 ELSE 0 END AS sol_on_time`

// sums is a statistics row over the CTE's rows, in Row's order.
const sums = "COUNT(*), SUM(is_valid), SUM(is_major), SUM(is_invalid), SUM(reply_done), SUM(reply_on_time), SUM(sol_done), SUM(sol_on_time)"

// breakdowns are the statistics' tables: each groups the CTE's rows by a key and shows a label.
var breakdowns = []struct{ name, key, label string }{
	{"unit", "CAST(unit_id AS TEXT)", "unit_name"},
	{"channel", "channel", "channel"},
	{"category", "category", "category"},
	{"month", "received_month", "received_month"},
}

// Statistics computes the statistics of the complaints the actor may read that match f (the
// list's filter and scope), at the transaction's time; months are in loc. The database
// counts, in as many statements whatever the number of complaints: the four tables in one
// that reads each complaint once, the repeat complainants in another, and the complaints
// with a root cause, the only ones read whole; and, where f leaves the period open, the
// first or last reception, for the months to group by.
func Statistics(ctx context.Context, db *store.DB, actor access.Principal, f Filter, loc *time.Location) (Stats, error) {
	return statistics(ctx, db, actor, f, loc, true)
}

// Counts is Statistics without the repeat complainants and the root causes: the tables a
// report prints. The repeats were 40 % of the N=100 quarterly report's statistics, for a list
// the report does not show.
func Counts(ctx context.Context, db *store.DB, actor access.Principal, f Filter, loc *time.Location) (Stats, error) {
	return statistics(ctx, db, actor, f, loc, false)
}

func statistics(ctx context.Context, db *store.DB, actor access.Principal, f Filter, loc *time.Location, lists bool) (Stats, error) {
	w, args, err := where(ctx, db, actor, f)
	if err != nil {
		return Stats{}, err
	}
	var s Stats
	err = db.Read(ctx, func(tx *store.Tx) error {
		start, end, ok, err := receivedSpan(ctx, tx, f, w, args)
		if err != nil || !ok {
			return err
		}
		if err := countTables(ctx, tx, &s, w, args, start, end, loc); err != nil || !lists {
			return err
		}
		if s.Repeats, err = repeats(ctx, tx, w, args); err != nil {
			return err
		}
		s.RootCauses, err = store.All(ctx, tx, scan, "SELECT "+columns+from+andWhere(w, "c.root_cause <> ''")+" ORDER BY c.received_at DESC, c.id DESC", args...)
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("complaint statistics: %w", err)
	}
	return s, nil
}

// receivedSpan is the time [start, end) the complaints w selects were received in: f's period
// where it has bounds, else from the first reception to just after the last, read one each
// (a single row keeps its column's type: SQLite answers MIN() of a time column as text). ok
// is false when w selects no complaint.
func receivedSpan(ctx context.Context, tx *store.Tx, f Filter, w string, args []any) (start, end time.Time, ok bool, err error) {
	start, end = f.From, f.To
	for _, bound := range []struct {
		t   *time.Time
		dir string
	}{{&start, ""}, {&end, " DESC"}} {
		if !bound.t.IsZero() {
			continue
		}
		err = tx.QueryRow(ctx, "SELECT c.received_at"+from+w+" ORDER BY c.received_at"+bound.dir+" LIMIT 1", args...).Scan(bound.t)
		if store.IsNoRows(err) {
			return start, end, false, nil
		}
		if err != nil {
			return start, end, false, err
		}
	}
	if f.To.IsZero() {
		end = end.Add(time.Nanosecond)
	}
	return start, end, true, nil
}

// monthOf is the month in loc ("2026-10") of a complaint's reception, as SQL with its
// arguments, for complaints received in [start, end): a CASE over the months' first instants
// in UTC, the times as stored, so it is exact in any zone and on both databases. The months
// are written into the statement: they are formatted here from times, nothing a user typed.
func monthOf(start, end time.Time, loc *time.Location) (string, []any) {
	start = start.In(loc)
	var b strings.Builder
	var args []any
	b.WriteString("CASE")
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc); m.Before(end); m = m.AddDate(0, 1, 0) {
		fmt.Fprintf(&b, " WHEN c.received_at < ? THEN '%s'", m.Format("2006-01"))
		args = append(args, m.AddDate(0, 1, 0).UTC())
	}
	b.WriteString(" END")
	return b.String(), args
}

// countTables counts the four tables of the complaints w selects, received in [start, end). The
// complaints are read once into a CTE of what each adds to a row, and the tables group it;
// a statement per table would read every complaint four times.
func countTables(ctx context.Context, tx *store.Tx, s *Stats, w string, args []any, start, end time.Time, loc *time.Location) error {
	month, monthArgs := monthOf(start, end, loc)
	var q strings.Builder
	q.WriteString("WITH f AS MATERIALIZED (SELECT " + counted + ", " + month + " AS received_month" + from + w + ")")
	for i, b := range breakdowns {
		if i > 0 {
			q.WriteString(" UNION ALL")
		}
		fmt.Fprintf(&q, " SELECT '%s', %s, %s, %s FROM f GROUP BY %s, %s", b.name, b.key, b.label, sums, b.key, b.label)
	}
	type tableRow struct {
		table string
		Row
	}
	rows, err := store.All(ctx, tx, func(r store.Scanner) (tableRow, error) {
		var t tableRow
		err := r.Scan(&t.table, &t.Key, &t.Label, &t.Total, &t.Valid, &t.Major, &t.Invalid, &t.ReplyDone, &t.ReplyOnTime, &t.SolDone, &t.SolOnTime)
		return t, err
	}, q.String(), append(append([]any{tx.Now, tx.Now}, monthArgs...), args...)...)
	if err != nil {
		return err
	}
	tables := map[string]*[]Row{"unit": &s.ByUnit, "channel": &s.ByChannel, "category": &s.ByCategory, "month": &s.ByMonth}
	for _, r := range rows {
		*tables[r.table] = append(*tables[r.table], r.Row)
		// Every complaint has one channel, so the channels add up to all.
		if r.table == "channel" {
			s.All.add(r.Row)
		}
	}
	for name, rows := range tables {
		sort.Slice(*rows, func(i, j int) bool {
			a, b := (*rows)[i], (*rows)[j]
			if name != "month" && a.Total != b.Total {
				return a.Total > b.Total
			}
			return a.Key < b.Key
		})
	}
	return nil
}

func (r *Row) add(o Row) {
	r.Total += o.Total
	r.Valid += o.Valid
	r.Major += o.Major
	r.Invalid += o.Invalid
	r.ReplyDone += o.ReplyDone
	r.ReplyOnTime += o.ReplyOnTime
	r.SolDone += o.SolDone
	r.SolOnTime += o.SolOnTime
}

// repeats reads the complainants with more than one of the complaints w selects, by their
// stored contact key (ContactKey, written with the complaint): each with the name on the
// newest of them in the list's order, most complaints first. The database counts each key's
// complaints (from complaints_counted, without reading the rows) and returns the complaints of
// the keys that repeat, the only rows read whole; a window over every complaint of the period
// read them all (0.64 s for the year at N=100).
func repeats(ctx context.Context, tx *store.Tx, w string, args []any) ([]Repeat, error) {
	type complaintOf struct {
		Repeat
		at time.Time
		id int64
	}
	rows, err := store.All(ctx, tx, func(r store.Scanner) (complaintOf, error) {
		var c complaintOf
		err := r.Scan(&c.ContactKey, &c.Count, &c.LatestID, &c.Name, &c.at, &c.id)
		return c, err
	}, `SELECT g.k, g.n, g.latest, c.complainant, c.received_at, c.id FROM (SELECT c.contact_key AS k, COUNT(*) AS n, MAX(c.id) AS latest`+
		from+andWhere(w, "c.contact_key <> ''")+` GROUP BY c.contact_key HAVING COUNT(*) > 1) g
		JOIN complaints c ON c.contact_key = g.k JOIN units u ON u.id = c.unit_id`+w, append(append([]any{}, args...), args...)...)
	if err != nil {
		return nil, err
	}
	newest := map[string]complaintOf{}
	for _, c := range rows {
		if n, ok := newest[c.ContactKey]; !ok || c.at.After(n.at) || c.at.Equal(n.at) && c.id > n.id {
			newest[c.ContactKey] = c
		}
	}
	var out []Repeat
	for _, c := range newest {
		out = append(out, c.Repeat)
	}
	// Sorted here, not by ORDER BY: PostgreSQL would order the keys by its collation.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].ContactKey < out[j].ContactKey
	})
	return out, nil
}

// Percent formats a rate for a page: "97.5 %", or "—" when nothing was due.
func Percent(rate float64) string {
	if rate < 0 {
		return "—"
	}
	return strconv.FormatFloat(math.Round(rate*10)/10, 'f', -1, 64) + " %"
}

// ReplyRateText is the on-time reply rate for a page.
func (r Row) ReplyRateText() string { return Percent(r.ReplyRate()) }

// SolutionRateText is the on-time solution rate for a page.
func (r Row) SolutionRateText() string { return Percent(r.SolutionRate()) }
