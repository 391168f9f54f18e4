package complaint

import (
	"context"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/calendar"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Verb is something done to a registered complaint.
type Verb string

const (
	Classify  Verb = "classify"   // clerk: invalid / valid / major, with a reason
	Reply     Verb = "reply"      // first (or further) reply to the complainant
	Start     Verb = "start"      // work on the solution has begun
	Pause     Verb = "pause"      // waiting on the complainant: the solution clock stops
	Resume    Verb = "resume"     // the complainant answered: the clock runs on
	Resolve   Verb = "resolve"    // a solution was given
	Confirm   Verb = "confirm"    // the complainant confirmed it
	Close     Verb = "close"      // closed after no answer from the complainant
	Reopen    Verb = "reopen"     // the complainant is not satisfied: a new solution clock
	Reassign  Verb = "reassign"   // another unit is concerned
	RootCause Verb = "root_cause" // root-cause note for the analysis
)

// Action is a verb with its input.
type Action struct {
	Verb   Verb
	Text   string // reply, solution, reason or note
	Class  Class
	UnitID int64 // Reassign
}

// from lists the statuses each verb applies to; nil means any unfinished status.
var verbFrom = map[Verb][]Status{
	Start:   {Replied, Reopened},
	Resolve: {Replied, InProgress, Reopened},
	Confirm: {Resolved},
	Close:   {Resolved},
	Reopen:  {Resolved},
}

// Act applies an action to complaint id as actor, in one transaction with its timeline entry
// and audit record. A refused action changes nothing.
func Act(ctx context.Context, db *store.DB, actor access.Principal, id int64, a Action) (Complaint, error) {
	var c Complaint
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = act(ctx, tx, actor, id, a, false)
		return err
	})
	return c, err
}

