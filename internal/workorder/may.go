package workorder

import "manyi/internal/access"

// Who may do what in the work-order area. Pages ask these rules what to offer; the area's
// functions ask the same rules, and check each record over its team besides.

// clerkRoles run the area for the Quality Department: the daily draw, the fault analysis
// meeting, the duty roster, and any correction of a saved evaluation.
var clerkRoles = []access.Role{access.Admin, access.Clerk}

// callerRoles make the callbacks: the dispatch room and the managers (the 10 %).
var callerRoles = []access.Role{access.Dispatcher, access.Manager}

// MayDraw reports whether p may run a day's draw of evaluation tasks (Generate).
func MayDraw(p access.Principal) bool { return p.HasAny(clerkRoles...) }

// MayHoldMeeting reports whether p keeps the fault analysis meeting (故障分析会): sets the day
// it meets (SetMeeting) and records its decision on each filed follow-up (DecideFollowUp).
func MayHoldMeeting(p access.Principal) bool { return p.HasAny(clerkRoles...) }

// MayKeepRoster reports whether p may change the duty roster (SetRoster).
func MayKeepRoster(p access.Principal) bool { return p.HasAny(clerkRoles...) }

// MayCall reports whether p makes callbacks: the callback queue is theirs, and they are the
// people on the duty roster.
func MayCall(p access.Principal) bool { return p.HasAny(callerRoles...) }

// MayEvaluateSelf reports whether p rates the teams' own work (the self-evaluation queue): a
// foreman, of the teams under his grant.
func MayEvaluateSelf(p access.Principal) bool { return p.Has(access.Foreman) }

// MayFileFollowUp reports whether p files dissatisfaction follow-ups somewhere: a foreman;
// FileFollowUp checks that he holds the follow-up's team.
func MayFileFollowUp(p access.Principal) bool { return p.Has(access.Foreman) }

// MayRevise reports whether p may change k's saved result by a new version: a clerk or an
// administrator; the caller a callback is assigned to; a foreman for a self-evaluation
// (Revise checks that he holds the order's team). Never the maintainer who is rated.
func MayRevise(p access.Principal, k Task) bool {
	switch {
	case p.PersonID != 0 && p.PersonID == k.Order.MaintainerID:
		return false
	case p.HasAny(clerkRoles...):
		return true
	case k.Kind == Callback:
		return p.PersonID != 0 && p.PersonID == k.AssigneeID
	}
	return MayEvaluateSelf(p)
}
