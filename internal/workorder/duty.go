package workorder

import (
	"context"
	"slices"
	"strings"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Caller is someone who makes callbacks: an active dispatcher or manager.
type Caller struct {
	PersonID int64
	Name     string
	Unit     string
	Role     access.Role
}

// Roster is the callback duty roster (回访值班表) of consecutive days: who is on duty on which
// day. The daily draw deals the calls of orders closed on D to the people on duty on D+1.
type Roster struct {
	Days    []string
	Callers []Caller
	On      map[string]map[int64]bool // day → person → on duty
}

// RosterDays is how many days the roster page shows and saves at once: a week.
const RosterDays = 7

// LoadRoster returns the roster of RosterDays days from the given day.
func LoadRoster(ctx context.Context, db *store.DB, actor access.Principal, from string) (Roster, error) {
	start, err := ParseDay("day", from)
	if err != nil {
		return Roster{}, err
	}
	r := Roster{On: map[string]map[int64]bool{}}
	for i := range RosterDays {
		d := DayOf(start.AddDate(0, 0, i))
		r.Days = append(r.Days, d)
		r.On[d] = map[int64]bool{}
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		if r.Callers, err = callers(ctx, tx, actor); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT day, person_id FROM workorder_duty WHERE day >= ? AND day <= ?", r.Days[0], r.Days[len(r.Days)-1])
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var day string
			var person int64
			if err := rows.Scan(&day, &person); err != nil {
				return err
			}
			r.On[day][person] = true
		}
		return rows.Err()
	})
	return r, err
}

// callers lists the dispatchers and managers in the actor's scope, by role and name.
func callers(ctx context.Context, tx *store.Tx, actor access.Principal) ([]Caller, error) {
	scope, args, err := scopeClause(ctx, tx, actor, "p.unit_id")
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT p.id, p.name, COALESCE(u.name, ''), r.role FROM role_assignments r JOIN people p ON p.id = r.person_id
		LEFT JOIN units u ON u.id = p.unit_id WHERE p.active = ? AND r.role IN ('dispatcher', 'manager') AND `+scope+` ORDER BY r.role, p.name, p.id`,
		append([]any{true}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Caller
	for rows.Next() {
		var c Caller
		if err := rows.Scan(&c.PersonID, &c.Name, &c.Unit, &c.Role); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetRoster replaces the roster of the given days (at most RosterDays) with on: for each day,
// the people on duty. A day left empty falls back to everyone (see onDuty). Clerks and
// administrators keep the roster. Days whose draw has run keep their tasks: the roster
// decides only draws still to come.
func SetRoster(ctx context.Context, db *store.DB, actor access.Principal, days []string, on map[string][]int64) error {
	if !MayKeepRoster(actor) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	if len(days) == 0 || len(days) > RosterDays {
		return errs.Field("day", "err.out_of_range", "1", "7")
	}
	for i, d := range days {
		t, err := ParseDay("day", d)
		if err != nil {
			return err
		}
		days[i] = DayOf(t)
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		eligible, err := callers(ctx, tx, actor)
		if err != nil {
			return err
		}
		for _, d := range days {
			people := slices.Clone(on[d])
			slices.Sort(people)
			people = slices.Compact(people)
			for _, p := range people {
				if !slices.ContainsFunc(eligible, func(c Caller) bool { return c.PersonID == p }) {
					return errs.Field("day", "wo.duty_not_caller", p)
				}
			}
			var before []int64
			rows, err := tx.Query(ctx, "SELECT person_id FROM workorder_duty WHERE day = ? ORDER BY person_id", d)
			if err != nil {
				return err
			}
			for rows.Next() {
				var p int64
				if err := rows.Scan(&p); err != nil {
					rows.Close()
					return err
				}
				before = append(before, p)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if slices.Equal(before, people) {
				continue
			}
			if _, err := tx.Exec(ctx, "DELETE FROM workorder_duty WHERE day = ?", d); err != nil {
				return err
			}
			if len(people) > 0 {
				args := []any{}
				for _, p := range people {
					args = append(args, d, p)
				}
				if _, err := tx.Exec(ctx, "INSERT INTO workorder_duty (day, person_id) VALUES "+strings.TrimSuffix(strings.Repeat("(?, ?), ", len(people)), ", "), args...); err != nil {
					return err
				}
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "workorder_duty", EntityID: d,
				Before: map[string]any{"on_duty": before}, After: map[string]any{"on_duty": people}}); err != nil {
				return err
			}
		}
		return nil
	})
}
