// Package improvement is the one improvement loop (改善项目): every problem manyi finds — a
// dissatisfied callback, a survey opinion or its follow-up, a complaint, an inspection
// finding, a target breach, a remedy of the quality analysis meeting — can become an item of
// the tracking table (改善项目跟踪管理表) with an owner, a due day, measures and evidence, and
// ends verified by the clerk or at a meeting. Areas that own a source either raise the item
// inside their own transaction (RaiseTx) or let the item be raised from the record's kind and
// id (Raise), which reads the record here so its unit and date cannot be made up.
package improvement

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/errs"
)

// Kind is the kind of record an item was raised from.
type Kind string

const (
	Direct            Kind = "direct"             // raised by hand, no source record
	WorkOrderFollowUp Kind = "workorder_followup" // a 不满意 callback's follow-up (评价不满意回访表)
	SurveyOpinion     Kind = "survey_opinion"     // a survey answer's opinion (the answer's id)
	SurveyFollowUp    Kind = "survey_followup"    // a survey follow-up
	Complaint         Kind = "complaint"
	InspectionFinding Kind = "inspection_finding"
	TargetBreach      Kind = "target_breach" // ref: target code/unit id/month
	MeetingRemedy     Kind = "meeting_remedy"
)

// Kinds lists the kinds in the order filters show them.
var Kinds = []Kind{WorkOrderFollowUp, SurveyOpinion, SurveyFollowUp, Complaint, InspectionFinding, TargetBreach, MeetingRemedy, Direct}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Status is where an item stands.
type Status string

const (
	Open     Status = "open"     // being carried out
	Done     Status = "done"     // the owner reports it done, with evidence
	Verified Status = "verified" // checked by the clerk or at a meeting
	Reopened Status = "reopened" // the check sent it back
)

// Statuses lists the statuses in the order filters show them.
var Statuses = []Status{Open, Done, Reopened, Verified}

