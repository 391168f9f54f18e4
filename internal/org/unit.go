// Package org is the organisation: the tree of units (company → department → area or
// section → team), areas with households and response-rate thresholds, the people who work
// in them and the roles they hold. Every change is checked against the actor's scope and
// recorded in the audit log in the same transaction.
package org

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Kind is the kind of a unit in the tree.
type Kind string

const (
	Company    Kind = "company"
	Department Kind = "department"
	Area       Kind = "area" // a residential area served by the property company: has households
	Section    Kind = "section"
	Team       Kind = "team"
)

// Kinds lists the kinds in tree order.
var Kinds = []Kind{Company, Department, Area, Section, Team}

func (k Kind) valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Unit is a node of the organisation tree.
type Unit struct {
	ID         int64  `json:"id"`
	ParentID   int64  `json:"parent_id,omitempty"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	Kind       Kind   `json:"kind"`
	Households *int   `json:"households,omitempty"`
	// ThresholdBP is the survey response-rate threshold in basis points (1000 = 10 %).
	ThresholdBP *int `json:"threshold_bp,omitempty"`
	Active      bool `json:"active"`
	// ServesPublic offers the unit on the public complaint form: it serves residents or
	// customers, unlike internal units (HR, the quality work group).
	ServesPublic bool      `json:"serves_public"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// Depth is the unit's distance from its root, filled by ListUnits for tree display.
	Depth int `json:"-"`
}

// ThresholdPercent formats the threshold as a percentage, "" when unset.
func (u Unit) ThresholdPercent() string {
	if u.ThresholdBP == nil {
		return ""
	}
	return FormatBP(*u.ThresholdBP)
}

