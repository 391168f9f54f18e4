// Package demo loads the demonstration organisation: the property company, maintenance
// centre, logistics company and care home of the policy seeds, their staff with roles, and a
// login account for every role, so that a new user can try manyi at once (`manyi demo`,
// `manyi serve --demo`). docs/demo.md describes what it contains.
//
// Everything is created through the areas' functions (org, auth, complaint, workorder, …) with
// the actors who would type it, so the demo is validated and audited exactly like typed input.
package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/workorder"
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

// Load creates the demo organisation and a year of records of every area, ending at the
// moment of loading, in a database that has no unit yet; otherwise it changes nothing and
// returns a conflict error ("demo.not_empty"). It is LoadAt with the database's clock.
func Load(ctx context.Context, db *store.DB) (Summary, error) {
	return LoadAt(ctx, db, db.Now())
}

// LoadAt loads the demo as if now were the moment of loading: every date of the demo is
// counted back from the day of now in China (the anchor), and nothing happens after now.
// Tests pin now to check that the demo follows the day it is loaded.
//
// Everything goes through the areas' functions, validated and audited as typed input, in a
// store.Batch: each call is its own savepoint, as it would be its own transaction, and the
// batch commits thousands of them at once, so that the demo costs a few disk flushes instead
// of one per record. Load is not atomic: if it fails part-way (the database goes away), what
// was committed stays, and a second Load refuses because units exist; start again from an
// empty database. Two Loads racing on one empty database cannot both proceed: the second
// fails creating the root unit on its unique code and reports "demo.not_empty" too.
func LoadAt(ctx context.Context, db *store.DB, now time.Time) (Summary, error) {
	units, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{IncludeInactive: true})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: check for an empty organisation: %w", err)
	}
	if len(units) > 0 {
		return Summary{}, errs.New(errs.Conflict, "demo.not_empty")
	}
	var sum Summary
	err = db.Batch(ctx, func(db *store.DB) error {
		db.Now = func() time.Time { return now }
		l := newLoader(db, now)
		err := l.unit(ctx, 0, tree)
		if err != nil && l.sum.Units == 0 && errs.Is(err, errs.Conflict) {
			return errs.New(errs.Conflict, "demo.not_empty")
		}
		// Complaints come before the assessment history, whose closes count them.
		err = l.complaints(ctx, err)
		err = l.workorders(ctx, err)
		err = l.inspections(ctx, err)
		err = l.surveys(ctx, err)
		err = l.logistics(ctx, err)
		err = l.assessment(ctx, err)
		err = l.closes(ctx, err)
		err = l.projects(ctx, err)
		err = l.bookings(ctx, err)
		err = l.improvements(ctx, err)
		sum = l.sum
		return err
	})
	if err != nil {
		return Summary{}, err
	}
	// Accounts are listed by role so that a printed table reads from the most to the least
	// powerful; within a role they keep the tree's order.
	rank := map[access.Role]int{}
	for i, r := range access.Roles {
		rank[r] = i
	}
	sort.SliceStable(sum.Accounts, func(i, j int) bool {
		return rank[sum.Accounts[i].Role] < rank[sum.Accounts[j].Role]
	})
	return sum, nil
}

// loader walks the tree, creating as it goes.
type loader struct {
	db     *store.DB // the batch; its clock is set to each action's time
	names  *namer
	phones *phoner
	units  map[string]org.Unit // by code, for role scopes
	sum    Summary

	now   time.Time // the moment of loading: nothing of the demo happens after it
	today time.Time // midnight of now in China, the anchor every date is counted from
}

func newLoader(db *store.DB, now time.Time) *loader {
	local := now.In(Zone)
	return &loader{
		db:     db,
		names:  newNamer(reservedNames(tree)),
		phones: newPhoner(),
		units:  map[string]org.Unit{},
		now:    now,
		today:  time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, Zone),
	}
}

// Zone is where the demo's organisation works: its days and months are China's.
var Zone = workorder.Zone

// at sets the clock to t for the actions that follow, so the records read as they happened.
func (l *loader) at(t time.Time) { l.db.Now = func() time.Time { return t } }

// atMost sets the clock to t, or to the moment of loading if t is later.
func (l *loader) atMost(t time.Time) {
	if t.After(l.now) {
		t = l.now
	}
	l.at(t)
}

// month is the first day of the month k months after the current one (k <= 0).
func (l *loader) month(k int) time.Time {
	return time.Date(l.today.Year(), l.today.Month()+time.Month(k), 1, 0, 0, 0, 0, Zone)
}

// historyMonths are the twelve complete months before the current one, oldest first, as
// "2006-01": the months every area has records of, and the assessment closes.
func (l *loader) historyMonths() []string {
	out := make([]string, 12)
	for i := range out {
		out[i] = l.month(i - 12).Format("2006-01")
	}
	return out
}

func (l *loader) unit(ctx context.Context, parentID int64, s unitSpec) error {
	in := org.UnitInput{ParentID: parentID, Code: s.code, Name: s.name, Kind: s.kind, ServesPublic: servesPublic[s.code]}
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
