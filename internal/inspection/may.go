package inspection

import "manyi/internal/access"

// The predicates below say what a principal may be offered. Pages use them to decide which
// tabs, buttons and forms to show, and the same rules guard the actions (Create checks
// fileRoles over the unit, SignOff signRoles, SaveChecklist clerkRoles), so a page never
// offers a form that answers 403.

// peopleReaders see the personal deductions of everyone in the units they read (PersonMonths);
// anyone else, a care worker, his own month only.
var peopleReaders = []access.Role{access.Admin, access.Clerk, access.UnitHead, access.Committee}

// MayFile reports whether p may file an inspection over at least one unit.
func MayFile(p access.Principal) bool { return p.HasAny(fileRoles...) }

// MaySign reports whether p may sign off person-charged findings over at least one unit.
func MaySign(p access.Principal) bool { return p.HasAny(signRoles...) }

// MayKeepChecklists reports whether p may change the checklists.
func MayKeepChecklists(p access.Principal) bool { return p.HasAny(clerkRoles...) }
