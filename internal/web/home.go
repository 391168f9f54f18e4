package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/auth"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/inspection"
	"manyi/internal/jobs"
	"manyi/internal/locale"
	"manyi/internal/store"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// homeCard is one thing a person has to do or watch today: a count and where to act on it.
type homeCard struct {
	Key   string // the title's message key, and the card's name in the page
	Title string // the title itself when it is not a fixed message (a scheme's name)
	Count int    // -1: the card shows no count
	Value string // shown in the count's place: a score, an amount, a state
	Href  string
	Alert bool          // late or about to be: shown in red
	Note  string        // a translated detail line, optional
	Trend template.HTML // a small line of the last periods, optional
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
	lang := locale.FromContext(r.Context())
	cards := []homeCard{{Key: "home.users", Count: active, Href: "/org/users"}}
	if y, missing := cal.NextYearMissing(now); missing {
		cards = append(cards, homeCard{Key: "home.calendar_missing", Title: locale.T(lang, "home.calendar_missing", y), Count: -1, Href: "/calendar", Alert: true})
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
	chain, err := s.auditCard(r)
	if err != nil {
		return nil, err
	}
	return append(cards, homeCard{Key: "home.schemes_inactive", Count: inactive, Href: "/assessment/schemes"}, chain), nil
}

// auditCard shows the audit chain as the last nightly check found it: a broken chain, or no
// check on record (no job runner), is the administrator's to look into.
func (s *Server) auditCard(r *http.Request) (homeCard, error) {
	lang := locale.FromContext(r.Context())
	card := homeCard{Key: "home.audit_chain", Count: -1, Href: "/audit"}
	check, ok, err := jobs.LastAuditCheck(r.Context(), s.db)
	switch {
	case err != nil:
		return card, err
	case !ok:
		card.Value, card.Note, card.Alert = locale.T(lang, "home.audit_unchecked"), locale.T(lang, "home.audit_unchecked_note"), true
	case !check.Intact:
		card.Value, card.Note, card.Alert = locale.T(lang, "home.audit_broken"), locale.T(lang, "home.audit_broken_at", check.BrokenAt), true
	default:
		card.Value = locale.T(lang, "home.audit_intact")
		card.Note = locale.T(lang, "home.audit_checked", check.At.In(timeZone).Format("2006-01-02 15:04"), check.Checked, check.Unsealed)
	}
	return card, nil
}

func (s *Server) clerkCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	ctx := r.Context()
	cards, err := s.complaintCards(r, p, now)
	if err != nil {
		return nil, err
	}
	backlog, err := workorder.CallbackBacklog(ctx, s.db, p)
	if err != nil {
		return nil, err
	}
	daily := "/workorders/daily"
	if backlog.OldestDay != "" {
		daily += "?" + query("day", backlog.OldestDay)
	}
	cards = append(cards, homeCard{Key: "home.callbacks_overdue", Count: backlog.Overdue, Href: daily, Alert: backlog.Overdue > 0})
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
	cards := []homeCard{{Key: "home.closes_to_approve", Count: waiting, Href: "/assessment", Alert: waiting > 0}}
	year := now.In(timeZone).Year()
	b, _, err := assessment.YearBudget(r.Context(), s.db, assessment.BudgetScheme, year)
	switch {
	case errs.Is(err, errs.Invalid), err == nil && b == nil:
		return cards, nil // no active version of the scheme, or no budget rule in it: nothing to watch
	case err != nil:
		return nil, err
	}
	lang := locale.FromContext(r.Context())
	return append(cards, homeCard{Key: "home.budget", Title: locale.T(lang, "home.budget", year), Count: -1,
		Value: "¥" + b.Remaining.String(), Href: "/assessment/ledger", Alert: b.Remaining.Sign() < 0,
		Note: locale.T(lang, "home.budget_note", b.Limit.String(), b.Rewards.String(), b.Expenses.String())}), nil
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
	cards = append(append(cards, more...),
		homeCard{Key: "home.signoffs_pending", Count: pending.N, Href: "/inspections/findings?pending=1", Alert: pending.N > 0})
	for _, g := range p.Grants {
		if g.Role != access.UnitHead || g.UnitID == 0 {
			continue
		}
		trend, err := s.trendCards(r, p, assessment.Subject{UnitID: g.UnitID})
		if err != nil {
			return nil, err
		}
		cards = append(cards, trend...)
	}
	return cards, nil
}

// trendPeriods is how many closed periods a trend card draws: a year of months.
const trendPeriods = 12

