// Package demo loads the demonstration organisation: the property company, maintenance
// centre, logistics company and care home of the policy seeds, their staff with roles, and a
// login account for every role, so that a new user can try manyi at once (`manyi demo`,
// `manyi serve --demo`). docs/demo.md describes what it contains.
//
// Everything is created through the org and auth functions with access.System as the actor,
// so the demo is validated and audited exactly like input typed by an administrator.
package demo

import (
	"context"
	"fmt"
	"sort"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// DemoPassword is the password of every demo account. It is published in docs/demo.md:
// a database holding the demo is for trying manyi out, not for real data.
const DemoPassword = "manyi-demo-2026"

// Summary is what Load created.
type Summary struct {
	Units    int       `json:"units"`
	People   int       `json:"people"`
	Users    int       `json:"users"`
	Accounts []Account `json:"accounts"` // in the order of access.Roles, then as created
}

// Account is a demo login; its password is DemoPassword.
type Account struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`  // the person's name
	Title    string      `json:"title"` // the person's job title
	Role     access.Role `json:"role"`
	Unit     string      `json:"unit"`  // the person's unit
	Scope    string      `json:"scope"` // the unit the role covers; "" for the whole organisation
}

// Load creates the demo organisation in a database that has no unit yet; otherwise it
// changes nothing and returns a conflict error ("demo.not_empty").
//
// Each unit, person, role grant and account is its own transaction, as when an administrator
// enters them, so Load is not atomic: if it fails part-way (the database goes away), what was
// created stays, is audited, and a second Load refuses because units exist. Start again from
// an empty database in that case. The demo data is fixed and covered by tests, so a failure
// means an outside cause, not bad data. Two Loads racing on one empty database cannot both
// proceed: the second fails creating the root unit on its unique code and also reports
// "demo.not_empty". On failure the Summary counts what was created before it.
func Load(ctx context.Context, db *store.DB) (Summary, error) {
	units, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{IncludeInactive: true})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: check for an empty organisation: %w", err)
	}
	if len(units) > 0 {
		return Summary{}, errs.New(errs.Conflict, "demo.not_empty")
	}
	l := &loader{
		db:     db,
		names:  newNamer(reservedNames(tree)),
		phones: newPhoner(),
		units:  map[string]org.Unit{},
	}
	err = l.unit(ctx, 0, tree)
	if err != nil && l.sum.Units == 0 && errs.Is(err, errs.Conflict) {
		return l.sum, errs.New(errs.Conflict, "demo.not_empty")
	}
	// Complaints come before the assessment history, whose closes count them.
	err = l.complaints(ctx, err)
	err = l.workorders(ctx, err)
	err = l.inspections(ctx, err)
	err = l.surveys(ctx, err)
	err = l.logistics(ctx, err)
	err = l.assessment(ctx, err)
	// Accounts are listed by role so that a printed table reads from the most to the least
	// powerful; within a role they keep the tree's order.
	rank := map[access.Role]int{}
	for i, r := range access.Roles {
		rank[r] = i
	}
	sort.SliceStable(l.sum.Accounts, func(i, j int) bool {
		return rank[l.sum.Accounts[i].Role] < rank[l.sum.Accounts[j].Role]
	})
	return l.sum, err
}

// loader walks the tree, creating as it goes.
type loader struct {
	db     *store.DB
	names  *namer
	phones *phoner
	units  map[string]org.Unit // by code, for role scopes
	sum    Summary
}

func (l *loader) unit(ctx context.Context, parentID int64, s unitSpec) error {
	in := org.UnitInput{ParentID: parentID, Code: s.code, Name: s.name, Kind: s.kind}
	if s.kind == org.Area {
		in.Households, in.ThresholdBP = &s.households, &s.thresholdBP
	}
	u, err := org.CreateUnit(ctx, l.db, access.System, in)
	if err != nil {
		return fmt.Errorf("demo: unit %s %s: %w", s.code, s.name, err)
	}
	l.units[u.Code] = u
	l.sum.Units++
	for _, p := range s.people {
		if err := l.person(ctx, u, p); err != nil {
			return err
		}
	}
	for _, c := range s.children {
		if err := l.unit(ctx, u.ID, c); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) person(ctx context.Context, u org.Unit, s personSpec) error {
	name := s.name
	if name == "" {
		name = l.names.next()
	}
	p, err := org.CreatePerson(ctx, l.db, access.System, org.PersonInput{UnitID: u.ID, Name: name, Phone: l.phones.next(), Title: s.title})
	if err != nil {
		return fmt.Errorf("demo: person %s of %s: %w", name, u.Code, err)
	}
	l.sum.People++
	var scope org.Unit
	if s.role != "" {
		grant := access.Grant{Role: s.role}
		switch s.scope {
		case orgWide:
		case "":
			scope, grant.UnitID = u, u.ID
		default:
			var ok bool
			if scope, ok = l.units[s.scope]; !ok {
				return fmt.Errorf("demo: person %s of %s: scope %s is not created before it", name, u.Code, s.scope)
			}
			grant.UnitID = scope.ID
		}
		if _, err := org.SetGrants(ctx, l.db, access.System, p.ID, []access.Grant{grant}); err != nil {
			return fmt.Errorf("demo: role %s of %s: %w", s.role, name, err)
		}
	}
	if s.username == "" {
		return nil
	}
	if _, err := auth.CreateUser(ctx, l.db, access.System, auth.UserInput{PersonID: p.ID, Username: s.username, Password: DemoPassword}); err != nil {
		return fmt.Errorf("demo: user %s: %w", s.username, err)
	}
	l.sum.Users++
	l.sum.Accounts = append(l.sum.Accounts, Account{
		Username: s.username, Name: name, Title: s.title, Role: s.role, Unit: u.Name, Scope: scope.Name,
	})
	return nil
}

// reservedNames lists the names written into the tree, which the generator must not repeat.
func reservedNames(s unitSpec) []string {
	var out []string
	for _, p := range s.people {
		if p.name != "" {
			out = append(out, p.name)
		}
	}
	for _, c := range s.children {
		out = append(out, reservedNames(c)...)
	}
	return out
}
