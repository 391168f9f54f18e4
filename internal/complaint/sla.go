package complaint

import (
	"fmt"
	"strings"
	"time"

	"manyi/internal/calendar"
	"manyi/internal/locale"
)

// Policy is the complaint desk's SLA (docs/policies.md §6), editable by an administrator.
type Policy struct {
	ReplyHours   int `json:"reply_hours"`   // clock hours to the first reply (24)
	SolutionDays int `json:"solution_days"` // working days to the solution (3)
	// RemindBefore is how long before a deadline the reminder goes out.
	RemindBefore time.Duration `json:"remind_before"`
	// RestartOnReassign gives the new unit a full solution clock when a complaint is
	// reassigned; otherwise the clock runs on.
	RestartOnReassign bool `json:"restart_on_reassign"`
}

// DefaultPolicy is docs/policies.md §6.
var DefaultPolicy = Policy{ReplyHours: 24, SolutionDays: 3, RemindBefore: 4 * time.Hour, RestartOnReassign: true}

// ReplyDue is the reply deadline of a complaint received at t: clock hours, not working hours.
func (p Policy) ReplyDue(t time.Time) time.Time {
	return t.Add(time.Duration(p.ReplyHours) * time.Hour)
}

// SolutionDue is the solution deadline of a complaint whose solution clock starts at t.
func (p Policy) SolutionDue(cal *calendar.Calendar, t time.Time) (time.Time, error) {
	due, err := cal.AddWorkingDays(t, p.SolutionDays)
	// UTC, always: SQLite compares stored times as text, so every stored time must carry
	// the same offset.
	return due.UTC(), err
}

// ClockState is what a clock shows.
type ClockState string

const (
	OnTrack  ClockState = "on_track"
	DueSoon  ClockState = "due_soon" // inside the reminder window
	Breached ClockState = "breached"
	Paused   ClockState = "paused"
	Met      ClockState = "met"      // done in time
	MetLate  ClockState = "met_late" // done, after the deadline
	NoClock  ClockState = "none"
)

// Clock is one SLA clock of a complaint as of a moment.
type Clock struct {
	State ClockState    `json:"state"`
	Due   *time.Time    `json:"due,omitempty"`
	Left  time.Duration `json:"left"` // time left (negative: overdue); working time for the solution clock
}

// ReplyClock is the reply clock at now.
func ReplyClock(c *Complaint, p Policy, now time.Time) Clock {
	due := c.ReplyDueAt
	k := Clock{Due: &due}
	switch {
	case c.RepliedAt != nil && c.RepliedAt.After(due):
		k.State = MetLate
	case c.RepliedAt != nil:
		k.State = Met
	default:
		k.Left = due.Sub(now)
		k.State = state(k.Left, p.RemindBefore)
	}
	return k
}

// SolutionClock is the solution clock at now, in working time.
func SolutionClock(c *Complaint, p Policy, cal *calendar.Calendar, now time.Time) Clock {
	switch {
	case c.Status.Finished() && c.ResolvedAt == nil:
		return Clock{State: NoClock}
	case c.ResolvedAt != nil:
		k := Clock{Due: c.SolutionDueAt, State: Met}
		if c.SolutionDueAt != nil && c.ResolvedAt.After(*c.SolutionDueAt) {
			k.State = MetLate
		}
		return k
	case c.PausedAt != nil:
		var left time.Duration
		if c.PausedRemaining != nil {
			left = time.Duration(*c.PausedRemaining) * time.Second
		}
		return Clock{State: Paused, Left: left}
	case c.SolutionDueAt == nil:
		return Clock{State: NoClock}
	}
	k := Clock{Due: c.SolutionDueAt}
	if !now.Before(*c.SolutionDueAt) {
		k.Left = c.SolutionDueAt.Sub(now) // overdue is shown in clock time
		k.State = Breached
		return k
	}
	left, err := cal.WorkingTimeBetween(now, *c.SolutionDueAt)
	if err != nil {
		left = c.SolutionDueAt.Sub(now)
	}
	k.Left = left
	k.State = state(left, p.RemindBefore)
	if k.State == OnTrack && c.SolutionDueAt.Sub(now) <= p.RemindBefore {
		k.State = DueSoon
	}
	return k
}

func state(left, remind time.Duration) ClockState {
	switch {
	case left <= 0:
		return Breached
	case left <= remind:
		return DueSoon
	}
	return OnTrack
}

// Dashboard counts open complaints by the state of their clocks.
type Dashboard struct {
	Open            int `json:"open"`
	ReplyBreached   int `json:"reply_breached"`
	ReplyDueSoon    int `json:"reply_due_soon"`
	SolutionBreach  int `json:"solution_breached"`
	SolutionDueSoon int `json:"solution_due_soon"`
	Paused          int `json:"paused"`
	Late            int `json:"late"`     // complaints with a clock breached (either or both)
	Pressing        int `json:"pressing"` // complaints not late with a clock due soon
}

// DueSoon counts clocks inside their reminder window.
func (d Dashboard) DueSoon() int { return d.ReplyDueSoon + d.SolutionDueSoon }

// Summarize computes the dashboard of open complaints at now.
func Summarize(open []Complaint, p Policy, cal *calendar.Calendar, now time.Time) Dashboard {
	var d Dashboard
	for i := range open {
		c := &open[i]
		if c.Status.Finished() {
			continue
		}
		d.Open++
		reply, solution := ReplyClock(c, p, now).State, SolutionClock(c, p, cal, now).State
		switch reply {
		case Breached:
			d.ReplyBreached++
		case DueSoon:
			d.ReplyDueSoon++
		}
		switch solution {
		case Breached:
			d.SolutionBreach++
		case DueSoon:
			d.SolutionDueSoon++
		case Paused:
			d.Paused++
		}
		switch {
		case reply == Breached || solution == Breached:
			d.Late++
		case reply == DueSoon || solution == DueSoon:
			d.Pressing++
		}
	}
	return d
}

// Text describes the clock for a page: time left, overdue, or how it ended.
func (k Clock) Text(lang locale.Lang) string {
	switch k.State {
	case OnTrack, DueSoon:
		return locale.T(lang, "complaint.left_clock", FormatDuration(lang, k.Left))
	case Breached:
		return locale.T(lang, "complaint.overdue", FormatDuration(lang, -k.Left))
	case Paused:
		return locale.T(lang, "clock.paused") + " · " + locale.T(lang, "complaint.left_working", FormatDuration(lang, k.Left))
	}
	return locale.T(lang, "clock."+string(k.State))
}

// FormatDuration writes a duration as days, hours and minutes: "2 天 3 小时", "45 min".
func FormatDuration(lang locale.Lang, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	unit := map[bool][3]string{true: {"%d 天", "%d 小时", "%d 分钟"}, false: {"%d d", "%d h", "%d min"}}[lang != locale.EN]
	if days > 0 {
		parts = append(parts, fmt.Sprintf(unit[0], days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf(unit[1], hours))
	}
	if days == 0 && (mins > 0 || hours == 0) {
		parts = append(parts, fmt.Sprintf(unit[2], mins))
	}
	return strings.Join(parts, " ")
}
