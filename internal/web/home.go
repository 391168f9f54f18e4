package web

import (
	"net/http"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/auth"
	"manyi/internal/complaint"
	"manyi/internal/improvement"
	"manyi/internal/inspection"
	"manyi/internal/store"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// homeCard is one thing a person has to do or watch today: a count and where to act on it.
type homeCard struct {
	Key   string // the title's message key
	Count int
	Href  string
	Alert bool   // late or about to be: shown first and in red
	Note  string // a translated detail line, optional
}

// homeSection groups a role's cards under the role's name.
type homeSection struct {
	Role  access.Role
	Cards []homeCard
}

type homeData struct {
	Sections []homeSection
	Today    string
}

// home shows each role the person holds what it must do today, with counts and links to the
// lists where it is done. A role's section asks only the areas that role can open, so no card
// leads to a page that refuses.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	now := s.db.Now()
	d := homeData{Today: now.In(timeZone).Format("2006-01-02")}
	for _, b := range homeBuilders {
		if !p.Has(b.role) {
			continue
		}
		cards, err := b.build(s, r, p, now)
		if err != nil {
			return err
		}
		if len(cards) > 0 {
			d.Sections = append(d.Sections, homeSection{Role: b.role, Cards: cards})
		}
	}
	s.render(w, r, "home", http.StatusOK, d)
	return nil
}

// homeBuilders are the sections in the order of the roles' weight.
var homeBuilders = []struct {
	role  access.Role
	build func(s *Server, r *http.Request, p access.Principal, now time.Time) ([]homeCard, error)
}{
	{access.Admin, (*Server).adminCards},
	{access.Clerk, (*Server).clerkCards},
	{access.Committee, (*Server).committeeCards},
	{access.UnitHead, (*Server).unitHeadCards},
	{access.Dispatcher, (*Server).callerCards},
	{access.Manager, (*Server).callerCards},
	{access.Foreman, (*Server).foremanCards},
	{access.Staff, (*Server).staffCards},
}

func (s *Server) adminCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	active, err := auth.CountActiveUsers(r.Context(), s.db, p)
	if err != nil {
		return nil, err
	}
	_, cal, err := s.slaContext(r)
	if err != nil {
		return nil, err
	}
	cards := []homeCard{{Key: "home.users", Count: active, Href: "/org/users"}}
	if y, missing := cal.NextYearMissing(now); missing {
		cards = append(cards, homeCard{Key: "home.calendar_missing", Count: y, Href: "/calendar", Alert: true})
	}
	schemes, err := assessment.ListSchemes(r.Context(), s.db)
	if err != nil {
		return nil, err
	}
	inactive := 0
	for _, v := range schemes {
		if !v.Active {
			inactive++
		}
	}
	return append(cards, homeCard{Key: "home.schemes_inactive", Count: inactive, Href: "/assessment/schemes"},
		homeCard{Key: "home.audit", Count: -1, Href: "/audit"}), nil
}

func (s *Server) clerkCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	ctx := r.Context()
	cards, err := s.complaintCards(r, p, now)
	if err != nil {
		return nil, err
	}
	overdue, err := inspection.CountFindings(ctx, s.db, p, inspection.Filter{Overdue: true})
	if err != nil {
		return nil, err
	}
	pending, err := inspection.CountFindings(ctx, s.db, p, inspection.Filter{Pending: true})
	if err != nil {
		return nil, err
	}
	cards = append(cards,
		homeCard{Key: "home.rectifications_overdue", Count: overdue.N, Href: "/inspections/findings?overdue=1", Alert: overdue.N > 0},
		homeCard{Key: "home.signoffs_pending", Count: pending.N, Href: "/inspections/findings?pending=1"})
	more, err := s.followupCards(r, p, now)
	if err != nil {
		return nil, err
	}
	cards = append(cards, more...)
	imports, err := workorder.ListImports(ctx, s.db, p)
	if err != nil {
		return nil, err
	}
	staged := 0
	for _, im := range imports {
		if im.Status == "staged" {
			staged++
		}
	}
	closes, err := assessment.NewEngine(s.db).ListCloses(ctx, p)
	if err != nil {
		return nil, err
	}
	drafts := 0
	for _, c := range closes {
		if c.Status == assessment.Draft && !c.Superseded {
			drafts++
		}
	}
	return append(cards,
		homeCard{Key: "home.closes_draft", Count: drafts, Href: "/assessment"},
		homeCard{Key: "home.imports_staged", Count: staged, Href: "/workorders/import"}), nil
}

