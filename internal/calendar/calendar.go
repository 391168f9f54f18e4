// Package calendar is the organisation's working-day calendar: weekends off, Chinese
// statutory holidays (法定节假日) off, adjusted working days (调休上班) on, and working hours per
// day. Its arithmetic — is a day a working day, add N working days or N working hours to a
// time, working time between two times — is pure and fast: each year is a bitmap of its
// working days, built once when the calendar is loaded.
//
// Times are stored in UTC and computed in the calendar's time zone (Asia/Shanghai by default).
// A time outside the calendar's years is refused, never guessed: a year without the State
// Council's schedule would silently count holidays as working days.
package calendar

import (
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on machines without a zoneinfo database

	"manyi/internal/errs"
)

// Kind says what a listed day is; days not listed follow the week (Monday–Friday work).
type Kind string

const (
	Holiday Kind = "holiday" // off, even on a weekday (法定节假日 and the days moved to it)
	Workday Kind = "workday" // on, even on a weekend (调休上班)
)

// Day is an exception to the ordinary week.
type Day struct {
	Date string `json:"date"` // 2006-01-02
	Kind Kind   `json:"kind"`
	Name string `json:"name,omitempty"` // 春节, 国庆节 …
}

// Span is a stretch of working hours in a day, in minutes after midnight.
type Span struct{ Start, End int }

// DefaultHours is 09:00–12:00 and 13:30–17:30, seven and a half hours.
var DefaultHours = []Span{{9 * 60, 12 * 60}, {13*60 + 30, 17*60 + 30}}

// DefaultZone is the organisation's time zone.
const DefaultZone = "Asia/Shanghai"

// Calendar answers working-time questions for the years it knows.
type Calendar struct {
	loc   *time.Location
	hours []Span
	first int          // the first year known
	years []*[6]uint64 // per year from first: bit d set when day-of-year d (0-based) is a working day; nil when the year is missing
	daily time.Duration
}

// New builds a calendar for the given years from the exceptions to the ordinary week.
// Days outside the years are refused.
func New(loc *time.Location, hours []Span, years []int, days []Day) (*Calendar, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(hours) == 0 {
		hours = DefaultHours
	}
	if err := validHours(hours); err != nil {
		return nil, err
	}
	c := &Calendar{loc: loc, hours: hours}
	for _, h := range hours {
		c.daily += time.Duration(h.End-h.Start) * time.Minute
	}
	if len(years) == 0 {
		return c, nil
	}
	ys := append([]int(nil), years...)
	sort.Ints(ys)
	c.first = ys[0]
	c.years = make([]*[6]uint64, ys[len(ys)-1]-c.first+1)
	for _, y := range ys {
		if y < 1900 || y > 9999 {
			return nil, errs.Field("year", "calendar.year_invalid", y)
		}
		var bits [6]uint64
		d := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; d.Year() == y; i, d = i+1, d.AddDate(0, 0, 1) {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				bits[i/64] |= 1 << (i % 64)
			}
		}
		c.years[y-c.first] = &bits
	}
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			return nil, errs.Field("date", "calendar.date_invalid", d.Date)
		}
		bits := c.year(t.Year())
		if bits == nil {
			return nil, errs.Field("date", "calendar.day_outside_years", d.Date)
		}
		n := t.YearDay() - 1
		switch d.Kind {
		case Holiday:
			bits[n/64] &^= 1 << (n % 64)
		case Workday:
			bits[n/64] |= 1 << (n % 64)
		default:
			return nil, errs.Field("kind", "err.invalid_choice", string(d.Kind))
		}
	}
	return c, nil
}

func validHours(hours []Span) error {
	prev := -1
	for _, h := range hours {
		if h.Start < 0 || h.End > 24*60 || h.Start >= h.End || h.Start < prev {
			return errs.Field("work_hours", "calendar.hours_invalid")
		}
		prev = h.End
	}
	return nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Hours are the working hours of each working day.
func (c *Calendar) Hours() []Span { return c.hours }

// DailyHours is the length of a working day.
func (c *Calendar) DailyHours() time.Duration { return c.daily }

// Years lists the years the calendar knows.
func (c *Calendar) Years() []int {
	var out []int
	for i, b := range c.years {
		if b != nil {
			out = append(out, c.first+i)
		}
	}
	return out
}

// Has reports whether the calendar knows year.
func (c *Calendar) Has(year int) bool { return c.year(year) != nil }

func (c *Calendar) year(y int) *[6]uint64 {
	i := y - c.first
	if i < 0 || i >= len(c.years) {
		return nil
	}
	return c.years[i]
}

// MissingYear is the error for a time outside the calendar's years.
func MissingYear(year int) *errs.Error {
	return errs.New(errs.Invalid, "calendar.year_missing", year)
}

// IsWorkingDay reports whether t's date, in the calendar's zone, is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) (bool, error) {
	lt := t.In(c.loc)
	bits := c.year(lt.Year())
	if bits == nil {
		return false, MissingYear(lt.Year())
	}
	n := lt.YearDay() - 1
	return bits[n/64]&(1<<(n%64)) != 0, nil
}

// cursor walks days: a year's bitmap and a day index in it.
type cursor struct {
	c    *Calendar
	y, d int
	bits *[6]uint64
	len  int
}

func (c *Calendar) cursor(lt time.Time) (cursor, error) {
	bits := c.year(lt.Year())
	if bits == nil {
		return cursor{}, MissingYear(lt.Year())
	}
	return cursor{c: c, y: lt.Year(), d: lt.YearDay() - 1, bits: bits, len: daysIn(lt.Year())}, nil
}

func daysIn(y int) int {
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 366
	}
	return 365
}