// trendCards shows a subject's own closed results, a card per scheme: the latest score with
// its period and grade, a line of the periods before it, and a link to the latest result's
// records. A subject with no closed period yet gets no card.
func (s *Server) trendCards(r *http.Request, p access.Principal, sub assessment.Subject) ([]homeCard, error) {
	trends, err := assessment.Trend(r.Context(), s.db, p, sub, trendPeriods)
	if err != nil || len(trends) == 0 {
		return nil, err
	}
	versions, err := assessment.ListSchemes(r.Context(), s.db)
	if err != nil {
		return nil, err
	}
	lang := locale.FromContext(r.Context())
	names := map[string]string{}
	for _, v := range versions {
		if _, ok := names[v.Code]; !ok || v.Active {
			names[v.Code] = v.Name.In(lang)
		}
	}
	codes := slices.Sorted(maps.Keys(trends))
	var cards []homeCard
	for _, code := range codes {
		pts := trends[code]
		last := pts[len(pts)-1]
		card := homeCard{Key: "home.trend", Title: names[code], Count: -1,
			Href: fmt.Sprintf("/assessment/closes/%d/units/%d", last.CloseID, last.UnitID)}
		if last.PersonID != 0 {
			card.Href += "?" + query("person", itoa(last.PersonID))
		}
		if last.Total != nil {
			card.Value = last.Total.String()
		} else {
			card.Value = locale.T(lang, "assessment.result."+string(last.Status))
		}
		card.Note = last.Period
		if last.Grade != nil {
			card.Note += " · " + last.Grade.Name.In(lang)
		}
		card.Trend = sparkline(pts)
		cards = append(cards, card)
	}
	return cards, nil
}

// sparkline draws the scored periods' totals as a small line, oldest at the left, each point
// titled with its period and total; nothing for fewer than two scored periods.
func sparkline(pts []assessment.TrendPoint) template.HTML {
	type point struct {
		period string
		total  float64
	}
	var scored []point
	for _, p := range pts {
		if p.Total == nil {
			continue
		}
		if v, err := strconv.ParseFloat(p.Total.String(), 64); err == nil {
			scored = append(scored, point{p.Period, v})
		}
	}
	if len(scored) < 2 {
		return ""
	}
	const w, h, pad = 200.0, 40.0, 4.0
	lo, hi := scored[0].total, scored[0].total
	for _, p := range scored {
		lo, hi = min(lo, p.total), max(hi, p.total)
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	var line, dots strings.Builder
	for i, p := range scored {
		x := pad + (w-2*pad)*float64(i)/float64(len(scored)-1)
		y := pad + (h-2*pad)*(hi-p.total)/(hi-lo)
		fmt.Fprintf(&line, "%.1f,%.1f ", x, y)
		fmt.Fprintf(&dots, `<circle cx="%.1f" cy="%.1f" r="2.5"><title>%s: %s</title></circle>`, x, y,
			template.HTMLEscapeString(p.period), strconv.FormatFloat(p.total, 'f', -1, 64))
	}
	return template.HTML(fmt.Sprintf(`<svg class="spark" viewBox="0 0 %.0f %.0f" role="img" aria-label="%d"><polyline points="%s"/>%s</svg>`,
		w, h, len(scored), strings.TrimSpace(line.String()), dots.String()))
}

func (s *Server) callerCards(r *http.Request, p access.Principal, now time.Time) ([]homeCard, error) {
	_, total, err := workorder.Queue(r.Context(), s.db, p, workorder.Callback, 1)
	if err != nil {
		return nil, err
	}
	done, err := workorder.CallsToday(r.Context(), s.db, p)
	if err != nil {
		return nil, err
	}
	return []homeCard{
		{Key: "home.callbacks_waiting", Count: total, Href: "/workorders/queue", Alert: total > 0},
		{Key: "home.calls_today", Count: done, Href: "/workorders/queue"},
	}, nil
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
	cards := []homeCard{{Key: "home.my_notices", Count: fresh, Href: "/inspections/notifications", Alert: fresh > 0}}
	var trend []homeCard
	if p.PersonID != 0 {
		if trend, err = s.trendCards(r, p, assessment.Subject{PersonID: p.PersonID}); err != nil {
			return nil, err
		}
	}
	if len(trend) == 0 {
		return append(cards, homeCard{Key: "home.my_scores", Count: -1, Href: "/workorders/monthly"}), nil
	}
	return append(cards, trend...), nil
}