func act(ctx context.Context, tx *store.Tx, actor access.Principal, id int64, a Action, public bool) (Complaint, error) {
	c, err := get(ctx, tx, id)
	if err != nil {
		return c, err
	}
	if !public {
		ancestry, err := org.Ancestry(ctx, tx, c.UnitID)
		if err != nil {
			return c, err
		}
		if !actor.Can(access.Read, ancestry) {
			return c, errs.New(errs.NotFound, "complaint.not_found", id)
		}
		roles := handleRoles
		if a.Verb == Classify || a.Verb == Reassign {
			roles = clerkRoles
		}
		if !actor.HoldsOver(ancestry, roles...) {
			return c, errs.New(errs.Forbidden, "complaint.not_yours")
		}
	}
	before := c
	now := tx.Now.Truncate(time.Second)
	pol, err := LoadPolicy(ctx, tx)
	if err != nil {
		return c, err
	}
	var cal *calendar.Calendar
	loadCal := func() error {
		if cal == nil {
			cal, err = calendar.Load(ctx, tx)
		}
		return err
	}
	if a.Verb != Classify && a.Verb != RootCause && c.Status.Finished() {
		return c, errs.New(errs.Conflict, "complaint.finished", c.TrackingCode)
	}
	if allowed, ok := verbFrom[a.Verb]; ok && !contains(allowed, c.Status) {
		return c, errs.New(errs.Conflict, "complaint.wrong_status", string(a.Verb), string(c.Status))
	}
	text := a.Text
	// restart gives the solution clock a full budget from now.
	restart := func() error {
		if err := loadCal(); err != nil {
			return err
		}
		due, err := pol.SolutionDue(cal, now)
		if err != nil {
			return err
		}
		c.SLARound++
		if c.PausedAt != nil {
			left, err := cal.WorkingTimeBetween(now, due)
			if err != nil {
				return err
			}
			secs := int64(left / time.Second)
			c.PausedRemaining = &secs
			return nil
		}
		c.SolutionDueAt = &due
		return nil
	}
	resume := func() error {
		if c.PausedAt == nil {
			return nil
		}
		if err := loadCal(); err != nil {
			return err
		}
		left := time.Duration(0)
		if c.PausedRemaining != nil {
			left = time.Duration(*c.PausedRemaining) * time.Second
		}
		due, err := cal.AddWorkingHours(now, left)
		if err != nil {
			return err
		}
		due = due.UTC()
		c.SolutionDueAt, c.PausedAt, c.PausedRemaining = &due, nil, nil
		_, err = tx.Exec(ctx, "UPDATE complaint_pauses SET ended_at = ? WHERE complaint_id = ? AND ended_at IS NULL", now, c.ID)
		return err
	}

	switch a.Verb {
	case Classify:
		if !contains(Classes, a.Class) {
			return c, errs.Field("classification", "err.invalid_choice", string(a.Class))
		}
		if text, err = note("reason", text, true); err != nil {
			return c, err
		}
		c.Class, c.ClassReason, c.ClassifiedAt = a.Class, text, &now
		text = string(a.Class) + ": " + text
	case Reply:
		if text, err = note("reply", text, true); err != nil {
			return c, err
		}
		if c.RepliedAt == nil {
			c.RepliedAt = &now
		}
		c.Reply = text
		if c.Status == Registered {
			c.Status = Replied
		}
	case Start:
		c.Status = InProgress
	case Pause:
		if text, err = note("reason", text, true); err != nil {
			return c, err
		}
		if c.PausedAt != nil {
			return c, errs.New(errs.Conflict, "complaint.already_paused")
		}
		if c.Status == Resolved {
			return c, errs.New(errs.Conflict, "complaint.wrong_status", string(a.Verb), string(c.Status))
		}
		if err := loadCal(); err != nil {
			return c, err
		}
		var left time.Duration
		if c.SolutionDueAt != nil && c.SolutionDueAt.After(now) {
			if left, err = cal.WorkingTimeBetween(now, *c.SolutionDueAt); err != nil {
				return c, err
			}
		}
		secs := int64(left / time.Second)
		c.PausedAt, c.PausedRemaining, c.SolutionDueAt = &now, &secs, nil
		if _, err := tx.Exec(ctx, "INSERT INTO complaint_pauses (complaint_id, started_at, reason) VALUES (?, ?, ?)", c.ID, now, text); err != nil {
			return c, err
		}
	case Resume:
		if c.PausedAt == nil {
			return c, errs.New(errs.Conflict, "complaint.not_paused")
		}
		if err := resume(); err != nil {
			return c, err
		}
	case Resolve:
		if text, err = note("solution", text, true); err != nil {
			return c, err
		}
		if err := resume(); err != nil {
			return c, err
		}
		c.Solution, c.ResolvedAt, c.Status = text, &now, Resolved
	case Confirm:
		c.Status, c.ClosedAt = Confirmed, &now
	case Close:
		c.Status, c.ClosedAt = Closed, &now
	case Reopen:
		if text, err = note("reason", text, true); err != nil {
			return c, err
		}
		c.Status, c.ResolvedAt = Reopened, nil
		if err := restart(); err != nil {
			return c, err
		}
	case Reassign:
		if text, err = note("reason", text, true); err != nil {
			return c, err
		}
		if a.UnitID == c.UnitID {
			return c, errs.Field("unit_id", "complaint.same_unit")
		}
		if _, err := checkUnit(ctx, tx, a.UnitID); err != nil {
			return c, err
		}
		c.UnitID = a.UnitID
		if pol.RestartOnReassign {
			if err := restart(); err != nil {
				return c, err
			}
		}
	case RootCause:
		if text, err = note("root_cause", text, false); err != nil {
			return c, err
		}
		c.RootCause = text
	default:
		return c, errs.Field("action", "err.invalid_choice", string(a.Verb))
	}
	c.UpdatedAt = now
	if err := save(ctx, tx, before, &c); err != nil {
		return c, err
	}
	if err := event(ctx, tx, actor, c.ID, string(a.Verb), text); err != nil {
		return c, err
	}
	return c, audit.Record(ctx, tx, actor, audit.Change{Action: string(a.Verb), Entity: "complaint", EntityID: c.ID, UnitID: c.UnitID,
		Before: stateOf(before), After: stateOf(c)})
}

// stateOf is what the audit log keeps of a complaint's handling.
func stateOf(c Complaint) map[string]any {
	return map[string]any{"status": c.Status, "classification": c.Class, "classification_reason": c.ClassReason, "unit_id": c.UnitID,
		"solution_due_at": c.SolutionDueAt, "sla_round": c.SLARound, "paused": c.PausedAt != nil}
}

