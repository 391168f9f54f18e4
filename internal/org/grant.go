package org

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

func grantsOf(ctx context.Context, tx *store.Tx, personID int64) ([]access.Grant, error) {
	rows, err := tx.Query(ctx, "SELECT role, unit_id FROM role_assignments WHERE person_id = ? ORDER BY role, unit_id", personID)
	if err != nil {
		return nil, fmt.Errorf("grants of %d: %w", personID, err)
	}
	defer rows.Close()
	grants := []access.Grant{}
	for rows.Next() {
		var g access.Grant
		var unit sql.NullInt64
		if err := rows.Scan(&g.Role, &unit); err != nil {
			return nil, err
		}
		g.UnitID = unit.Int64
		grants = append(grants, g)
	}
	return grants, rows.Err()
}

// grantsOfAll is grantsOf for many people in one query: lists must not ask once a row.
func grantsOfAll(ctx context.Context, tx *store.Tx, personIDs []int64) (map[int64][]access.Grant, error) {
	out := make(map[int64][]access.Grant, len(personIDs))
	if len(personIDs) == 0 {
		return out, nil
	}
	in, args := tx.AnyOf("person_id", personIDs) // a list of every person can pass the databases' limit on parameters
	rows, err := tx.Query(ctx, "SELECT person_id, role, unit_id FROM role_assignments WHERE "+in+" ORDER BY person_id, role, unit_id", args...)
	if err != nil {
		return nil, fmt.Errorf("grants of %d people: %w", len(personIDs), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var g access.Grant
		var unit sql.NullInt64
		if err := rows.Scan(&id, &g.Role, &unit); err != nil {
			return nil, err
		}
		g.UnitID = unit.Int64
		out[id] = append(out[id], g)
	}
	return out, rows.Err()
}

// AuthorizePerson returns a forbidden error unless actor may manage the person: their unit
// and every role they hold must be within the actor's scope. Otherwise an administrator of
// one area could reset the password of an organisation-wide administrator who happens to
// sit in that area, and act as them.
func AuthorizePerson(ctx context.Context, tx *store.Tx, actor access.Principal, personID int64) error {
	var unit sql.NullInt64
	err := tx.QueryRow(ctx, "SELECT unit_id FROM people WHERE id = ?", personID).Scan(&unit)
	if store.IsNoRows(err) {
		return errs.New(errs.NotFound, "org.person_not_found", personID)
	}
	if err != nil {
		return err
	}
	grants, err := grantsOf(ctx, tx, personID)
	if err != nil {
		return err
	}
	return authorizePerson(actor, unit.Int64, grants, func(id int64) ([]int64, error) { return Ancestry(ctx, tx, id) })
}

// AuthorizePersonIn is AuthorizePerson for a person read with their grants, the units' ancestry
// taken from tree: a list that offers only the people actor may manage (the account form's)
// checks each of them without a query per person.
func AuthorizePersonIn(actor access.Principal, tree *Tree, p Person) error {
	return authorizePerson(actor, p.UnitID, p.Grants, func(id int64) ([]int64, error) { return tree.Ancestry(id), nil })
}

// authorizePerson is AuthorizePerson's rule, with the ancestry of a unit read by ancestry.
func authorizePerson(actor access.Principal, unitID int64, grants []access.Grant, ancestry func(int64) ([]int64, error)) error {
	chain, err := ancestry(unitID)
	if err != nil {
		return err
	}
	if err := authorizeChain(actor, access.ManageOrg, unitID, chain); err != nil {
		return err
	}
	for _, g := range grants {
		chain, err := ancestry(g.UnitID)
		if err != nil {
			return err
		}
		if !actor.Can(access.ManageOrg, chain) {
			return errs.New(errs.Forbidden, "org.person_outranks", string(g.Role))
		}
	}
	return nil
}

// GrantsOf returns a person's roles; auth uses it to build a principal.
func GrantsOf(ctx context.Context, tx *store.Tx, personID int64) ([]access.Grant, error) {
	return grantsOf(ctx, tx, personID)
}

// SetGrants replaces a person's roles. The actor must manage the person's unit and every
// unit a granted or revoked role is scoped to; an organisation-wide role needs an
// organisation-wide administrator. So nobody can hand out more than they hold.
func SetGrants(ctx context.Context, db *store.DB, actor access.Principal, personID int64, grants []access.Grant) (Person, error) {
	var after Person
	err := db.InTx(ctx, func(tx *store.Tx) error {
		before, err := getPerson(ctx, tx, personID)
		if err != nil {
			return err
		}
		if err := AuthorizePerson(ctx, tx, actor, personID); err != nil {
			return err
		}
		seen := map[access.Grant]bool{}
		var want []access.Grant
		for _, g := range grants {
			if !g.Role.Valid() {
				return errs.Field("role", "err.invalid_choice", string(g.Role))
			}
			if g.UnitID != 0 {
				if _, err := getUnit(ctx, tx, g.UnitID); errs.Is(err, errs.NotFound) {
					return errs.Field("role_unit", "org.ref_missing", g.UnitID)
				} else if err != nil {
					return err
				}
			}
			if !seen[g] {
				seen[g] = true
				want = append(want, g)
			}
		}
		// Every grant that changes must be inside the actor's scope, including revocations.
		had := map[access.Grant]bool{}
		for _, g := range before.Grants {
			had[g] = true
		}
		for _, g := range append(append([]access.Grant{}, want...), before.Grants...) {
			if had[g] && seen[g] {
				continue
			}
			if err := Authorize(ctx, tx, actor, access.ManageOrg, g.UnitID); err != nil {
				return errs.Field("role_unit", "org.grant_out_of_scope", string(g.Role))
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM role_assignments WHERE person_id = ?", personID); err != nil {
			return err
		}
		for _, g := range want {
			if _, err := tx.Exec(ctx, "INSERT INTO role_assignments (person_id, role, unit_id, created_at) VALUES (?, ?, ?, ?)",
				personID, g.Role, nullID(g.UnitID), tx.Now); err != nil {
				return err
			}
		}
		sort.Slice(want, func(i, j int) bool {
			if want[i].Role != want[j].Role {
				return want[i].Role < want[j].Role
			}
			return want[i].UnitID < want[j].UnitID
		})
		after = before
		after.Grants = append([]access.Grant{}, want...)
		return audit.Record(ctx, tx, actor, audit.Change{Action: "update", Entity: "roles", EntityID: personID, UnitID: before.UnitID, Before: before.Grants, After: after.Grants})
	})
	return after, err
}
