// Package report builds the reports handed to the people who decide — the monthly
// comprehensive performance report, the quarterly quality analysis and the weekly quality
// report to the GM meeting — from the areas' own functions, so a report's figure is the same
// number the area's page shows and no rule is written twice. A report is a frame of sections,
// each with headline figures, charts and tables of cells; the web renders the frame as a page
// (printable on A4) and the same cells are written to XLSX, so the file's totals are the
// screen's.
package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
)

// Kind is a kind of report; it is the report's URL segment (/reports/monthly/2026-10).
type Kind string

const (
	Monthly   Kind = "monthly"
	Quarterly Kind = "quarterly"
	Weekly    Kind = "weekly"
)

// Kinds lists the reports in the order the reports page offers them.
var Kinds = []Kind{Monthly, Quarterly, Weekly}

// MayRead reports whether p may open the reports: the quality department's clerks and the
// committee, who take them to the meetings. Every figure is still read through the areas'
// functions, so each reader sees only the units in their scope.
func MayRead(p access.Principal) bool { return p.HasAny(access.Clerk, access.Committee) }

// Env is what building a report needs: the database and the assessment engine over the
// areas' fact sources.
type Env struct {
	DB     *store.DB
	Assess *assessment.Engine
	Zone   *time.Location
}

// Report is one report of one period.
type Report struct {
	Kind   Kind
	Period string
	Title  string
	// PeriodText names the period for a reader ("2026年10月", "October 2026").
	PeriodText string
	Prev, Next string // neighbouring periods; Next is "" when it has not begun
	// Provisional is set when some result the report reads is computed from the live
	// evidence rather than read from an approved or locked close.
	Provisional bool
	Basis       []Basis
	Sections    []Section
	GeneratedAt time.Time
}

// Basis is one assessment result set a report reads and whether it is final.
type Basis struct {
	Scheme string
	Period string
	Status string // the close's status in the reader's language, or "live"
	Final  bool
	Href   string
}

// Section is one part of a report. ID is stable: pages, tests and the XLSX sheet names use it.
type Section struct {
	ID      string
	Title   string
	Note    string
	Empty   string // shown when the section has nothing
	Figures []Figure
	Charts  []Chart
	Tables  []Table
}

// Figure is a headline number of a section.
type Figure struct {
	Label string
	Cell  Cell
}

// Table is a table of a section; Foot is its totals row (empty for none).
type Table struct {
	ID      string
	Caption string
	Head    []string
	Rows    [][]Cell
	Foot    []Cell
}

// NumericColumn says whether column i holds numbers, so that its heading is aligned with
// them: most of its cells are numeric (a rate not yet due is "—", text in a number's column).
func (t Table) NumericColumn(i int) bool {
	n := 0
	for _, r := range t.Rows {
		if i < len(r) && r[i].Numeric {
			n++
		}
	}
	return n*2 > len(t.Rows)
}

// Cell is one value of a table or figure. A numeric cell keeps its value, so the XLSX holds
// a number, and its text, so the page shows it formatted; Href is its drill-down.
type Cell struct {
	Text    string
	Value   float64
	Numeric bool
	Href    string
	Class   string
}

// Str is a text cell.
func Str(s string) Cell { return Cell{Text: s} }

// Int is an integer cell.
func Int(n int) Cell { return Cell{Text: strconv.Itoa(n), Value: float64(n), Numeric: true} }

// Num is a cell of a decimal written as text ("92.5"); "" is an empty cell.
func Num(s string) Cell {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Cell{Text: s}
	}
	return Cell{Text: s, Value: v, Numeric: true}
}

// Pct is a percentage cell from a rate in per cent; a negative rate (nothing due) is "—".
func Pct(rate float64) Cell {
	if rate < 0 {
		return Cell{Text: "—"}
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(rate, 'f', 1, 64), 64)
	return Cell{Text: strconv.FormatFloat(v, 'f', 1, 64) + " %", Value: v, Numeric: true}
}

