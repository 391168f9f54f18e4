package complaint

import (
	"context"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/calendar"
	"manyi/internal/store"
)

// Clocked is a complaint with its two SLA clocks as of a moment, as the desk's list and the
// API show it.
type Clocked struct {
	Complaint
	ReplyClk    Clock `json:"reply_clock"`
	SolutionClk Clock `json:"solution_clock"`
}

// LoadSLA loads what the clocks need: the desk's policy and the working-day calendar.
func LoadSLA(ctx context.Context, db *store.DB) (Policy, *calendar.Calendar, error) {
	var pol Policy
	var cal *calendar.Calendar
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		if pol, err = LoadPolicy(ctx, tx); err != nil {
			return err
		}
		cal, err = calendar.Load(ctx, tx)
		return err
	})
	return pol, cal, err
}

// WithClocks returns the complaints with their clocks at now.
func WithClocks(cs []Complaint, pol Policy, cal *calendar.Calendar, now time.Time) []Clocked {
	out := make([]Clocked, len(cs))
	for i := range cs {
		out[i] = Clocked{Complaint: cs[i], ReplyClk: ReplyClock(&cs[i], pol, now), SolutionClk: SolutionClock(&cs[i], pol, cal, now)}
	}
	return out
}

// SLAState is the dashboard of the open complaints the actor may read (docs/policies.md §6
// clocks) at the database's now.
func SLAState(ctx context.Context, db *store.DB, actor access.Principal, pol Policy, cal *calendar.Calendar) (Dashboard, error) {
	open, _, err := List(ctx, db, actor, Filter{Open: true, Limit: 1_000_000})
	if err != nil {
		return Dashboard{}, err
	}
	return Summarize(open, pol, cal, db.Now()), nil
}

// Show returns a complaint for its handler to read, as Get does, and records in the access
// log that a handler was shown the complainant's contact: personal data read by staff is
// logged wherever it is shown (page or API).
func Show(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Detail, error) {
	d, err := Get(ctx, db, actor, id)
	if err != nil {
		return d, err
	}
	if d.CanHandle && d.Contact != "" {
		if err := audit.RecordView(ctx, db, actor, "complaint", d.ID, d.UnitID, "contact"); err != nil {
			return d, err
		}
	}
	return d, nil
}
