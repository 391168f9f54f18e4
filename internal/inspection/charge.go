package inspection

import (
	"context"
	"slices"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// A finding may charge a person who works in the inspected unit or in a unit under it (§5:
// a ward round charges the ward's care workers, a duty round of the care centre those of its
// wards). The form asks for that unit first and then offers its people only, so that an
// inspection of a company does not put the company's every person into one list.

// Chargeable is what the form offers for the person a finding charges.
type Chargeable struct {
	// InspectedID is the inspected unit.
	InspectedID int64
	// Units are the inspected unit and its active sub-units in tree order, Depth counted from
	// the inspected unit.
	Units []org.Unit
	// UnitID is the unit whose People are offered.
	UnitID int64
	// People are the active people working in UnitID itself, by name.
	People []org.Person
}

// ChargeablePeople returns the units under unitID and the people of one of them, workUnitID
// (0: unitID itself), whom a finding on unitID may charge.
func ChargeablePeople(ctx context.Context, db *store.DB, actor access.Principal, unitID, workUnitID int64) (Chargeable, error) {
	c := Chargeable{InspectedID: unitID, UnitID: workUnitID}
	if c.UnitID == 0 {
		c.UnitID = unitID
	}
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		u, ok := tree.Unit(unitID)
		if !ok {
			return errs.New(errs.NotFound, "org.unit_not_found", unitID)
		}
		if !actor.HoldsOver(tree.Ancestry(unitID), fileRoles...) {
			return errs.New(errs.Forbidden, "inspection.not_inspector")
		}
		if !u.Active {
			return errs.Field("unit_id", "inspection.unit_unknown", unitID)
		}
		depth := len(tree.Ancestry(unitID)) - 1
		for _, x := range tree.Ordered() {
			if x.Active && slices.Contains(tree.Ancestry(x.ID), unitID) {
				x.Depth -= depth
				c.Units = append(c.Units, x)
			}
		}
		if !slices.ContainsFunc(c.Units, func(x org.Unit) bool { return x.ID == c.UnitID }) {
			return errs.Field("charged_unit", "inspection.unit_outside", c.UnitID)
		}
		c.People, err = org.Members(ctx, tx, c.UnitID)
		return err
	})
	return c, err
}

// checkCharged refuses a person who does not work in the inspected unit or a unit under it.
func checkCharged(ctx context.Context, tx *store.Tx, unitID int64, p personRef) error {
	chain, err := org.Ancestry(ctx, tx, p.UnitID)
	if err != nil {
		return err
	}
	if !slices.Contains(chain, unitID) {
		return errs.Field("charged_person", "inspection.person_outside", p.Name)
	}
	return nil
}
