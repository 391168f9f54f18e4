package web

import (
	"net/http"

	"manyi/internal/store"
	"manyi/internal/workorder"
)

type workorderFollowUpsData struct {
	Tabs          []navItem
	Month         string
	DueMonth      string
	FollowUps     []workorder.FollowUp
	CanSetMeeting bool
	Meeting       string
	Pager         pager
}

// workorderFollowUps lists a month's dissatisfaction follow-ups with the meeting they are due by.
func (s *Server) workorderFollowUps(w http.ResponseWriter, r *http.Request) error {
	month, err := s.monthOrDefault(r)
	if err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := workorder.FollowUpPage(r.Context(), s.db, principal(r), month, pg)
	if err != nil {
		return err
	}
	list, next, prev := store.Cut(list, pg, workorder.FollowUpKey)
	d := workorderFollowUpsData{Tabs: workorderTabs(r), Month: month, DueMonth: workorder.NextMonth(month), FollowUps: list,
		CanSetMeeting: workorder.MayHoldMeeting(principal(r)), Pager: pageLinks(r, next, prev)}
	if d.Meeting, err = workorder.Meeting(r.Context(), s.db, d.DueMonth); err != nil {
		return err
	}
	s.render(w, r, "workorder_followups", http.StatusOK, d)
	return nil
}

func (s *Server) workorderMeeting(w http.ResponseWriter, r *http.Request) error {
	month := r.PostFormValue("month")
	if err := workorder.SetMeeting(r.Context(), s.db, principal(r), month, r.PostFormValue("meeting_day")); err != nil {
		return err
	}
	s.redirect(w, r, "/workorders/followups?"+query("month", r.PostFormValue("back")), "wo.meeting_saved", month)
	return nil
}

type workorderFollowUpData struct {
	Tabs      []navItem
	F         workorder.FollowUp
	CanFile   bool
	CanDecide bool
	In        workorder.FollowUpInput
	Error     string
	ErrField  string
}

func (s *Server) workorderFollowUp(w http.ResponseWriter, r *http.Request) error {
	return s.renderFollowUp(w, r, http.StatusOK, nil, "", "")
}

func (s *Server) renderFollowUp(w http.ResponseWriter, r *http.Request, status int, in *workorder.FollowUpInput, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	f, err := workorder.GetFollowUp(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	d := workorderFollowUpData{Tabs: workorderTabs(r), F: f, CanFile: workorder.MayFileFollowUp(p) && f.Status != workorder.FollowUpConfirmed,
		CanDecide: workorder.MayHoldMeeting(p) && f.Status == workorder.FollowUpFiled,
		In:        workorder.FollowUpInput{VisitedOn: f.VisitedOn, Findings: f.Findings, Rectification: f.Rectification, Improvement: f.Order.Device + "：" + f.Order.Fault},
		Error:     msg, ErrField: field}
	if in != nil {
		d.In = *in
	}
	s.render(w, r, "workorder_followup", status, d)
	return nil
}

func (s *Server) workorderFollowUpFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := workorder.FollowUpInput{VisitedOn: r.PostFormValue("visited_on"), Findings: r.PostFormValue("findings"), Rectification: r.PostFormValue("rectification"),
		Improvement: r.PostFormValue("item_title")}
	if err := workorder.FileFollowUp(r.Context(), s.db, principal(r), id, in); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderFollowUp(w, r, status, &in, msg, field)
		})
	}
	s.redirect(w, r, "/workorders/followups/"+itoa(id), "wo.followup_filed")
	return nil
}

func (s *Server) workorderFollowUpDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	confirm := r.PostFormValue("decision") == "confirm"
	if err := workorder.DecideFollowUp(r.Context(), s.db, principal(r), id, confirm); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderFollowUp(w, r, status, nil, msg, field)
		})
	}
	key := "wo.followup_reopened"
	if confirm {
		key = "wo.followup_confirmed_flash"
	}
	s.redirect(w, r, "/workorders/followups/"+itoa(id), key)
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
