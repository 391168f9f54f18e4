// Package access defines who may do what: the roles of docs/design.md, their scope over the unit
// tree, and the Principal a request acts as. It holds no SQL: callers supply a unit's
// ancestry, so every rule here is a pure function.
package access

import "slices"

// Role is one of manyi's staff roles.
type Role string

const (
	Admin      Role = "admin"      // 系统管理员: users, roles, units, calendars, schemes
	Clerk      Role = "clerk"      // 质量管理员: inspections, surveys, complaints, period close
	Committee  Role = "committee"  // 质量管理委员会: approves results, reads everything
	UnitHead   Role = "unit_head"  // 单位负责人: own unit only
	Foreman    Role = "foreman"    // 工长: self-evaluations, follow-up visits
	Dispatcher Role = "dispatcher" // 调度: callback queue
	Manager    Role = "manager"    // 管理人员: callback queue (the 10 %)
	Staff      Role = "staff"      // 员工/维修人/护理员: own scores
)

// Roles lists every role in the order the UI shows them.
var Roles = []Role{Admin, Clerk, Committee, UnitHead, Foreman, Dispatcher, Manager, Staff}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Grant is a role held over a unit's subtree; UnitID 0 means the whole organisation.
type Grant struct {
	Role   Role  `json:"role"`
	UnitID int64 `json:"unit_id,omitempty"`
}

// Principal is who a request acts as.
type Principal struct {
	UserID   int64
	PersonID int64
	Username string
	Name     string
	Grants   []Grant
	// TokenID is the API token the request authenticated with, 0 for a session or the
	// program's own work: an Idempotency-Key belongs to one credential, so two scripts of one
	// user cannot replay each other's answers.
	TokenID int64
}

// System is the principal of work the program does on its own (demo loading, jobs).
var System = Principal{Username: "system", Name: "system", Grants: []Grant{{Role: Admin}}}

// DisplayName is how records name p as their author: the person's name, else the login, else
// "system" for the program's own work.
func (p Principal) DisplayName() string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Username != "":
		return p.Username
	}
	return "system"
}

// Login is how records name the account that acted (recorded_by, decided_by): the login, else
// "system".
func (p Principal) Login() string {
	if p.Username != "" {
		return p.Username
	}
	return "system"
}

// HasAny reports whether p holds one of roles anywhere.
func (p Principal) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// HoldsOver reports whether p holds one of roles over the unit whose ancestry is given (the
// unit's own id, then its parents'): through an organisation-wide grant or a grant on one of
// those units. Areas use it for rules that name roles ("the unit head of the unit concerned")
// rather than the generic actions of Can.
func (p Principal) HoldsOver(ancestry []int64, roles ...Role) bool {
	for _, g := range p.Grants {
		if !slices.Contains(roles, g.Role) {
			continue
		}
		if g.UnitID == 0 || slices.Contains(ancestry, g.UnitID) {
			return true
		}
	}
	return false
}

// Has reports whether p holds role anywhere.
func (p Principal) Has(role Role) bool {
	for _, g := range p.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

// Action is something a principal may want to do to a unit's records.
type Action int

const (
	// Read is seeing a unit and its records.
	Read Action = iota
	// ManageOrg is changing units, people, users and role grants.
	ManageOrg
	// ReadAudit is reading the audit log.
	ReadAudit
)

// rolesFor lists the roles that allow an action.
var rolesFor = map[Action][]Role{
	Read:      Roles,
	ManageOrg: {Admin},
	ReadAudit: {Admin},
}

// Can reports whether p may perform action on a unit whose ancestry (the unit's own id first,
// then its parent, up to the root) is given. An empty ancestry means "organisation-wide":
// only grants over the whole organisation allow it.
func (p Principal) Can(action Action, ancestry []int64) bool {
	for _, g := range p.Grants {
		if !allows(action, g.Role) {
			continue
		}
		if g.UnitID == 0 {
			return true
		}
		for _, id := range ancestry {
			if id == g.UnitID {
				return true
			}
		}
	}
	return false
}

// CanAnywhere reports whether p may perform action on at least some unit; pages use it to
// decide what to offer, while every record is still checked with Can.
func (p Principal) CanAnywhere(action Action) bool {
	for _, g := range p.Grants {
		if allows(action, g.Role) {
			return true
		}
	}
	return false
}

// ScopeRoots returns the roots of the subtrees where p may perform action, and whether one of
// them is the whole organisation (then the roots do not matter). List queries use them to
// filter rows instead of loading everything and filtering in Go.
func (p Principal) ScopeRoots(action Action) (roots []int64, everything bool) {
	for _, g := range p.Grants {
		if !allows(action, g.Role) {
			continue
		}
		if g.UnitID == 0 {
			return nil, true
		}
		roots = append(roots, g.UnitID)
	}
	return roots, false
}

func allows(action Action, role Role) bool {
	for _, r := range rolesFor[action] {
		if r == role {
			return true
		}
	}
	return false
}
