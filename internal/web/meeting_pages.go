package web

import (
	"net/http"
	"strconv"

	"manyi/internal/errs"
	"manyi/internal/improvement"
	"manyi/internal/meeting"
	"manyi/internal/org"
	"manyi/internal/store"
)

// The quarterly quality analysis meeting (docs/improvements.md): its agenda from the
// quarter's records, its minutes, remedies made improvement items, items verified.

func (s *Server) meetingRoutes() {
	m := s.mux
	m.HandleFunc("GET /meetings", s.page(s.meetingList))
	m.HandleFunc("POST /meetings", s.page(s.meetingOpen))
	m.HandleFunc("GET /meetings/{id}", s.page(s.meetingShow))
	m.HandleFunc("POST /meetings/{id}/findings", s.page(s.meetingAddFinding))
	m.HandleFunc("POST /meetings/{id}/verify", s.page(s.meetingVerify))
}

type meetingListData struct {
	Meetings []meeting.Meeting
	Orgs     []org.Unit
	Quarter  string
	CanRun   bool
	Error    string
	ErrField string
	Pager    pager
}

func (s *Server) meetingList(w http.ResponseWriter, r *http.Request) error {
	return s.renderMeetings(w, r, http.StatusOK, "", "")
}

func (s *Server) renderMeetings(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	p := principal(r)
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	ms, err := meeting.ListPage(r.Context(), s.db, p, pg)
	if err != nil {
		return err
	}
	ms, next, prev := store.Cut(ms, pg, meeting.PageKey)
	d := meetingListData{Meetings: ms, Pager: pageLinks(r, next, prev), Quarter: meeting.LastClosed(s.db.Now()).String(), CanRun: meeting.MayRun(p), Error: msg, ErrField: field}
	if d.CanRun {
		if d.Orgs, err = org.ListUnits(r.Context(), s.db, p, org.UnitFilter{Kind: org.Company}); err != nil {
			return err
		}
	}
	s.render(w, r, "meetings", status, d)
	return nil
}

func (s *Server) meetingOpen(w http.ResponseWriter, r *http.Request) error {
	orgID, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	m, err := meeting.Open(r.Context(), s.db, principal(r), meeting.Input{OrgID: orgID, Quarter: r.PostFormValue("quarter"),
		HeldOn: r.PostFormValue("held_on"), Attendees: r.PostFormValue("attendees")})
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderMeetings(w, r, status, msg, field) })
	}
	s.redirect(w, r, "/meetings/"+itoa(m.ID), "meet.saved_flash")
	return nil
}

type meetingData struct {
	M        meeting.Meeting
	Units    []org.Unit
	ToVerify []improvement.Item
	CanRun   bool
	Error    string
	ErrField string
}

func (s *Server) meetingShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderMeeting(w, r, http.StatusOK, "", "")
}

func (s *Server) renderMeeting(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	m, err := meeting.Get(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	d := meetingData{M: m, CanRun: meeting.MayRun(p), Error: msg, ErrField: field}
	if d.CanRun {
		if d.ToVerify, err = improvement.List(r.Context(), s.db, p, improvement.Filter{UnitID: m.OrgID, Status: improvement.Done}); err != nil {
			return err
		}
		if d.Units, err = org.ListUnits(r.Context(), s.db, p, org.UnitFilter{}); err != nil {
			return err
		}
	}
	s.render(w, r, "meeting", status, d)
	return nil
}

func (s *Server) meetingAddFinding(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	unit, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	_, err = meeting.AddFinding(r.Context(), s.db, principal(r), id, meeting.FindingInput{UnitID: unit, Problem: r.PostFormValue("meet_problem"),
		Cause: r.PostFormValue("meet_cause"), Remedy: r.PostFormValue("meet_remedy"), Owner: r.PostFormValue("item_owner"), DueOn: r.PostFormValue("item_due_on"),
		Raise: r.PostFormValue("raise") == "1", Title: r.PostFormValue("item_title")})
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderMeeting(w, r, status, msg, field) })
	}
	s.redirect(w, r, "/meetings/"+itoa(id), "meet.saved_flash")
	return nil
}

func (s *Server) meetingVerify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.New(errs.Malformed, "err.bad_form")
	}
	var items []int64
	for _, v := range r.PostForm["item_id"] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			items = append(items, n)
		}
	}
	if err := meeting.VerifyItems(r.Context(), s.db, principal(r), id, items); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderMeeting(w, r, status, msg, field) })
	}
	s.redirect(w, r, "/meetings/"+itoa(id), "meet.verified_flash")
	return nil
}
