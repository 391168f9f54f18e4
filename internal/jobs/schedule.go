package jobs

import (
	"time"

	"github.com/riverqueue/river"
)

// Daily is a periodic schedule that fires once a day at hour:minute in loc, e.g. a nightly
// check at 03:00 where the organisation works. Days are calendar days in loc, so the
// schedule keeps its wall-clock time across daylight-saving changes.
func Daily(hour, minute int, loc *time.Location) river.PeriodicSchedule {
	return daily{hour: hour, minute: minute, loc: loc}
}

type daily struct {
	hour, minute int
	loc          *time.Location
}

// Next returns the first time after t at the schedule's hour and minute.
func (d daily) Next(t time.Time) time.Time {
	t = t.In(d.loc)
	next := time.Date(t.Year(), t.Month(), t.Day(), d.hour, d.minute, 0, 0, d.loc)
	if !next.After(t) {
		// Day+1 rather than Add(24h): a day across a daylight-saving change is not 24 hours.
		next = time.Date(t.Year(), t.Month(), t.Day()+1, d.hour, d.minute, 0, 0, d.loc)
	}
	return next
}
