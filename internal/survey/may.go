package survey

import "manyi/internal/access"

// entryRoles type returned paper questionnaires: a quality clerk or the administrator over the
// invitation's unit (paperTarget checks it for each code).
var entryRoles = []access.Role{access.Clerk, access.Admin}

// MayEnterPaper reports whether p may type paper questionnaires for at least one unit: pages
// offer the paper-entry tab and form only then, and the entry page refuses anyone else.
func MayEnterPaper(p access.Principal) bool { return p.HasAny(entryRoles...) }
