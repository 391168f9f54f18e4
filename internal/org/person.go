package org

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Person is a member of staff. People are deactivated, never deleted, so that the records
// they made and the scores they earned keep their name.
type Person struct {
	ID        int64          `json:"id"`
	UnitID    int64          `json:"unit_id,omitempty"`
	Name      string         `json:"name"`
	Phone     string         `json:"phone,omitempty"`
	Title     string         `json:"title,omitempty"`
	Active    bool           `json:"active"`
	Grants    []access.Grant `json:"roles"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// PersonInput creates a person.
type PersonInput struct {
	UnitID int64  `json:"unit_id"`
	Name   string `json:"name"`
	Phone  string `json:"phone"`
	Title  string `json:"title"`
}

// PersonPatch changes a person; nil fields stay. Setting UnitID moves the person.
type PersonPatch struct {
	UnitID *int64  `json:"unit_id"`
	Name   *string `json:"name"`
	Phone  *string `json:"phone"`
	Title  *string `json:"title"`
	Active *bool   `json:"active"`
}

// MaskPhone hides the middle of a phone number (138****1234), as personal data is shown only
// where needed.
func MaskPhone(phone string) string {
	r := []rune(phone)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

func validatePerson(p *Person) error {
	p.Name = strings.TrimSpace(p.Name)
	p.Phone = strings.TrimSpace(p.Phone)
	p.Title = strings.TrimSpace(p.Title)
	switch {
	case p.Name == "":
		return errs.Required("name")
	case utf8.RuneCountInString(p.Name) > maxName:
		return errs.Field("name", "err.too_long", maxName)
	case utf8.RuneCountInString(p.Title) > maxName:
		return errs.Field("title", "err.too_long", maxName)
	case p.Phone != "" && !validPhone(p.Phone):
		return errs.Field("phone", "org.phone_invalid")
	case p.UnitID == 0:
		return errs.Required("unit_id")
	}
	return nil
}

func validPhone(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for i, c := range s {
		if !(c >= '0' && c <= '9') && !(c == '-' || c == ' ' || (c == '+' && i == 0)) {
			return false
		}
	}
	return true
}

const personColumns = "id, unit_id, name, phone, title, active, created_at, updated_at"

func scanPerson(row store.Scanner) (Person, error) {
	var p Person
	var unit sql.NullInt64
	err := row.Scan(&p.ID, &unit, &p.Name, &p.Phone, &p.Title, &p.Active, &p.CreatedAt, &p.UpdatedAt)
	p.UnitID = unit.Int64
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func getPerson(ctx context.Context, tx *store.Tx, id int64) (Person, error) {
	p, err := scanPerson(tx.QueryRow(ctx, "SELECT "+personColumns+" FROM people WHERE id = ?", id))
	if store.IsNoRows(err) {
		return p, errs.New(errs.NotFound, "org.person_not_found", id)
	}
	if err != nil {
		return p, fmt.Errorf("get person %d: %w", id, err)
	}
	p.Grants, err = grantsOf(ctx, tx, id)
	return p, err
}

// GetPerson returns a person if actor may read the person's unit.
func GetPerson(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Person, error) {
	var p Person
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		if p, err = getPerson(ctx, tx, id); err != nil {
			return err
		}
		return Authorize(ctx, tx, actor, access.Read, p.UnitID)
	})
	return p, err
}

// PersonFilter selects people.
type PersonFilter struct {
	UnitID int64 // the unit and its subtree; 0: all in scope
	// Exact keeps the people working in UnitID itself, not in its sub-units (a unit's page).
	Exact           bool
	Query           string
	IncludeInactive bool
	Role            access.Role
	// Page reads a page by keyset on name then id (the web list): Fetch() people in its
	// order, for store.Cut.
	Page *store.Page
}

// peopleOrder is the people list's order: by name.
var peopleOrder = store.Order{Col: "name", ID: "id", Asc: true}

// PersonKey is a person's place in the list (PersonFilter.Page).
func PersonKey(p Person) store.Key { return store.Key{Name: p.Name, ID: p.ID} }

// ListPeople returns the people actor may see, by name. The scope is a condition of the query,
// so that a list of one unit reads that unit's people, not the organisation's 100,000.
func ListPeople(ctx context.Context, db *store.DB, actor access.Principal, f PersonFilter) ([]Person, error) {
	units, err := ListUnits(ctx, db, actor, UnitFilter{IncludeInactive: true})
	if err != nil {
		return nil, err
	}
	var visible []int64
	switch {
	case f.UnitID != 0:
		tree := NewTree(units)
		if _, ok := tree.Unit(f.UnitID); !ok {
			// Say "no such unit" only to those who may know: others learn nothing from the id.
			if err := db.Read(ctx, func(tx *store.Tx) error { _, err := getUnit(ctx, tx, f.UnitID); return err }); errs.Is(err, errs.NotFound) && actor.CanAnywhere(access.ManageOrg) {
				return nil, err
			}
			return nil, errs.New(errs.Forbidden, "err.out_of_scope")
		}
		visible = []int64{f.UnitID}
		if !f.Exact {
			visible = tree.Subtree(f.UnitID)
		}
	default:
		for _, u := range units {
			visible = append(visible, u.ID)
		}
	}
	// With the whole organisation in scope and no unit chosen, people in no unit are listed too.
	_, everything := actor.ScopeRoots(access.Read)
	scoped := !everything || f.UnitID != 0
	if scoped && len(visible) == 0 {
		return nil, nil
	}
	var out []Person
	err = db.Read(ctx, func(tx *store.Tx) error {
		where, args := []string{"1 = 1"}, []any{}
		if scoped {
			c, a := tx.AnyOf("unit_id", visible)
			where, args = append(where, c), append(args, a...)
		}
		if !f.IncludeInactive {
			where, args = append(where, "active = ?"), append(args, true)
		}
		if q := strings.TrimSpace(f.Query); q != "" {
			where, args = append(where, "(name LIKE ? OR title LIKE ?)"), append(args, "%"+q+"%", "%"+q+"%")
		}
		if f.Role != "" {
			where, args = append(where, "id IN (SELECT person_id FROM role_assignments WHERE role = ?)"), append(args, f.Role)
		}
		order := " ORDER BY name, id"
		if f.Page != nil {
			if c, a := f.Page.Where(peopleOrder); c != "" {
				where, args = append(where, c), append(args, a...)
			}
			order, args = f.Page.OrderBy(peopleOrder), append(args, f.Page.Fetch())
		}
		var err error
		if out, err = store.All(ctx, tx, scanPerson, "SELECT "+personColumns+" FROM people WHERE "+strings.Join(where, " AND ")+order, args...); err != nil {
			return err
		}
		ids := make([]int64, len(out))
		for i, p := range out {
			ids[i] = p.ID
		}
		grants, err := grantsOfAll(ctx, tx, ids)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].Grants = grants[out[i].ID]
			if out[i].Grants == nil {
				out[i].Grants = []access.Grant{}
			}
		}
		return nil
	})
	return out, err
}

// memberOf is the condition "works in the unit (given as its argument) and is active": who a
// form may choose once a unit is chosen, in Members and IsMember alike.
const memberOf = "unit_id = ? AND active = ?"

// Members returns the active people working in unit itself (not in its sub-units), by name:
// what a picker offers once its unit is chosen, a team's few dozen people rather than the
// organisation's. They come without their grants, which a picker does not show.
func Members(ctx context.Context, tx *store.Tx, unitID int64) ([]Person, error) {
	people, err := store.All(ctx, tx, scanPerson, "SELECT "+personColumns+" FROM people WHERE "+memberOf+" ORDER BY name, id", unitID, true)
	if err != nil {
		return nil, fmt.Errorf("members of unit %d: %w", unitID, err)
	}
	return people, nil
}

// IsMember reports whether person is one of Members(unit).
func IsMember(ctx context.Context, tx *store.Tx, unitID, personID int64) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM people WHERE id = ? AND "+memberOf, personID, unitID, true).Scan(&n)
	return n > 0, err
}

// PeopleQuery chooses people for the system's own reads (a close, a report), not for a list a
// user sees: no scope applies. A nil list does not filter; an empty one chooses nobody.
type PeopleQuery struct {
	IDs     []int64       // these people (any number: read a thousand at a time)
	UnitIDs []int64       // the people working in these units (a subtree: hundreds, in one query)
	Roles   []access.Role // the people holding one of these roles
}

// idChunk is how many ids one query of ReadPeople names, well under the bind-parameter limits
// of SQLite (32,766) and PostgreSQL (65,535).
const idChunk = 1000

// ReadPeople returns the people q chooses, with their grants. Chosen by unit or role, they come
// in one query, by name then id; chosen by id, in one query per thousand and in no order. A
// close reads the few hundred people it assesses and a report the people it names, not the
// whole organisation (100,000 people at national scale).
func ReadPeople(ctx context.Context, tx *store.Tx, q PeopleQuery) ([]Person, error) {
	if (q.IDs != nil && len(q.IDs) == 0) || (q.UnitIDs != nil && len(q.UnitIDs) == 0) || (q.Roles != nil && len(q.Roles) == 0) {
		return nil, nil
	}
	where, args := []string{"1 = 1"}, []any{}
	if q.UnitIDs != nil {
		c, a := tx.AnyOf("unit_id", q.UnitIDs)
		where, args = append(where, c), append(args, a...)
	}
	if q.Roles != nil {
		where = append(where, "id IN (SELECT person_id FROM role_assignments WHERE role IN (?"+strings.Repeat(", ?", len(q.Roles)-1)+"))")
		for _, r := range q.Roles {
			args = append(args, r)
		}
	}
	var out []Person
	read := func(where []string, args []any) error {
		rows, err := tx.Query(ctx, "SELECT "+personColumns+" FROM people WHERE "+strings.Join(where, " AND ")+" ORDER BY name, id", args...)
		if err != nil {
			return fmt.Errorf("read people: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPerson(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	}
	if q.IDs == nil {
		if err := read(where, args); err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(q.IDs); start += idChunk {
		c, a := store.In("id", q.IDs[start:min(len(q.IDs), start+idChunk)])
		if err := read(append(slices.Clip(where), c), append(slices.Clip(args), a...)); err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(out); start += idChunk {
		part := out[start:min(len(out), start+idChunk)]
		ids := make([]int64, len(part))
		for i, p := range part {
			ids[i] = p.ID
		}
		grants, err := grantsOfAll(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		for i := range part {
			part[i].Grants = grants[part[i].ID]
			if part[i].Grants == nil {
				part[i].Grants = []access.Grant{}
			}
		}
	}
	return out, nil
}

// CreatePerson adds a person to a unit the actor manages.
func CreatePerson(ctx context.Context, db *store.DB, actor access.Principal, in PersonInput) (Person, error) {
	if !actor.CanAnywhere(access.ManageOrg) {
		// No unit to manage anywhere: refuse before reading the input (issue 13 matrix).
		return Person{}, errs.New(errs.Forbidden, "err.forbidden")
	}
	p := Person{UnitID: in.UnitID, Name: in.Name, Phone: in.Phone, Title: in.Title, Active: true, Grants: []access.Grant{}}
	if err := validatePerson(&p); err != nil {
		return Person{}, err
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := getUnit(ctx, tx, p.UnitID); errs.Is(err, errs.NotFound) {
			return errs.Field("unit_id", "org.ref_missing", p.UnitID)
		} else if err != nil {
			return err
		}
		if err := Authorize(ctx, tx, actor, access.ManageOrg, p.UnitID); err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = tx.Now, tx.Now
		id, err := tx.InsertID(ctx, "INSERT INTO people (unit_id, name, phone, title, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			p.UnitID, p.Name, p.Phone, p.Title, true, tx.Now, tx.Now)
		if err != nil {
			return err
		}
		p.ID = id
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "person", EntityID: id, UnitID: p.UnitID, After: p})
	})
	return p, err
}

// UpdatePerson applies patch. Moving a person needs the right over both units.
func UpdatePerson(ctx context.Context, db *store.DB, actor access.Principal, id int64, patch PersonPatch) (Person, error) {
	var after Person
	err := db.InTx(ctx, func(tx *store.Tx) error {
		before, err := getPerson(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := AuthorizePerson(ctx, tx, actor, id); err != nil {
			return err
		}
		after = before
		action := "update"
		if patch.Name != nil {
			after.Name = *patch.Name
		}
		if patch.Phone != nil {
			after.Phone = *patch.Phone
		}
		if patch.Title != nil {
			after.Title = *patch.Title
		}
		if patch.Active != nil {
			after.Active = *patch.Active
			if !after.Active && before.Active {
				action = "deactivate"
			}
		}
		if patch.UnitID != nil && *patch.UnitID != before.UnitID {
			after.UnitID = *patch.UnitID
			action = "move"
			if _, err := getUnit(ctx, tx, after.UnitID); errs.Is(err, errs.NotFound) {
				return errs.Field("unit_id", "org.ref_missing", after.UnitID)
			} else if err != nil {
				return err
			}
			if err := Authorize(ctx, tx, actor, access.ManageOrg, after.UnitID); err != nil {
				return err
			}
		}
		if err := validatePerson(&after); err != nil {
			return err
		}
		after.UpdatedAt = tx.Now
		if _, err := tx.Exec(ctx, "UPDATE people SET unit_id = ?, name = ?, phone = ?, title = ?, active = ?, updated_at = ? WHERE id = ?",
			after.UnitID, after.Name, after.Phone, after.Title, after.Active, tx.Now, id); err != nil {
			return err
		}
		if action == "deactivate" {
			// A deactivated person can no longer act: end their sessions and tokens now.
			if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE person_id = ?)", id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE person_id = ?)", tx.Now, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "person", EntityID: id, UnitID: after.UnitID, Before: before, After: after})
	})
	return after, err
}
