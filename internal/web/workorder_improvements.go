package web

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/workorder"
)

type workorderImprovementsData struct {
	Tabs     []navItem
	Items    []workorder.Improvement
	Status   string
	Statuses []workorder.ImprovementStatus
	Today    string
	CanRaise bool
	Overdue  int
}

var improvementStatuses = []workorder.ImprovementStatus{workorder.ImprovementOpen, workorder.ImprovementDone, workorder.ImprovementReopened, workorder.ImprovementConfirmed}

// workorderImprovements is the improvement tracking table (改善项目跟踪管理表), printable.
func (s *Server) workorderImprovements(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	items, err := workorder.Improvements(r.Context(), s.db, principal(r), workorder.ImprovementFilter{Status: workorder.ImprovementStatus(status)})
	if err != nil {
		return err
	}
	p := principal(r)
	d := workorderImprovementsData{Tabs: workorderTabs(r), Items: items, Status: status, Statuses: improvementStatuses,
		Today: workorder.DayOf(s.db.Now()), CanRaise: p.Has(access.Clerk) || p.Has(access.Admin) || p.Has(access.Foreman)}
	for _, i := range items {
		if i.Overdue(d.Today) {
			d.Overdue++
		}
	}
	s.render(w, r, "workorder_improvements", http.StatusOK, d)
	return nil
}

type workorderImprovementData struct {
	Tabs      []navItem
	Item      workorder.Improvement
	New       bool
	In        workorder.ImprovementInput
	Teams     []org.Unit
	CanReport bool
	IsClerk   bool
	Today     string
	Error     string
	ErrField  string
}

func (s *Server) workorderImprovementNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderImprovementForm(w, r, http.StatusOK, workorder.ImprovementInput{}, "", "")
}

func (s *Server) renderImprovementForm(w http.ResponseWriter, r *http.Request, status int, in workorder.ImprovementInput, msg, field string) error {
	teams, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{Kind: org.Team})
	if err != nil {
		return err
	}
	s.render(w, r, "workorder_improvement", status, workorderImprovementData{Tabs: workorderTabs(r), New: true, In: in, Teams: teams, Error: msg, ErrField: field})
	return nil
}

func (s *Server) workorderImprovementCreate(w http.ResponseWriter, r *http.Request) error {
	team, _ := strconv.ParseInt(r.PostFormValue("team_id"), 10, 64)
	in := workorder.ImprovementInput{TeamID: team, Title: r.PostFormValue("item_title"), Problem: r.PostFormValue("item_problem"),
		Measures: r.PostFormValue("measures"), Owner: r.PostFormValue("item_owner"), DueOn: r.PostFormValue("item_due_on")}
	item, err := workorder.RaiseImprovement(r.Context(), s.db, principal(r), in)
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderImprovementForm(w, r, status, in, msg, field)
		})
	}
	s.redirect(w, r, "/workorders/improvements/"+itoa(item.ID), "wo.item_raised")
	return nil
}

func (s *Server) workorderImprovement(w http.ResponseWriter, r *http.Request) error {
	return s.renderImprovement(w, r, http.StatusOK, "", "")
}

func (s *Server) renderImprovement(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	item, err := workorder.GetImprovement(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	d := workorderImprovementData{Tabs: workorderTabs(r), Item: item, IsClerk: isClerk(p), Today: workorder.DayOf(s.db.Now()), Error: msg, ErrField: field,
		CanReport: item.Status != workorder.ImprovementConfirmed && (p.Has(access.Foreman) || isClerk(p))}
	s.render(w, r, "workorder_improvement", status, d)
	return nil
}

func (s *Server) workorderImprovementReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := workorder.ReportImprovement(r.Context(), s.db, principal(r), id, r.PostFormValue("item_progress")); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderImprovement(w, r, status, msg, field) })
	}
	s.redirect(w, r, "/workorders/improvements/"+itoa(id), "wo.item_reported")
	return nil
}

func (s *Server) workorderImprovementDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	confirm := r.PostFormValue("decision") == "confirm"
	if err := workorder.DecideImprovement(r.Context(), s.db, principal(r), id, confirm, r.PostFormValue("item_decision")); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderImprovement(w, r, status, msg, field) })
	}
	key := "wo.item_reopened_flash"
	if confirm {
		key = "wo.item_confirmed_flash"
	}
	s.redirect(w, r, "/workorders/improvements/"+itoa(id), key)
	return nil
}

// workorderFollowUpPrint is the dissatisfaction follow-up form (评价不满意回访表) on paper: the
// foreman takes it to the reporter, filled in as far as manyi knows it.
func (s *Server) workorderFollowUpPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := workorder.GetFollowUp(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, "workorder_followup_print", http.StatusOK, f)
	return nil
}
