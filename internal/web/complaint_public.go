package web

import (
	"net/http"

	"manyi/internal/complaint"
)

func (s *Server) publicComplaintForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplaintForm(w, r, http.StatusOK, complaintFormData{Public: true, In: complaint.Input{Category: complaint.Process}, Idem: newIdemKey()})
}

// publicComplaintCreate stores a resident's complaint. The form carries an idempotency key:
// a double click or a reload of the POST shows the first complaint's codes again instead of
// storing a second complaint.
func (s *Server) publicComplaintCreate(w http.ResponseWriter, r *http.Request) error {
	in, _, err := complaintFromForm(r, w)
	idem := r.PostFormValue("idem")
	if err == nil {
		var c complaint.Complaint
		sender := complaint.Sender{ClientKey: s.clientKey(r), Limit: s.cfg.Limits.ComplaintsPerHour, IdemKey: idem}
		if c, err = complaint.RegisterPublic(r.Context(), s.db, in, sender); err == nil {
			s.render(w, r, "complaint_public_done", http.StatusCreated, map[string]any{"Code": c.TrackingCode, "ResponseCode": c.ResponseCode})
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderComplaintForm(w, r, status, complaintFormData{Public: true, In: in, Idem: idem, Error: msg, ErrField: field})
	})
}

type trackData struct {
	Code     string
	View     *complaint.PublicView
	Error    string
	ErrField string
	Answered bool
}

// publicTrack shows one complaint's progress by its tracking code, and nothing else.
func (s *Server) publicTrack(w http.ResponseWriter, r *http.Request) error {
	code := r.URL.Query().Get("code")
	d := trackData{Code: code, Answered: r.URL.Query().Get("answered") == "1"}
	if code != "" {
		v, err := complaint.Track(r.Context(), s.db, code)
		if err != nil {
			return s.formError(w, r, err, func(status int, msg, field string) error {
				d.Error, d.ErrField = msg, field
				s.render(w, r, "complaint_track", status, d)
				return nil
			})
		}
		d.View, d.Code = &v, v.TrackingCode
	}
	s.render(w, r, "complaint_track", http.StatusOK, d)
	return nil
}

func (s *Server) publicRespond(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	code := r.PostFormValue("code")
	err := complaint.Respond(r.Context(), s.db, code, r.PostFormValue("response_code"), r.PostFormValue("satisfied") == "1", r.PostFormValue("text"))
	if err == nil {
		http.Redirect(w, r, "/track?answered=1&code="+urlQueryEscape(complaint.NormalizeTrackingCode(code)), http.StatusSeeOther)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d := trackData{Code: code, Error: msg, ErrField: field}
		if v, err := complaint.Track(r.Context(), s.db, code); err == nil {
			d.View = &v
		}
		s.render(w, r, "complaint_track", status, d)
		return nil
	})
}