// To returns c linking to href.
func (c Cell) To(href string) Cell { c.Href = href; return c }

// As returns c with a CSS class (e.g. "bad" for a figure under its threshold).
func (c Cell) As(class string) Cell { c.Class = class; return c }

// ParsePeriod checks a report's period: its form for the kind (a malformed one is a 400
// naming the parameter, as every period a page reads) and that it has begun by now (a
// period in the future has nothing to report). It returns the period's first instant and the
// next period's, in zone.
func ParsePeriod(kind Kind, period string, now time.Time, zone *time.Location) (from, to time.Time, err error) {
	param, key := "", ""
	switch kind {
	case Monthly:
		param, key = "month", "err.bad_month"
		if t, e := time.ParseInLocation("2006-01", period, zone); e == nil {
			from, to = t, t.AddDate(0, 1, 0)
		}
	case Quarterly:
		param, key = "quarter", "err.bad_quarter"
		var y, q int
		if n, e := fmt.Sscanf(period, "%4d-Q%1d", &y, &q); e == nil && n == 2 && q >= 1 && q <= 4 && y >= 2000 && len(period) == 7 {
			from = time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, zone)
			to = from.AddDate(0, 3, 0)
		}
	case Weekly:
		param, key = "week", "err.bad_week"
		var y, w int
		if n, e := fmt.Sscanf(period, "%4d-W%2d", &y, &w); e == nil && n == 2 && w >= 1 && w <= 53 && len(period) == 8 {
			jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, zone)
			from = jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
			to = from.AddDate(0, 0, 7)
			if y2, w2 := from.ISOWeek(); y2 != y || w2 != w {
				from = time.Time{}
			}
		}
	default:
		return from, to, errs.New(errs.NotFound, "report.unknown_kind", string(kind))
	}
	if from.IsZero() {
		return from, to, errs.Param(param, key, period)
	}
	if from.After(now) {
		return from, to, errs.Param(param, "report.future", period)
	}
	return from, to, nil
}

// neighbours returns the periods before and after from (Next "" when it has not begun).
func neighbours(kind Kind, from, to, now time.Time) (prev, next string) {
	switch kind {
	case Monthly:
		prev = from.AddDate(0, -1, 0).Format("2006-01")
		next = to.Format("2006-01")
	case Quarterly:
		p := from.AddDate(0, -3, 0)
		prev, next = quarterOf(p), quarterOf(to)
	case Weekly:
		prev, next = weekOf(from.AddDate(0, 0, -7)), weekOf(to)
	}
	if to.After(now) {
		next = ""
	}
	return prev, next
}

func quarterOf(t time.Time) string { return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())+2)/3) }

func weekOf(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// basisOf describes a period view a report reads, and whether it makes the report provisional.
func basisOf(lang locale.Lang, v assessment.PeriodView) Basis {
	b := Basis{Scheme: v.Scheme.Name.In(lang), Period: v.Period, Final: v.Final, Status: locale.T(lang, "report.live")}
	if v.Close != nil {
		b.Status = locale.T(lang, "report.close_"+string(v.Close.Status))
		b.Href = "/assessment/closes/" + strconv.FormatInt(v.Close.ID, 10)
	}
	return b
}

// finish fills what every report has: its neighbours, whether it is provisional, its time.
func (r *Report) finish(from, to, now time.Time) {
	r.Prev, r.Next = neighbours(r.Kind, from, to, now)
	for _, b := range r.Basis {
		if !b.Final {
			r.Provisional = true
		}
	}
	r.GeneratedAt = now
}

// q builds a query string from key/value pairs, skipping empty values.
func q(path string, kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			parts = append(parts, kv[i]+"="+kv[i+1])
		}
	}
	if len(parts) == 0 {
		return path
	}
	return path + "?" + strings.Join(parts, "&")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