// save writes a handled complaint and moves its contribution to the running totals (a
// classification or a reassignment changes what it counts for).
func save(ctx context.Context, tx *store.Tx, before Complaint, c *Complaint) error {
	if err := assessment.ShiftTotals(ctx, tx, contribution(before), contribution(*c)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE complaints SET unit_id = ?, status = ?, classification = ?, classification_reason = ?, classified_at = ?,
		replied_at = ?, reply = ?, solution_due_at = ?, paused_at = ?, paused_remaining = ?, resolved_at = ?, solution = ?, root_cause = ?,
		closed_at = ?, sla_round = ?, updated_at = ? WHERE id = ?`,
		c.UnitID, c.Status, c.Class, c.ClassReason, c.ClassifiedAt, c.RepliedAt, c.Reply, c.SolutionDueAt, c.PausedAt, c.PausedRemaining,
		c.ResolvedAt, c.Solution, c.RootCause, c.ClosedAt, c.SLARound, c.UpdatedAt, c.ID)
	return err
}

// PublicView is what the complainant sees with the tracking code: the status and the
// answers, nothing about anyone else and no personal data.
type PublicView struct {
	TrackingCode string     `json:"tracking_code"`
	Status       Status     `json:"status"`
	Category     Category   `json:"category"`
	ReceivedAt   time.Time  `json:"received_at"`
	ReplyDueAt   time.Time  `json:"reply_due_at"`
	RepliedAt    *time.Time `json:"replied_at,omitempty"`
	Reply        string     `json:"reply,omitempty"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	Solution     string     `json:"solution,omitempty"`
	Waiting      bool       `json:"waiting_on_you"`
	// Answerable is false for complaints registered before response codes existed: their
	// complainants answer through the complaint desk.
	Answerable bool `json:"answerable"`
}

// publicID finds the complaint with the tracking code, and the hash of its response code.
func publicID(ctx context.Context, tx *store.Tx, code string) (int64, string, error) {
	code = NormalizeTrackingCode(code)
	var id int64
	var hash string
	err := tx.QueryRow(ctx, "SELECT id, response_hash FROM complaints WHERE tracking_code = ?", code).Scan(&id, &hash)
	if code == "" || store.IsNoRows(err) {
		return 0, "", errs.Field("tracking_code", "complaint.code_unknown")
	}
	return id, hash, err
}

// Track returns the public view of the complaint with the tracking code. The tracking code
// only reads: staff see it too.
func Track(ctx context.Context, db *store.DB, code string) (PublicView, error) {
	var v PublicView
	err := db.Read(ctx, func(tx *store.Tx) error {
		id, hash, err := publicID(ctx, tx, code)
		if err != nil {
			return err
		}
		c, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		v = PublicView{TrackingCode: c.TrackingCode, Status: c.Status, Category: c.Category, ReceivedAt: c.ReceivedAt, ReplyDueAt: c.ReplyDueAt,
			RepliedAt: c.RepliedAt, Reply: c.Reply, ResolvedAt: c.ResolvedAt, Solution: c.Solution, Waiting: c.PausedAt != nil,
			Answerable: hash != ""}
		return nil
	})
	return v, err
}

// Respond records the complainant's answer to a solution from the public page: confirmed,
// or not satisfied with a reason (reopened). It needs the response code, which only the
// complainant holds; the tracking code alone, which staff see, changes nothing.
func Respond(ctx context.Context, db *store.DB, code, responseCode string, satisfied bool, reason string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		id, hash, err := publicID(ctx, tx, code)
		if err != nil {
			return err
		}
		switch {
		case hash == "":
			return errs.Field("response_code", "complaint.answer_by_desk")
		case strings.TrimSpace(responseCode) == "":
			return errs.Required("response_code")
		case !responseMatches(hash, responseCode):
			return errs.Field("response_code", "complaint.response_code_wrong")
		}
		a := Action{Verb: Confirm}
		if !satisfied {
			a = Action{Verb: Reopen, Text: reason}
		}
		_, err = act(ctx, tx, Public, id, a, true)
		return err
	})
}