// FormatBP formats basis points as a percentage without trailing zeros: 1000 → "10".
func FormatBP(bp int) string {
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// UnitInput creates a unit.
type UnitInput struct {
	ParentID     int64  `json:"parent_id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Kind         Kind   `json:"kind"`
	Households   *int   `json:"households"`
	ThresholdBP  *int   `json:"threshold_bp"`
	ServesPublic bool   `json:"serves_public"`
}

// UnitPatch changes a unit; nil fields stay as they are. Setting ParentID moves the unit
// (0 makes it a root); Active false deactivates it without losing its history.
type UnitPatch struct {
	ParentID     *int64  `json:"parent_id"`
	Code         *string `json:"code"`
	Name         *string `json:"name"`
	Kind         *Kind   `json:"kind"`
	Households   *int    `json:"households"`
	ThresholdBP  *int    `json:"threshold_bp"`
	Active       *bool   `json:"active"`
	ServesPublic *bool   `json:"serves_public"`
}

const maxName = 100

func validateUnit(u *Unit) error {
	u.Code = strings.TrimSpace(u.Code)
	u.Name = strings.TrimSpace(u.Name)
	switch {
	case u.Code == "":
		return errs.Required("code")
	case utf8.RuneCountInString(u.Code) > 40:
		return errs.Field("code", "err.too_long", 40)
	case strings.ContainsAny(u.Code, " \t/\\?#%"):
		return errs.Field("code", "org.code_chars")
	case u.Name == "":
		return errs.Required("name")
	case utf8.RuneCountInString(u.Name) > maxName:
		return errs.Field("name", "err.too_long", maxName)
	case !u.Kind.valid():
		return errs.Field("kind", "err.invalid_choice", string(u.Kind))
	case u.Households != nil && *u.Households < 0:
		return errs.Field("households", "err.negative")
	case u.ThresholdBP != nil && (*u.ThresholdBP < 0 || *u.ThresholdBP > 10000):
		return errs.Field("threshold", "err.out_of_range", "0 %", "100 %")
	case u.Kind != Area && (u.Households != nil || u.ThresholdBP != nil):
		return errs.Field("households", "org.households_only_areas")
	}
	return nil
}

const unitColumns = "id, parent_id, code, name, kind, households, threshold_bp, active, serves_public, created_at, updated_at"

func scanUnit(row interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var parent, households, threshold sql.NullInt64
	err := row.Scan(&u.ID, &parent, &u.Code, &u.Name, &u.Kind, &households, &threshold, &u.Active, &u.ServesPublic, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return u, err
	}
	u.ParentID = parent.Int64
	if households.Valid {
		n := int(households.Int64)
		u.Households = &n
	}
	if threshold.Valid {
		n := int(threshold.Int64)
		u.ThresholdBP = &n
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

func getUnit(ctx context.Context, tx *store.Tx, id int64) (Unit, error) {
	u, err := scanUnit(tx.QueryRow(ctx, "SELECT "+unitColumns+" FROM units WHERE id = ?", id))
	if store.IsNoRows(err) {
		return u, errs.New(errs.NotFound, "org.unit_not_found", id)
	}
	if err != nil {
		return u, fmt.Errorf("get unit %d: %w", id, err)
	}
	return u, nil
}

// ScopeCond is the condition that col names a unit within the actor's scope for action (a
// unit under one of their scope roots), with its argument: what a list puts in its query so
// that a page holds only rows the actor may see, and is full. "1 = 1" for a scope over the
// whole organisation, "1 = 0" for none.
func ScopeCond(ctx context.Context, tx *store.Tx, actor access.Principal, action access.Action, col string) (string, []any, error) {
	if _, all := actor.ScopeRoots(action); all {
		return "1 = 1", nil, nil
	}
	tree, err := LoadTree(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	c, a := TreeScopeCond(tx, tree, actor, action, col)
	return c, a, nil
}

// TreeScopeCond is ScopeCond for a reader that has the tree already.
func TreeScopeCond(tx *store.Tx, tree *Tree, actor access.Principal, action access.Action, col string) (string, []any) {
	roots, all := actor.ScopeRoots(action)
	if all {
		return "1 = 1", nil
	}
	var ids []int64
	for _, r := range roots {
		ids = append(ids, tree.Subtree(r)...)
	}
	if len(ids) == 0 {
		return "1 = 0", nil
	}
	return tx.AnyOf(col, ids)
}

// LoadTree reads every unit, active or not, in one query. It is how every area walks the
// organisation: organisations have hundreds of units, not millions, so a walk in memory is
// simpler and faster than a recursive query per scope root or a query per row of a list.
func LoadTree(ctx context.Context, tx *store.Tx) (*Tree, error) {
	rows, err := tx.Query(ctx, "SELECT "+unitColumns+" FROM units ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	defer rows.Close()
	var all []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	return NewTree(all), nil
}

// Ancestry returns the ids from unit id up to its root, the unit itself first.
func Ancestry(ctx context.Context, tx *store.Tx, id int64) ([]int64, error) {
	if id == 0 {
		return nil, nil
	}
	var chain []int64
	for cur := id; cur != 0; {
		// The tree is shallow (four or five levels), so walking it costs a few point queries;
		// the loop bound guards against a cycle that a bug or a manual edit could introduce.
		if len(chain) > 64 {
			return nil, fmt.Errorf("unit %d: ancestry deeper than 64, the tree has a cycle", id)
		}
		var parent sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT parent_id FROM units WHERE id = ?", cur).Scan(&parent)
		if store.IsNoRows(err) {
			return nil, errs.New(errs.NotFound, "org.unit_not_found", cur)
		}
		if err != nil {
			return nil, err
		}
		chain = append(chain, cur)
		cur = parent.Int64
	}
	return chain, nil
}

// Authorize returns a forbidden error unless actor may perform action on unit id
// (0: organisation-wide).
func Authorize(ctx context.Context, tx *store.Tx, actor access.Principal, action access.Action, unitID int64) error {
	chain, err := Ancestry(ctx, tx, unitID)
	if err != nil {
		return err
	}
	return authorizeChain(actor, action, unitID, chain)
}

// authorizeChain is Authorize's answer for a unit whose ancestry is known.
func authorizeChain(actor access.Principal, action access.Action, unitID int64, chain []int64) error {
	if !actor.Can(action, chain) {
		if unitID == 0 {
			return errs.New(errs.Forbidden, "err.forbidden")
		}
		return errs.New(errs.Forbidden, "err.out_of_scope")
	}
	return nil
}

// GetUnit returns the unit if actor may read it.
func GetUnit(ctx context.Context, db *store.DB, actor access.Principal, id int64) (Unit, error) {
	var u Unit
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		if u, err = getUnit(ctx, tx, id); err != nil {
			return err
		}
		return Authorize(ctx, tx, actor, access.Read, id)
	})
	return u, err
}

// UnitFilter selects units for ListUnits.
type UnitFilter struct {
	Kind            Kind
	IncludeInactive bool
	// Action decides the scope: the units the actor may perform it on (default Read).
	Action access.Action
	// ServesPublic keeps only the units offered to the public (the public complaint form).
	ServesPublic bool
}

// ListUnits returns the units actor may see, in tree order (each parent before its
// children, siblings by code), with Depth set.
func ListUnits(ctx context.Context, db *store.DB, actor access.Principal, f UnitFilter) ([]Unit, error) {
	var tree *Tree
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		tree, err = LoadTree(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []Unit
	for _, u := range tree.Ordered() {
		if !f.IncludeInactive && !u.Active {
			continue
		}
		if f.Kind != "" && u.Kind != f.Kind {
			continue
		}
		if f.ServesPublic && !u.ServesPublic {
			continue
		}
		if !actor.Can(f.Action, tree.Ancestry(u.ID)) {
			continue
		}
		out = append(out, u)
	}
	return out, nil
}

// CreateUnit adds a unit under in.ParentID (0: a new root, which needs an organisation-wide
// administrator).
func CreateUnit(ctx context.Context, db *store.DB, actor access.Principal, in UnitInput) (Unit, error) {
	if !actor.CanAnywhere(access.ManageOrg) {
		// No unit to manage anywhere: refuse before reading the input (issue 13 matrix).
		return Unit{}, errs.New(errs.Forbidden, "err.forbidden")
	}
	u := Unit{ParentID: in.ParentID, Code: in.Code, Name: in.Name, Kind: in.Kind, Households: in.Households, ThresholdBP: in.ThresholdBP, Active: true, ServesPublic: in.ServesPublic}
	if err := validateUnit(&u); err != nil {
		return Unit{}, err
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if u.ParentID != 0 {
			if _, err := getUnit(ctx, tx, u.ParentID); errs.Is(err, errs.NotFound) {
				return errs.Field("parent_id", "org.ref_missing", u.ParentID)
			} else if err != nil {
				return err
			}
		}
		if err := Authorize(ctx, tx, actor, access.ManageOrg, u.ParentID); err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = tx.Now, tx.Now
		id, err := tx.InsertID(ctx, `INSERT INTO units (parent_id, code, name, kind, households, threshold_bp, active, serves_public, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			nullID(u.ParentID), u.Code, u.Name, u.Kind, u.Households, u.ThresholdBP, true, u.ServesPublic, tx.Now, tx.Now)
		if err != nil {
			return unitConflict(err)
		}
		u.ID = id
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "unit", EntityID: id, UnitID: id, After: u})
	})
	return u, err
}

