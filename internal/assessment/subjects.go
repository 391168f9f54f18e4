package assessment

import (
	"fmt"
	"slices"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/scheme"
)

// Subject is whom a result belongs to: a unit (PersonID 0), or a person in a unit. A unit
// head's result (survey-quarterly) is the unit's, charged to its head: UnitID is the unit
// assessed and PersonID its head (0 when the unit has none).
type Subject struct {
	UnitID   int64 `json:"unit_id"`
	PersonID int64 `json:"person_id,omitempty"`
}

// key is the subject as the scheme engine's subject id and as a map key of stored facts.
func (s Subject) key() string { return fmt.Sprintf("%d:%d", s.UnitID, s.PersonID) }

func parseSubjectKey(k string) Subject {
	var s Subject
	fmt.Sscanf(k, "%d:%d", &s.UnitID, &s.PersonID)
	return s
}

// defaultUnitKinds are the unit kinds assessed when a scheme names none: the residential
// areas and the sections that serve residents for unit schemes (unit-monthly), the areas for
// unit-head schemes (each area's head answers for its households), teams for team schemes.
var defaultUnitKinds = map[scheme.SubjectType][]org.Kind{
	scheme.Unit:     {org.Area, org.Section},
	scheme.UnitHead: {org.Area},
	scheme.Team:     {org.Team},
}

// SubjectKinds are the kinds of unit that unit schemes assess by default (docs/assessment.md).
var SubjectKinds = defaultUnitKinds[scheme.Unit]

// defaultRoles are the roles of the people a person scheme assesses when it names none.
var defaultRoles = []access.Role{access.Staff}

// unitKinds returns the unit kinds a scheme's close assesses.
func unitKinds(sch *scheme.Scheme) []org.Kind {
	if len(sch.Subjects.Units) == 0 {
		return defaultUnitKinds[sch.Subject]
	}
	out := make([]org.Kind, len(sch.Subjects.Units))
	for i, k := range sch.Subjects.Units {
		out[i] = org.Kind(k)
	}
	return out
}

func roles(sch *scheme.Scheme) []access.Role {
	if len(sch.Subjects.Roles) == 0 {
		return defaultRoles
	}
	out := make([]access.Role, len(sch.Subjects.Roles))
	for i, r := range sch.Subjects.Roles {
		out[i] = access.Role(r)
	}
	return out
}

// Subjects returns a close's subjects under parent, in tree order:
//   - unit and team schemes: the active units of the scheme's kinds in the parent's subtree;
//   - unit-head schemes: those units, each with its head, the active person holding the
//     unit-head role over the unit itself (0 when there is none, so the result still shows);
//   - person schemes: the active people of the parent's subtree holding one of the scheme's
//     roles, by unit then name.
//
// people must carry their grants (org.ReadPeople and org.ListPeople read them).
func Subjects(sch *scheme.Scheme, tree *org.Tree, people []org.Person, parent int64) []Subject {
	var out []Subject
	if sch.Subject == scheme.Person {
		byUnit := map[int64][]org.Person{}
		want := roles(sch)
		for _, p := range people {
			if p.Active && holdsAny(p, want) {
				byUnit[p.UnitID] = append(byUnit[p.UnitID], p)
			}
		}
		for _, id := range tree.Subtree(parent) {
			u, _ := tree.Unit(id)
			if !u.Active {
				continue
			}
			for _, p := range byUnit[id] {
				out = append(out, Subject{UnitID: id, PersonID: p.ID})
			}
		}
		return out
	}
	kinds := unitKinds(sch)
	heads := map[int64]int64{}
	if sch.Subject == scheme.UnitHead {
		for _, p := range people {
			if !p.Active {
				continue
			}
			for _, g := range p.Grants {
				if g.Role != access.UnitHead {
					continue
				}
				u := g.UnitID
				if u == 0 {
					u = p.UnitID
				}
				if _, taken := heads[u]; !taken || u == p.UnitID {
					heads[u] = p.ID // the head working in the unit wins over one above it
				}
			}
		}
	}
	for _, id := range tree.Subtree(parent) {
		u, _ := tree.Unit(id)
		if u.Active && slices.Contains(kinds, u.Kind) {
			out = append(out, Subject{UnitID: id, PersonID: heads[id]})
		}
	}
	return out
}

func holdsAny(p org.Person, want []access.Role) bool {
	for _, g := range p.Grants {
		if slices.Contains(want, g.Role) {
			return true
		}
	}
	return false
}

// hasAnySubject reports whether a close under parent would have a subject for some scheme
// kind: a unit of an assessed kind below it, or staff below it.
func hasAnySubject(tree *org.Tree, people []org.Person, parent int64) bool {
	in := map[int64]bool{}
	for _, id := range tree.Subtree(parent) {
		u, _ := tree.Unit(id)
		if !u.Active {
			continue
		}
		in[id] = true
		if id != parent && (u.Kind == org.Area || u.Kind == org.Section || u.Kind == org.Department || u.Kind == org.Team) {
			return true
		}
	}
	for _, p := range people {
		if p.Active && in[p.UnitID] && holdsAny(p, defaultRoles) {
			return true
		}
	}
	return false
}
