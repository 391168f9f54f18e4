package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"

	"manyi/internal/complaint"
)

// clientKey identifies the sender of a public form for rate limiting without storing the
// address itself. The direct peer is used: X-Forwarded-For can be forged by anyone.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	sum := sha256.Sum256([]byte("manyi-complaint-client:" + host))
	return hex.EncodeToString(sum[:16])
}

func (s *Server) publicComplaintForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplaintForm(w, r, http.StatusOK, complaintFormData{Public: true, In: complaint.Input{Category: complaint.Process}})
}

func (s *Server) publicComplaintCreate(w http.ResponseWriter, r *http.Request) error {
	in, _, err := complaintFromForm(r, w)
	if err == nil {
		var c complaint.Complaint
		if c, err = complaint.RegisterPublic(r.Context(), s.db, in, clientKey(r)); err == nil {
			s.render(w, r, "complaint_public_done", http.StatusCreated, map[string]any{"Code": c.TrackingCode})
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderComplaintForm(w, r, status, complaintFormData{Public: true, In: in, Error: msg, ErrField: field})
	})
}

type trackData struct {
	Code     string
	View     *complaint.PublicView
	Error    string
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
				d.Error = msg
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
	err := complaint.Respond(r.Context(), s.db, code, r.PostFormValue("satisfied") == "1", r.PostFormValue("text"))
	if err == nil {
		http.Redirect(w, r, "/track?answered=1&code="+urlQueryEscape(complaint.NormalizeTrackingCode(code)), http.StatusSeeOther)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d := trackData{Code: code, Error: msg}
		if v, err := complaint.Track(r.Context(), s.db, code); err == nil {
			d.View = &v
		}
		s.render(w, r, "complaint_track", status, d)
		return nil
	})
}