// complaintCards counts the open complaints in the person's scope and their SLA clocks.
func (s *Server) complaintCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	pol, cal, err := s.slaContext(r)
	if err != nil {
		return nil, err
	}
	d, err := complaint.OpenDashboard(r.Context(), s.db, p, pol, cal, now)
	if err != nil {
		return nil, err
	}
	return []homeCard{
		{Key: "home.complaints_breached", Count: d.Late, Href: "/complaints?open=1", Alert: d.Late > 0},
		{Key: "home.complaints_due_soon", Count: d.Pressing, Href: "/complaints?open=1", Alert: d.Pressing > 0},
		{Key: "home.complaints_open", Count: d.Open, Href: "/complaints?open=1"},
	}, nil
}

// followupCards counts the survey follow-ups and improvement items that are late
// in the person's scope.
func (s *Server) followupCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	ctx := r.Context()
	late, err := survey.CountFollowups(ctx, s.db, p, survey.FollowupFilter{Overdue: true})
	if err != nil {
		return nil, err
	}
	overdueItems, err := improvement.Count(ctx, s.db, p, improvement.Filter{Overdue: workorder.DayOf(now)})
	if err != nil {
		return nil, err
	}
	return []homeCard{
		{Key: "home.survey_followups_overdue", Count: late, Href: "/surveys/followups?overdue=1", Alert: late > 0},
		{Key: "home.improvements_overdue", Count: overdueItems, Href: "/improvements?overdue=1", Alert: overdueItems > 0},
	}, nil
}

func (s *Server) committeeCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	closes, err := assessment.NewEngine(s.db).ListCloses(r.Context(), p)
	if err != nil {
		return nil, err
	}
	waiting := 0
	for _, c := range closes {
		if c.Status == assessment.Draft && !c.Superseded && len(c.MissingFacts) == 0 {
			waiting++
		}
	}
	return []homeCard{{Key: "home.closes_to_approve", Count: waiting, Href: "/assessment", Alert: waiting > 0}}, nil
}

func (s *Server) unitHeadCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	cards, err := s.complaintCards(r, p, now)
	if err != nil {
		return nil, err
	}
	more, err := s.followupCards(r, p, now)
	if err != nil {
		return nil, err
	}
	pending, err := inspection.CountFindings(r.Context(), s.db, p, inspection.Filter{Pending: true})
	if err != nil {
		return nil, err
	}
	return append(append(cards, more...),
		homeCard{Key: "home.signoffs_pending", Count: pending.N, Href: "/inspections/findings?pending=1", Alert: pending.N > 0}), nil
}

func (s *Server) callerCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	_, total, err := workorder.Queue(r.Context(), s.db, p, workorder.Callback, 1)
	if err != nil {
		return nil, err
	}
	return []homeCard{{Key: "home.callbacks_waiting", Count: total, Href: "/workorders/queue", Alert: total > 0}}, nil
}

func (s *Server) foremanCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	_, total, err := workorder.Queue(r.Context(), s.db, p, workorder.SelfEvaluation, 1)
	if err != nil {
		return nil, err
	}
	// A visit follows a callback of this month or, early in a month, of the last one.
	local := now.In(timeZone)
	first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, timeZone)
	visits, err := workorder.CountOpenFollowUps(r.Context(), s.db, p, first.AddDate(0, -1, 0).Format("2006-01"), first.Format("2006-01"))
	if err != nil {
		return nil, err
	}
	return []homeCard{
		{Key: "home.self_evaluations", Count: total, Href: "/workorders/self", Alert: total > 0},
		{Key: "home.followup_visits", Count: visits, Href: "/workorders/followups", Alert: visits > 0},
	}, nil
}

func (s *Server) staffCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	pg := store.Page{Limit: 100}
	notes, err := inspection.MyNotifications(r.Context(), s.db, p, pg)
	if err != nil {
		return nil, err
	}
	notes, _, _ = store.Cut(notes, pg, inspectionNoticeKey)
	month, fresh := now.In(timeZone).Format("2006-01"), 0
	for _, n := range notes {
		if n.CreatedAt.In(timeZone).Format("2006-01") == month {
			fresh++
		}
	}
	return []homeCard{
		{Key: "home.my_notices", Count: fresh, Href: "/inspections/notifications", Alert: fresh > 0},
		{Key: "home.my_scores", Count: -1, Href: "/workorders/monthly"},
	}, nil
}