func (k *cursor) working() bool { return k.bits[k.d/64]&(1<<(k.d%64)) != 0 }

func (k *cursor) next() error {
	k.d++
	if k.d >= k.len {
		k.y++
		k.d = 0
		k.len = daysIn(k.y)
		if k.bits = k.c.year(k.y); k.bits == nil {
			return MissingYear(k.y)
		}
	}
	return nil
}

// at is the instant offset after midnight of the cursor's day.
func (k *cursor) at(offset time.Duration) time.Time {
	return time.Date(k.y, 1, 1+k.d, 0, 0, 0, 0, k.c.loc).Add(offset)
}

// AddWorkingDays returns the deadline n working days after t. From a time on a working day
// it is the same clock time on the n-th following working day; from a time on a day off
// (a complaint registered on a Saturday or during the Spring Festival) the n days are whole
// working days, so it is the end of working hours on the n-th working day after it.
func (c *Calendar) AddWorkingDays(t time.Time, n int) (time.Time, error) {
	if n < 0 {
		return time.Time{}, errs.Field("days", "err.negative")
	}
	lt := t.In(c.loc)
	k, err := c.cursor(lt)
	if err != nil {
		return time.Time{}, err
	}
	if n == 0 {
		return t, nil
	}
	fromWorkingDay := k.working()
	for count := 0; count < n; {
		if err := k.next(); err != nil {
			return time.Time{}, err
		}
		if k.working() {
			count++
		}
	}
	if fromWorkingDay {
		h, m, s := lt.Clock()
		return k.at(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(lt.Nanosecond())), nil
	}
	return k.at(time.Duration(c.hours[len(c.hours)-1].End) * time.Minute), nil
}

func sinceMidnight(lt time.Time) time.Duration {
	h, m, s := lt.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(lt.Nanosecond())
}

// AddWorkingHours returns the time when d of working time has passed after t, counting only
// working hours of working days. A result that falls exactly at the end of a stretch of
// working hours stays there (17:30), rather than moving to the next morning.
func (c *Calendar) AddWorkingHours(t time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, errs.Field("hours", "err.negative")
	}
	lt := t.In(c.loc)
	k, err := c.cursor(lt)
	if err != nil {
		return time.Time{}, err
	}
	if d == 0 {
		return t, nil
	}
	cur := sinceMidnight(lt)
	for {
		if k.working() {
			for _, h := range c.hours {
				s, e := time.Duration(h.Start)*time.Minute, time.Duration(h.End)*time.Minute
				if cur >= e {
					continue
				}
				if cur < s {
					cur = s
				}
				if avail := e - cur; d <= avail {
					return k.at(cur + d), nil
				} else {
					d -= avail
				}
				cur = e
			}
		}
		if err := k.next(); err != nil {
			return time.Time{}, err
		}
		cur = 0
	}
}

// WorkingTimeBetween returns the working time from a to b; negative when b is before a.
func (c *Calendar) WorkingTimeBetween(a, b time.Time) (time.Duration, error) {
	if b.Before(a) {
		d, err := c.WorkingTimeBetween(b, a)
		return -d, err
	}
	la, lb := a.In(c.loc), b.In(c.loc)
	k, err := c.cursor(la)
	if err != nil {
		return 0, err
	}
	if c.year(lb.Year()) == nil {
		return 0, MissingYear(lb.Year())
	}
	endY, endD := lb.Year(), lb.YearDay()-1
	from := sinceMidnight(la)
	var total time.Duration
	for {
		last := k.y == endY && k.d == endD
		to := 24 * time.Hour
		if last {
			to = sinceMidnight(lb)
		}
		if k.working() {
			total += c.overlap(from, to)
		}
		if last {
			return total, nil
		}
		if err := k.next(); err != nil {
			return 0, err
		}
		from = 0
	}
}

// overlap is the working time between two offsets of one working day.
func (c *Calendar) overlap(from, to time.Duration) time.Duration {
	var sum time.Duration
	for _, h := range c.hours {
		s, e := time.Duration(h.Start)*time.Minute, time.Duration(h.End)*time.Minute
		s, e = max(s, from), min(e, to)
		if e > s {
			sum += e - s
		}
	}
	return sum
}

// FormatHours writes spans as "09:00-12:00,13:30-17:30".
func FormatHours(hours []Span) string {
	parts := make([]string, len(hours))
	for i, h := range hours {
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", h.Start/60, h.Start%60, h.End/60, h.End%60)
	}
	return strings.Join(parts, ",")
}

// ParseHours reads "09:00-12:00,13:30-17:30" (an en dash or a hyphen between the times).
func ParseHours(s string) ([]Span, error) {
	var out []Span
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(strings.ReplaceAll(part, "–", "-"))
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(part, "-")
		start, err1 := parseClock(a)
		end, err2 := parseClock(b)
		if !ok || err1 != nil || err2 != nil {
			return nil, errs.Field("work_hours", "calendar.hours_invalid")
		}
		out = append(out, Span{start, end})
	}
	if len(out) == 0 {
		return nil, errs.Field("work_hours", "calendar.hours_invalid")
	}
	if err := validHours(out); err != nil {
		return nil, err
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// WorkingDays lists the working days of year (YYYY-MM-DD), in order; a year the calendar does
// not know is refused, as every working-time question about it is.
func (c *Calendar) WorkingDays(year int) ([]string, error) {
	bits := c.year(year)
	if bits == nil {
		return nil, MissingYear(year)
	}
	var out []string
	first := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := first; d.Year() == year; d = d.AddDate(0, 0, 1) {
		if n := d.YearDay() - 1; bits[n/64]&(1<<(n%64)) != 0 {
			out = append(out, d.Format(time.DateOnly))
		}
	}
	return out, nil
}
