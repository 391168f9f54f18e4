// Package meeting is the quarterly quality analysis meeting (质量分析会, docs/policies.md §3):
// one record per organisation and quarter, held on the 10th of the quarter's first month for
// the quarter before. Its agenda is computed from the quarter's records (inspections, surveys,
// complaints, department results, improvement items); its minutes are findings — a problem,
// its cause and the remedy — and each remedy can become an improvement item. The meeting also
// verifies items reported done ("verified at a meeting").
package meeting

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
)

// Zone is the organisation's time zone.
var Zone = time.FixedZone("CST", 8*3600)

// Quarter is a calendar quarter, "2026-Q3".
type Quarter struct {
	Year, N int
}

// ParseQuarter reads "YYYY-Qn".
func ParseQuarter(field, s string) (Quarter, error) {
	y, n, ok := strings.Cut(strings.TrimSpace(s), "-Q")
	year, yerr := strconv.Atoi(y)
	q, qerr := strconv.Atoi(n)
	if !ok || yerr != nil || qerr != nil || q < 1 || q > 4 || len(y) != 4 || len(n) != 1 {
		return Quarter{}, errs.Field(field, "meet.bad_quarter", s)
	}
	return Quarter{year, q}, nil
}

func (q Quarter) String() string { return fmt.Sprintf("%d-Q%d", q.Year, q.N) }

// Start is the quarter's first local day.
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*q.N-2), 1, 0, 0, 0, 0, Zone)
}

// End is the first local day after the quarter.
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, 0) }

// Months are the quarter's months, YYYY-MM.
func (q Quarter) Months() []string {
	s := q.Start()
	return []string{s.Format("2006-01"), s.AddDate(0, 1, 0).Format("2006-01"), s.AddDate(0, 2, 0).Format("2006-01")}
}

// MeetsOn is the meeting's day by the policy: the 10th of the first month after the quarter.
func (q Quarter) MeetsOn() string { return q.End().AddDate(0, 0, 9).Format(time.DateOnly) }

// LastClosed is the last quarter that has ended by now.
func LastClosed(now time.Time) Quarter {
	t := now.In(Zone)
	q := Quarter{t.Year(), (int(t.Month())-1)/3 + 1}
	if q.N == 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.N - 1}
}

// checkBegun refuses a meeting for a quarter not yet begun: there is nothing to analyse.
func checkBegun(q Quarter, now time.Time) error {
	if now.Before(q.Start()) {
		return errs.Field("quarter", "meet.quarter_not_begun", q.String())
	}
	return nil
}

// Status is where a meeting stands.
type Status string

const (
	Planned Status = "planned"
	Held    Status = "held"
)

// Meeting is a quarter's quality analysis meeting with its minutes.
type Meeting struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	OrgName   string    `json:"org_name"`
	Quarter   string    `json:"quarter"`
	HeldOn    string    `json:"held_on"`
	Attendees string    `json:"attendees"`
	Status    Status    `json:"status"`
	Findings  []Finding `json:"findings"`
	Agenda    []Line    `json:"agenda"`
	Verified  []int64   `json:"verified_item_ids"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Finding is a line of the minutes: a problem, its cause and the remedy, with the item the
// remedy became (0: none yet).
type Finding struct {
	ID       int64  `json:"id"`
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Problem  string `json:"problem"`
	Cause    string `json:"cause"`
	Remedy   string `json:"remedy"`
	Owner    string `json:"owner"`
	DueOn    string `json:"due_on"`
	ItemID   int64  `json:"item_id,omitempty"`
}

// Line is an agenda line: a count from the quarter's records and where they are.
type Line struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
	Extra int    `json:"extra,omitempty"` // a second figure: satisfied answers, overdue items
	Href  string `json:"href"`
}

// Input opens a quarter's meeting.
type Input struct {
	OrgID     int64
	Quarter   string
	HeldOn    string // default: the 10th of the first month after the quarter
	Attendees string
}

// FindingInput is a line of the minutes. With Raise, the remedy becomes an improvement item
// owned by Owner, due on DueOn.
type FindingInput struct {
	UnitID  int64
	Problem string
	Cause   string
	Remedy  string
	Owner   string
	DueOn   string
	Raise   bool
	Title   string
}

// MayRun reports whether p keeps the meetings: the clerk (the quality work group's secretary).
func MayRun(p access.Principal) bool { return p.HasAny(access.Admin, access.Clerk) }

// MayRead reports whether p reads the meetings: the clerk and the committee.
func MayRead(p access.Principal) bool { return p.HasAny(access.Admin, access.Clerk, access.Committee) }

func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Required(field)
	}
	if len([]rune(s)) > max {
		return "", errs.Field(field, "err.too_long", max)
	}
	return s, nil
}

// check validates a finding: every remedy answers a cause.
func (in *FindingInput) check() error {
	var err error
	if in.UnitID == 0 {
		return errs.Required("unit_id")
	}
	if in.Problem, err = text("meet_problem", in.Problem, 1000); err != nil {
		return err
	}
	if in.Cause, err = text("meet_cause", in.Cause, 1000); err != nil {
		return err
	}
	if in.Remedy, err = text("meet_remedy", in.Remedy, 1000); err != nil {
		return err
	}
	in.Owner, in.DueOn, in.Title = strings.TrimSpace(in.Owner), strings.TrimSpace(in.DueOn), strings.TrimSpace(in.Title)
	return nil
}
