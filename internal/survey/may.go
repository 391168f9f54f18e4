package survey

import "manyi/internal/access"

// clerkRoles run surveys over a unit: campaigns and their invitations, visits, paper entry,
// the checks of answers, the closing of follow-ups, improper cases; and the templates.
var clerkRoles = []access.Role{access.Clerk, access.Admin}

// handleRoles record a unit's follow-up of an opinion: its unit head, or a clerk over it.
var handleRoles = []access.Role{access.Clerk, access.Admin, access.UnitHead}

// MayManage reports whether p runs surveys for at least one unit (clerkRoles): pages offer the
// clerk's forms and the paper-entry tab only then, and each record is still checked over its
// unit.
func MayManage(p access.Principal) bool { return p.HasAny(clerkRoles...) }

// MayRecordFollowup reports whether p records follow-ups for at least one unit (handleRoles);
// RecordFollowup checks the follow-up's unit.
func MayRecordFollowup(p access.Principal) bool { return p.HasAny(handleRoles...) }
