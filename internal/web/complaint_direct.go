package web

import (
	"net/http"
	"time"

	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/org"
)

// Direct deductions (主业直接扣分, docs/policies.md §3): the complaint desk's list of a quarter and the
// form to record one against a business department.

type directData struct {
	Quarter    string
	Rows       []complaint.DirectDeduction
	Units      []org.Unit
	In         complaint.DirectInput
	ComplaintS string
	CanAdd     bool
	Error      string
	ErrField   string
}

func (s *Server) directPage(w http.ResponseWriter, r *http.Request, status int, d directData) error {
	p := principal(r)
	months, err := inspection.QuarterMonths(d.Quarter)
	if err != nil {
		d.Quarter = inspection.QuarterOf(s.db.Now().In(timeZone).Format("2006-01"))
		months, _ = inspection.QuarterMonths(d.Quarter)
	}
	last, _ := time.ParseInLocation("2006-01", months[2], timeZone)
	if d.Rows, err = complaint.ListDirect(r.Context(), s.db, p, months[0]+"-01", last.AddDate(0, 1, -1).Format(time.DateOnly)); err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{Kind: org.Department})
	if err != nil {
		return err
	}
	d.Units, d.CanAdd = units, complaint.MayAddDirect(p)
	if d.In.Day == "" {
		d.In.Day = s.db.Now().In(timeZone).Format(time.DateOnly)
	}
	s.render(w, r, "complaint_direct", status, d)
	return nil
}

func (s *Server) complaintDirect(w http.ResponseWriter, r *http.Request) error {
	return s.directPage(w, r, http.StatusOK, directData{Quarter: r.URL.Query().Get("quarter")})
}

func (s *Server) complaintDirectAdd(w http.ResponseWriter, r *http.Request) error {
	in := complaint.DirectInput{Day: r.PostFormValue("direct_day"), Points: r.PostFormValue("direct_points"), Reason: r.PostFormValue("direct_reason")}
	d := directData{Quarter: r.PostFormValue("quarter"), ComplaintS: r.PostFormValue("complaint_id")}
	var err error
	if in.UnitID, err = formID(r, "unit_id"); err == nil {
		in.ComplaintID, err = formID(r, "complaint_id")
	}
	if err == nil {
		var dd complaint.DirectDeduction
		if dd, err = complaint.AddDirect(r.Context(), s.db, principal(r), in); err == nil {
			s.redirect(w, r, "/complaints/direct?quarter="+inspection.QuarterOf(dd.Day[:7]), "complaint.direct_added", dd.UnitName, dd.Points)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d.In, d.Error, d.ErrField = in, msg, field
		return s.directPage(w, r, status, d)
	})
}
