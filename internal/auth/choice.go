package auth

import (
	"context"
	"slices"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Who may get an account: an active person without one, whom the administrator manages
// (org.AuthorizePersonIn: their unit and every role they hold in the administrator's scope, so
// that an area's administrator cannot open, and so learn the password of, an account for
// someone who holds a role beyond that area). The account form asks for a unit first and then
// offers that unit's people who qualify — a few dozen, where the organisation has 100,000
// people — its script reloads them from the API, and CreateUser refuses anyone else: the
// three read the rule here, accountRefusal.

// AccountChoice is what the account form offers for the person.
type AccountChoice struct {
	// Units are the units whose people actor manages, in tree order with Depth, deactivated
	// ones too (their people may still work and need an account).
	Units []org.Unit
	// UnitID is the unit whose People are offered; 0 while none is chosen.
	UnitID int64
	// People are the people working in UnitID itself who may get an account, by name.
	People []org.Person
}

// ChooseAccountPerson returns the form's choice with the unit unitID chosen, or, when
// unitID is 0, the unit of person (the form opened from that person's page), or the one unit
// actor manages. A unit not offered lists nobody.
func ChooseAccountPerson(ctx context.Context, db *store.DB, actor access.Principal, unitID, person int64) (AccountChoice, error) {
	var c AccountChoice
	if !actor.CanAnywhere(access.ManageOrg) {
		return c, errs.New(errs.Forbidden, "err.forbidden")
	}
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		for _, u := range tree.Ordered() {
			if actor.Can(access.ManageOrg, tree.Ancestry(u.ID)) {
				c.Units = append(c.Units, u)
			}
		}
		if unitID == 0 && person != 0 {
			var unit *int64
			if err := tx.QueryRow(ctx, "SELECT unit_id FROM people WHERE id = ?", person).Scan(&unit); err != nil && !store.IsNoRows(err) {
				return err
			} else if unit != nil {
				unitID = *unit
			}
		}
		if unitID == 0 && len(c.Units) == 1 {
			unitID = c.Units[0].ID
		}
		if !slices.ContainsFunc(c.Units, func(u org.Unit) bool { return u.ID == unitID }) {
			return nil
		}
		c.UnitID = unitID
		c.People, err = candidates(ctx, tx, tree, actor, unitID)
		return err
	})
	return c, err
}

// AccountCandidates returns the people working in unit itself whom actor may give an
// account, by name: what the account form's script offers once the unit is chosen.
func AccountCandidates(ctx context.Context, db *store.DB, actor access.Principal, unitID int64) ([]org.Person, error) {
	var out []org.Person
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		if _, ok := tree.Unit(unitID); !ok {
			// Say "no such unit" only to those who may know: others learn nothing from the id.
			if actor.CanAnywhere(access.ManageOrg) {
				return errs.New(errs.NotFound, "org.unit_not_found", unitID)
			}
			return errs.New(errs.Forbidden, "err.forbidden")
		}
		if !actor.Can(access.ManageOrg, tree.Ancestry(unitID)) {
			return errs.New(errs.Forbidden, "err.out_of_scope")
		}
		out, err = candidates(ctx, tx, tree, actor, unitID)
		return err
	})
	return out, err
}

// PersonAccount returns a person's account as the person's page shows it, if they have one
// (nil otherwise), and whether actor may give them one: the page offers the account form
// only then.
func PersonAccount(ctx context.Context, db *store.DB, actor access.Principal, personID int64) (*User, bool, error) {
	var u *User
	var may bool
	err := db.Read(ctx, func(tx *store.Tx) error {
		found, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users u JOIN people p ON p.id = u.person_id WHERE u.person_id = ?", personID))
		if err == nil {
			u = &found
			return org.Authorize(ctx, tx, actor, access.ManageOrg, found.UnitID)
		} else if !store.IsNoRows(err) {
			return err
		}
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		err = checkCandidate(ctx, tx, tree, actor, personID)
		may = err == nil
		if errs.CodeOf(err) != errs.Internal {
			return nil // a refusal: nothing to offer
		}
		return err
	})
	return u, may, err
}

// candidates returns the people of unit who may get an account from actor, in three
// statements whatever the unit's size: the unit's people, their grants, and which of them
// have an account.
func candidates(ctx context.Context, tx *store.Tx, tree *org.Tree, actor access.Principal, unitID int64) ([]org.Person, error) {
	people, err := org.ReadPeople(ctx, tx, org.PeopleQuery{UnitIDs: []int64{unitID}})
	if err != nil {
		return nil, err
	}
	holders, err := store.All(ctx, tx, scanID, "SELECT u.person_id FROM users u JOIN people p ON p.id = u.person_id WHERE p.unit_id = ?", unitID)
	if err != nil {
		return nil, err
	}
	has := make(map[int64]bool, len(holders))
	for _, id := range holders {
		has[id] = true
	}
	var out []org.Person
	for _, p := range people {
		if accountRefusal(actor, tree, p, has[p.ID]) == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// checkCandidate refuses a person who may not get an account from actor, as CreateUser
// answers: a person who does not exist on the field, then accountRefusal's refusals.
func checkCandidate(ctx context.Context, tx *store.Tx, tree *org.Tree, actor access.Principal, personID int64) error {
	people, err := org.ReadPeople(ctx, tx, org.PeopleQuery{IDs: []int64{personID}})
	if err != nil {
		return err
	}
	if len(people) == 0 {
		return errs.Field("person_id", "org.ref_missing", personID)
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE person_id = ?", personID).Scan(&n); err != nil {
		return err
	}
	return accountRefusal(actor, tree, people[0], n > 0)
}

// accountRefusal is the rule: nil when actor may give p an account, else the refusal. Scope
// comes first, so that a person out of it is not described.
func accountRefusal(actor access.Principal, tree *org.Tree, p org.Person, hasAccount bool) error {
	if err := org.AuthorizePersonIn(actor, tree, p); err != nil {
		return err
	}
	if !p.Active {
		return errs.Field("person_id", "auth.person_inactive", p.Name)
	}
	if hasAccount {
		return &errs.Error{Code: errs.Conflict, Field: "person_id", Key: "auth.person_has_user"}
	}
	return nil
}

func scanID(s store.Scanner) (int64, error) {
	var id int64
	err := s.Scan(&id)
	return id, err
}