// UpdateUnit applies patch to unit id. Moving a unit needs the right to manage both the unit
// and its new parent, and a unit cannot move under itself or its own descendants.
func UpdateUnit(ctx context.Context, db *store.DB, actor access.Principal, id int64, p UnitPatch) (Unit, error) {
	var after Unit
	err := db.InTx(ctx, func(tx *store.Tx) error {
		before, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := Authorize(ctx, tx, actor, access.ManageOrg, id); err != nil {
			return err
		}
		after = before
		if p.Code != nil {
			after.Code = *p.Code
		}
		if p.Name != nil {
			after.Name = *p.Name
		}
		if p.Kind != nil {
			after.Kind = *p.Kind
		}
		if p.Households != nil {
			after.Households = p.Households
		}
		if p.ThresholdBP != nil {
			after.ThresholdBP = p.ThresholdBP
		}
		if p.Active != nil {
			after.Active = *p.Active
		}
		if p.ServesPublic != nil {
			after.ServesPublic = *p.ServesPublic
		}
		if after.Kind != Area {
			// Changing an area into another kind drops its survey figures explicitly.
			if p.Kind != nil && before.Kind == Area {
				after.Households, after.ThresholdBP = nil, nil
			}
		}
		if err := validateUnit(&after); err != nil {
			return err
		}
		action := "update"
		if p.ParentID != nil && *p.ParentID != before.ParentID {
			action = "move"
			after.ParentID = *p.ParentID
			if after.ParentID != 0 {
				chain, err := Ancestry(ctx, tx, after.ParentID)
				if errs.Is(err, errs.NotFound) {
					return errs.Field("parent_id", "org.ref_missing", after.ParentID)
				} else if err != nil {
					return err
				}
				for _, a := range chain {
					if a == id {
						return errs.Field("parent_id", "org.move_into_own_subtree")
					}
				}
			}
			if err := Authorize(ctx, tx, actor, access.ManageOrg, after.ParentID); err != nil {
				return err
			}
		}
		if p.Active != nil && !*p.Active && before.Active {
			action = "deactivate"
			var activeChildren int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM units WHERE parent_id = ? AND active = ?", id, true).Scan(&activeChildren); err != nil {
				return err
			}
			if activeChildren > 0 {
				return errs.New(errs.Conflict, "org.deactivate_with_children", activeChildren)
			}
		}
		after.UpdatedAt = tx.Now
		_, err = tx.Exec(ctx, `UPDATE units SET parent_id = ?, code = ?, name = ?, kind = ?, households = ?, threshold_bp = ?, active = ?, serves_public = ?, updated_at = ? WHERE id = ?`,
			nullID(after.ParentID), after.Code, after.Name, after.Kind, after.Households, after.ThresholdBP, after.Active, after.ServesPublic, tx.Now, id)
		if err != nil {
			return unitConflict(err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "unit", EntityID: id, UnitID: id, Before: before, After: after})
	})
	return after, err
}

// DeleteUnit removes a unit that nothing refers to; anything with history is deactivated
// instead, so that past results keep their unit.
func DeleteUnit(ctx context.Context, db *store.DB, actor access.Principal, id int64) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		before, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := Authorize(ctx, tx, actor, access.ManageOrg, id); err != nil {
			return err
		}
		var refs int
		err = tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM units WHERE parent_id = ?) + (SELECT COUNT(*) FROM people WHERE unit_id = ?)
			+ (SELECT COUNT(*) FROM role_assignments WHERE unit_id = ?)`, id, id, id).Scan(&refs)
		if err != nil {
			return err
		}
		if refs > 0 {
			return errs.New(errs.Conflict, "org.delete_in_use")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM units WHERE id = ?", id); err != nil {
			if store.IsForeignKeyViolation(err) {
				return errs.New(errs.Conflict, "org.delete_in_use")
			}
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "delete", Entity: "unit", EntityID: id, UnitID: id, Before: before})
	})
}

func unitConflict(err error) error {
	if store.IsUniqueViolation(err) {
		return &errs.Error{Code: errs.Conflict, Field: "code", Key: "org.code_taken", Err: err}
	}
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
