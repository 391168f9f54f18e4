package scheme

import (
	"fmt"
	"strconv"
	"time"
)

// PeriodKind is the length of a scheme's assessment period.
type PeriodKind string

const (
	Week    PeriodKind = "week"
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
	Year    PeriodKind = "year"
)

// Period is one assessment period: an ISO week, a calendar month, a quarter or a calendar year.
// N is the week (1–53), month (1–12) or quarter (1–4) number; 0 for a year.
type Period struct {
	Kind PeriodKind
	Year int
	N    int
}

// ParsePeriod reads a period key: "2026-03" (month), "2026-Q1" (quarter), "2026-W05" (ISO week)
// or "2026" (year). The key must be written exactly so (two-digit month and week), so that a
// period has one spelling and sorts as text.
func ParsePeriod(s string) (Period, error) {
	bad := fmt.Errorf("%q is not a period (use 2026-03, 2026-Q1, 2026-W05 or 2026)", s)
	if len(s) < 4 || !digits(s[:4]) {
		return Period{}, bad
	}
	year, _ := strconv.Atoi(s[:4])
	if year < 1900 {
		return Period{}, bad
	}
	rest := s[4:]
	switch {
	case rest == "":
		return Period{Year, year, 0}, nil
	case len(rest) == 3 && rest[0] == '-' && digits(rest[1:]):
		m, _ := strconv.Atoi(rest[1:])
		if m < 1 || m > 12 {
			return Period{}, bad
		}
		return Period{Month, year, m}, nil
	case len(rest) == 3 && rest[:2] == "-Q" && digits(rest[2:]):
		q, _ := strconv.Atoi(rest[2:])
		if q < 1 || q > 4 {
			return Period{}, bad
		}
		return Period{Quarter, year, q}, nil
	case len(rest) == 4 && rest[:2] == "-W" && digits(rest[2:]):
		w, _ := strconv.Atoi(rest[2:])
		if w < 1 || w > isoWeeks(year) {
			return Period{}, bad
		}
		return Period{Week, year, w}, nil
	}
	return Period{}, bad
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// isoWeeks returns 52 or 53: 28 December always lies in the ISO year's last week.
func isoWeeks(year int) int {
	_, w := time.Date(year, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

func (p Period) String() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	case Week:
		return fmt.Sprintf("%04d-W%02d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// Next returns the period that follows p.
func (p Period) Next() Period {
	last := map[PeriodKind]int{Month: 12, Quarter: 4, Week: isoWeeks(p.Year), Year: 0}[p.Kind]
	if p.N < last {
		return Period{p.Kind, p.Year, p.N + 1}
	}
	if p.Kind == Year {
		return Period{Year, p.Year + 1, 0}
	}
	return Period{p.Kind, p.Year + 1, 1}
}

// Before reports whether p comes before q (both of the same kind).
func (p Period) Before(q Period) bool {
	if p.Year != q.Year {
		return p.Year < q.Year
	}
	return p.N < q.N
}

// Contains reports whether month m (a Month period) lies inside p.
func (p Period) Contains(m Period) bool {
	if m.Kind != Month || m.Year != p.Year {
		return false
	}
	switch p.Kind {
	case Month:
		return m.N == p.N
	case Quarter:
		return (m.N-1)/3+1 == p.N
	case Year:
		return true
	}
	return false // a week is not made of months
}