// Item is a row of the tracking table.
type Item struct {
	ID         int64      `json:"id"`
	Kind       Kind       `json:"source_kind"`
	Ref        string     `json:"source_ref"`
	SourceOn   string     `json:"source_on"`
	SourceURL  string     `json:"source_url"`
	UnitID     int64      `json:"unit_id"`
	UnitName   string     `json:"unit_name"`
	Title      string     `json:"title"`
	Problem    string     `json:"problem"`
	Cause      string     `json:"cause"`
	Measures   string     `json:"measures"`
	Owner      string     `json:"owner"`
	DueOn      string     `json:"due_on"`
	Evidence   string     `json:"evidence"`
	Status     Status     `json:"status"`
	Decision   string     `json:"decision"`
	VerifiedBy string     `json:"verified_by"`
	MeetingID  int64      `json:"meeting_id,omitempty"`
	VerifiedAt *time.Time `json:"verified_at"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Overdue reports whether the item is still being carried out after its due day.
func (i Item) Overdue(today string) bool {
	return (i.Status == Open || i.Status == Reopened) && i.DueOn < today
}

// sourceURL is the page of a record an item was raised from, "" when it has none; a finding
// opens on its inspection's page, so the caller passes that page's id as parent.
func sourceURL(k Kind, ref string, parent int64) string {
	switch k {
	case WorkOrderFollowUp:
		return "/workorders/followups/" + ref
	case SurveyOpinion:
		return "/surveys/answers/" + ref
	case SurveyFollowUp:
		return "/surveys/followups/" + ref
	case Complaint:
		return "/complaints/" + ref
	case InspectionFinding:
		return "/inspections/" + strconv.FormatInt(parent, 10) + "#finding-" + ref
	case TargetBreach:
		if code, rest, ok := strings.Cut(ref, "/"); ok {
			if unit, month, ok := strings.Cut(rest, "/"); ok {
				return "/targets?month=" + month + "&target=" + code + "&unit=" + unit
			}
		}
	case MeetingRemedy:
		return "/meetings/" + strconv.FormatInt(parent, 10) + "#finding-" + ref
	}
	return ""
}

// BreachRef is the source reference of a target's breach by a unit in a month.
func BreachRef(code string, unitID int64, month string) string {
	return code + "/" + strconv.FormatInt(unitID, 10) + "/" + month
}

// Input is what a person enters when raising an item; the source supplies the rest.
type Input struct {
	UnitID   int64 // only for a direct item: a sourced item belongs to its source's unit
	Title    string
	Problem  string // empty: the source's problem
	Cause    string
	Measures string
	Owner    string
	DueOn    string
}

// Patch changes an item still being carried out; nil fields stay.
type Patch struct {
	Owner    *string
	Cause    *string
	Measures *string
	DueOn    *string
	Evidence *string
}

// Source is the record an item comes from, as its area knows it.
type Source struct {
	Kind    Kind
	Ref     string
	URL     string
	UnitID  int64
	On      string // the local day the problem was recorded
	Problem string
	Cause   string
}

// raisers may raise and carry out items of the units they hold the role over; the clerk
// verifies.
var raisers = []access.Role{access.Admin, access.Clerk, access.UnitHead, access.Foreman}

// MayRaise reports whether p may raise items at all (pages ask before offering the button).
func MayRaise(p access.Principal) bool { return p.HasAny(raisers...) }

// MayVerify reports whether p verifies items: the clerk, who also records a meeting's word.
func MayVerify(p access.Principal) bool { return p.HasAny(access.Admin, access.Clerk) }

const maxText = 1000

func text(field, s string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", errs.Required(field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", errs.Field(field, "err.too_long", max)
	}
	return s, nil
}

// day reads a YYYY-MM-DD day.
func day(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Required(field)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", errs.Field(field, "err.bad_day", s)
	}
	return t.Format(time.DateOnly), nil
}

// check validates what a person enters against the source: every field bounded, the due day
// on or after the day the problem was recorded.
func (in *Input) check(src Source) error {
	var err error
	if in.Title, err = text("item_title", in.Title, true, 100); err != nil {
		return err
	}
	if strings.TrimSpace(in.Problem) == "" {
		in.Problem = src.Problem
	}
	if in.Problem, err = text("item_problem", in.Problem, true, maxText); err != nil {
		return err
	}
	if strings.TrimSpace(in.Cause) == "" {
		in.Cause = src.Cause
	}
	if in.Cause, err = text("item_cause", in.Cause, false, maxText); err != nil {
		return err
	}
	if in.Measures, err = text("item_measures", in.Measures, false, maxText); err != nil {
		return err
	}
	if in.Owner, err = text("item_owner", in.Owner, true, 100); err != nil {
		return err
	}
	if in.DueOn, err = day("item_due_on", in.DueOn); err != nil {
		return err
	}
	return dueAfter(in.DueOn, src.On)
}

// dueAfter refuses a due day before the day the problem was recorded.
func dueAfter(due, sourceOn string) error {
	if sourceOn != "" && due < sourceOn {
		return errs.Field("item_due_on", "imp.due_before_source", sourceOn)
	}
	return nil
}

// CheckVerifiable refuses to verify an item that is not reported done or has no measures or
// no evidence: verification checks what was done against what was planned.
func CheckVerifiable(i Item) error {
	switch {
	case strings.TrimSpace(i.Measures) == "":
		return errs.Field("item_measures", "imp.verify_needs_measures")
	case strings.TrimSpace(i.Evidence) == "":
		return errs.Field("item_evidence", "imp.verify_needs_evidence")
	case i.Status != Done:
		return errs.New(errs.Conflict, "imp.not_done")
	}
	return nil
}

// UnitCount is a unit's line of the per-unit summary: items still being carried out and
// those of them past their due day.
type UnitCount struct {
	UnitID   int64
	UnitName string
	Open     int
	Overdue  int
}

// PerUnit counts the unfinished and overdue items of each unit, most overdue first.
func PerUnit(items []Item, today string) []UnitCount {
	idx := map[int64]int{}
	var out []UnitCount
	for _, i := range items {
		if i.Status == Verified {
			continue
		}
		n, ok := idx[i.UnitID]
		if !ok {
			n = len(out)
			idx[i.UnitID] = n
			out = append(out, UnitCount{UnitID: i.UnitID, UnitName: i.UnitName})
		}
		out[n].Open++
		if i.Overdue(today) {
			out[n].Overdue++
		}
	}
	sortUnitCounts(out)
	return out
}

// sortUnitCounts puts the most overdue units first, then by name.
func sortUnitCounts(out []UnitCount) {
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Overdue != out[b].Overdue {
			return out[a].Overdue > out[b].Overdue
		}
		return out[a].UnitName < out[b].UnitName
	})
}
