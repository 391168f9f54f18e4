package workorder

import (
	"context"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Whom an order names: the team that answers it, then a maintainer of that team. The form
// offers the teams first and then only the chosen team's people, so that a clerk of the whole
// organisation (2,000 units and 90,000 maintainers at national scale) reads one team's few dozen
// names, not every maintainer in scope.

// RegisterTeams returns the active teams actor may register orders for, in tree order.
func RegisterTeams(ctx context.Context, db *store.DB, actor access.Principal) ([]org.Unit, error) {
	var tree *org.Tree
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		tree, err = org.LoadTree(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []org.Unit
	for _, u := range tree.Ordered() {
		if u.Kind == org.Team && u.Active && actor.HoldsOver(tree.Ancestry(u.ID), registerRoles...) {
			out = append(out, u)
		}
	}
	return out, nil
}

// Maintainers returns the people an order of team may name as its maintainer: the team's
// active people (org.Members), whom checkTeam accepts at registration.
func Maintainers(ctx context.Context, db *store.DB, actor access.Principal, teamID int64) ([]org.Person, error) {
	var out []org.Person
	err := db.Read(ctx, func(tx *store.Tx) error {
		// The right first: a unit out of scope says nothing about its kind.
		if err := authorize(ctx, tx, actor, registerRoles, teamID); err != nil {
			return err
		}
		if err := checkIsTeam(ctx, tx, teamID); err != nil {
			return err
		}
		var err error
		out, err = org.Members(ctx, tx, teamID)
		return err
	})
	return out, err
}

// checkTeam refuses a unit that is not an active team or a maintainer who is not one of its
// Maintainers.
func checkTeam(ctx context.Context, tx *store.Tx, teamID, maintainerID int64) error {
	if err := checkIsTeam(ctx, tx, teamID); err != nil {
		return err
	}
	member, err := org.IsMember(ctx, tx, teamID, maintainerID)
	if err != nil {
		return err
	}
	if !member {
		return errs.Field("maintainer", "wo.not_in_team")
	}
	return nil
}
