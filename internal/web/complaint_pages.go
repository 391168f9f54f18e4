package web

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/calendar"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/meeting"
	"manyi/internal/org"
	"manyi/internal/store"
)

// complaintRoutes lists the complaint desk's pages, staff and public.
func (s *Server) complaintRoutes() {
	m := s.mux
	m.HandleFunc("GET /complaints", s.page(s.complaintList))
	m.HandleFunc("GET /complaints/new", s.page(s.complaintNew))
	m.HandleFunc("POST /complaints", s.page(s.complaintCreate))
	m.HandleFunc("GET /complaints/stats", s.page(s.complaintStats))
	m.HandleFunc("GET /complaints/direct", s.page(s.complaintDirect))
	m.HandleFunc("POST /complaints/direct", s.page(s.complaintDirectAdd))
	m.HandleFunc("GET /complaints/notifications", s.page(s.complaintNotifications))
	m.HandleFunc("GET /complaints/settings", s.page(s.complaintSettings))
	m.HandleFunc("POST /complaints/settings", s.page(s.complaintSettingsSave))
	m.HandleFunc("GET /complaints/{id}", s.page(s.complaintShow))
	m.HandleFunc("POST /complaints/{id}/act", s.page(s.complaintAct))
	m.HandleFunc("GET /complaints/{id}/attachments/{aid}", s.page(s.complaintAttachment))

	m.HandleFunc("GET /complain", s.limited(s.complaintLimiter, "complaint.rate_limited_minute", s.publicComplaintForm))
	m.HandleFunc("POST /complain", s.limited(s.complaintLimiter, "complaint.rate_limited_minute", s.publicComplaintCreate))
	m.HandleFunc("GET /track", s.limited(s.trackLimiter, "complaint.track_rate_limited", s.publicTrack))
	m.HandleFunc("POST /track/respond", s.limited(s.trackLimiter, "complaint.track_rate_limited", s.publicRespond))

	m.HandleFunc("GET /calendar", s.page(s.calendarShow))
	m.HandleFunc("GET /calendar/export.csv", s.page(s.calendarExport))
	m.HandleFunc("POST /calendar/days", s.page(s.calendarSetDay))
	m.HandleFunc("POST /calendar/days/delete", s.page(s.calendarDeleteDay))
	m.HandleFunc("POST /calendar/hours", s.page(s.calendarSetHours))
	m.HandleFunc("POST /calendar/import", s.page(s.calendarImport))
}

// complaintRow is a complaint with its clocks, for lists and the detail page.
type complaintRow = complaint.Clocked

// slaContext loads what clocks need: the policy and the calendar.
func (s *Server) slaContext(r *http.Request) (complaint.Policy, *calendar.Calendar, error) {
	return complaint.LoadSLA(r.Context(), s.db)
}

type complaintListData struct {
	Rows        []complaintRow
	Total       int
	Units       []org.Unit
	F           complaint.Filter
	Month       string
	Pager       pager
	Dashboard   complaint.Dashboard
	CanRegister bool
	IsAdmin     bool
	YearMissing int
	Statuses    []complaint.Status
	Classes     []complaint.Class
}

// filterFromQuery reads the complaint filters of the query; month is a month, a quarter or a
// year, defMonth when absent.
func filterFromQuery(r *http.Request, defMonth string) (complaint.Filter, string, error) {
	q := r.URL.Query()
	f := complaint.Filter{Status: complaint.Status(q.Get("status")), Channel: complaint.Channel(q.Get("channel")),
		Category: complaint.Category(q.Get("category")), Class: complaint.Class(q.Get("class")), Open: q.Get("open") == "1"}
	var err error
	if f.UnitID, err = idParam(r, "unit"); err != nil {
		return f, "", err
	}
	if f.SameContactAs, err = idParam(r, "same_contact"); err != nil {
		return f, "", err
	}
	month, err := periodParamOr(r, "month", complaintPeriod, defMonth)
	if err != nil {
		return f, "", err
	}
	if t, err := time.ParseInLocation("2006-01", month, timeZone); err == nil {
		f.From, f.To = t.UTC(), t.AddDate(0, 1, 0).UTC()
	} else if q, err := meeting.ParseQuarter("month", month); err == nil {
		f.From, f.To = q.Start().UTC(), q.End().UTC()
	} else if t, err := time.ParseInLocation("2006", month, timeZone); err == nil {
		f.From, f.To = t.UTC(), t.AddDate(1, 0, 0).UTC()
	}
	return f, month, nil
}

func (s *Server) complaintList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	ctx := r.Context()
	f, month, err := filterFromQuery(r, "")
	if err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	list, total, err := complaint.List(ctx, s.db, p, f)
	if err != nil {
		return err
	}
	list, next, prev := store.Cut(list, pg, func(c complaint.Complaint) store.Key { return store.Key{At: c.ReceivedAt, ID: c.ID} })
	pol, cal, err := s.slaContext(r)
	if err != nil {
		return err
	}
	now := s.db.Now()
	d := complaintListData{Rows: complaint.WithClocks(list, pol, cal, now), Total: total, F: f, Month: month,
		Statuses: complaint.Statuses, Classes: append([]complaint.Class{complaint.Unclassified}, complaint.Classes...),
		CanRegister: complaint.MayRegister(p), IsAdmin: p.CanAnywhere(access.ManageOrg)}
	if y, missing := cal.NextYearMissing(now); missing {
		d.YearMissing = y
	}
	if d.Dashboard, err = complaint.SLAState(ctx, s.db, p, pol, cal); err != nil {
		return err
	}
	if d.Units, err = org.ListUnits(ctx, s.db, p, org.UnitFilter{}); err != nil {
		return err
	}
	d.Pager = pageLinks(r, next, prev)
	s.render(w, r, "complaint_list", http.StatusOK, d)
	return nil
}

type complaintFormData struct {
	In         complaint.Input
	Received   string
	Units      []org.Unit
	Channels   []complaint.Channel
	Categories []complaint.Category
	Error      string
	ErrField   string
	Public     bool
	Idem       string // the public form's idempotency key
}

func (s *Server) renderComplaintForm(w http.ResponseWriter, r *http.Request, status int, d complaintFormData) error {
	actor, filter := principal(r), org.UnitFilter{}
	if d.Public {
		// Residents see only the units that serve them (the flag on the unit).
		actor, filter.ServesPublic = access.System, true
	}
	units, err := org.ListUnits(r.Context(), s.db, actor, filter)
	if err != nil {
		return err
	}
	d.Units, d.Channels, d.Categories = units, complaint.Channels, complaint.Categories
	name := "complaint_new"
	if d.Public {
		name = "complaint_public_form"
	}
	s.render(w, r, name, status, d)
	return nil
}

func (s *Server) complaintNew(w http.ResponseWriter, r *http.Request) error {
	if !complaint.MayRegister(principal(r)) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	return s.renderComplaintForm(w, r, http.StatusOK, complaintFormData{In: complaint.Input{Channel: complaint.Phone},
		Received: s.db.Now().In(timeZone).Format("2006-01-02T15:04")})
}

// maxUploadBytes bounds a complaint form with its attachments.
const maxUploadBytes = complaint.MaxAttachments*complaint.MaxAttachmentBytes + 1<<20

// complaintFromForm reads the registration form, attachments included.
func complaintFromForm(r *http.Request, w http.ResponseWriter) (complaint.Input, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	var in complaint.Input
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return in, "", errs.Field("attachments", "complaint.file_too_large", "", complaint.MaxAttachmentBytes>>20)
		}
	}
	in.Channel = complaint.Channel(r.PostFormValue("channel"))
	in.Category = complaint.Category(r.PostFormValue("category"))
	in.Complainant = r.PostFormValue("complainant")
	in.Contact = r.PostFormValue("contact")
	in.Description = r.PostFormValue("description")
	in.SourceRef = r.PostFormValue("source_ref")
	received := r.PostFormValue("received_at")
	var err error
	if in.UnitID, err = formID(r, "unit_id"); err != nil {
		return in, received, err
	}
	if received != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", received, timeZone)
		if err != nil {
			return in, received, errs.Field("received_at", "calendar.date_invalid", received)
		}
		in.ReceivedAt = t
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["attachments"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue
			}
			up, err := readUpload(fh)
			if err != nil {
				return in, received, err
			}
			in.Attachments = append(in.Attachments, up)
		}
	}
	return in, received, nil
}

func readUpload(fh *multipart.FileHeader) (complaint.Upload, error) {
	if fh.Size > complaint.MaxAttachmentBytes {
		return complaint.Upload{}, errs.Field("attachments", "complaint.file_too_large", fh.Filename, complaint.MaxAttachmentBytes>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return complaint.Upload{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, complaint.MaxAttachmentBytes+1))
	if err != nil {
		return complaint.Upload{}, err
	}
	return complaint.Upload{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data}, nil
}

func (s *Server) complaintCreate(w http.ResponseWriter, r *http.Request) error {
	if !complaint.MayRegister(principal(r)) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	in, received, err := complaintFromForm(r, w)
	if err == nil {
		var c complaint.Complaint
		if c, err = complaint.Register(r.Context(), s.db, principal(r), in); err == nil {
			// The response code is shown this once, for the desk to pass on to the caller; it
			// is stored only hashed and never shown to staff again.
			s.redirect(w, r, "/complaints/"+itoa(c.ID), "complaint.created_with_response", c.TrackingCode, c.ResponseCode)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderComplaintForm(w, r, status, complaintFormData{In: in, Received: received, Error: msg, ErrField: field})
	})
}

type complaintShowData struct {
	complaint.Detail
	ReplyClk, SolutionClk complaint.Clock
	Classes               []complaint.Class
	Units                 []org.Unit
	Error                 string
	ErrField              string
}

func (s *Server) complaintShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplaintShow(w, r, http.StatusOK, "", "")
}

func (s *Server) renderComplaintShow(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := complaint.Show(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	pol, cal, err := s.slaContext(r)
	if err != nil {
		return err
	}
	now := s.db.Now()
	data := complaintShowData{Detail: d, ReplyClk: complaint.ReplyClock(&d.Complaint, pol, now), SolutionClk: complaint.SolutionClock(&d.Complaint, pol, cal, now),
		Classes: complaint.Classes, Error: msg, ErrField: field}
	if d.CanClassify {
		if data.Units, err = org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{}); err != nil {
			return err
		}
	}
	s.render(w, r, "complaint_show", status, data)
	return nil
}

func (s *Server) complaintAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	a := complaint.Action{Verb: complaint.Verb(r.PostFormValue("verb")), Text: r.PostFormValue("text"), Class: complaint.Class(r.PostFormValue("classification"))}
	if a.UnitID, err = formID(r, "unit_id"); err == nil {
		_, err = complaint.Act(r.Context(), s.db, principal(r), id, a)
	}
	if err == nil {
		s.redirect(w, r, "/complaints/"+itoa(id), "complaint.done", locale.T(locale.FromContext(r.Context()), "verb."+string(a.Verb)))
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderComplaintShow(w, r, status, msg, field)
	})
}

func (s *Server) complaintAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	aid, err := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	if err != nil {
		return errs.New(errs.NotFound, "err.invalid_id", r.PathValue("aid"))
	}
	a, data, err := complaint.AttachmentData(r.Context(), s.db, principal(r), id, aid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	// Served as a download under a sandboxing CSP, so a crafted file cannot run in our origin.
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(a.Name))
	w.Write(data)
	return nil
}

type complaintStatsData struct {
	complaint.Stats
	Month  string
	Units  []org.Unit
	F      complaint.Filter
	Tables []statsTable
}

// statsTable is one breakdown: its title, the column heading, the list filter its rows
// drill down to, and the message prefix that names its keys.
type statsTable struct {
	Title, Head, Param, Prefix string
	Rows                       []complaint.Row
}

func (s *Server) complaintStats(w http.ResponseWriter, r *http.Request) error {
	f, month, err := filterFromQuery(r, s.db.Now().In(timeZone).Format("2006"))
	if err != nil {
		return err
	}
	st, err := complaint.Statistics(r.Context(), s.db, principal(r), f, timeZone)
	if err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{})
	if err != nil {
		return err
	}
	s.render(w, r, "complaint_stats", http.StatusOK, complaintStatsData{Stats: st, Month: month, Units: units, F: f, Tables: []statsTable{
		{"complaint.by_unit", "complaint.unit", "unit", "", st.ByUnit},
		{"complaint.by_channel", "field.channel", "channel", "channel.", st.ByChannel},
		{"complaint.by_category", "field.category", "category", "category.", st.ByCategory},
		{"complaint.by_month", "complaint.month", "month", "", st.ByMonth},
	}})
	return nil
}

func (s *Server) complaintNotifications(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	ns, err := complaint.Notifications(r.Context(), s.db, principal(r), pg)
	if err != nil {
		return err
	}
	ns, next, prev := store.Cut(ns, pg, func(n complaint.Notification) store.Key { return store.Key{ID: n.ID} })
	s.render(w, r, "complaint_notifications", http.StatusOK, map[string]any{"Notifications": ns, "Pager": pageLinks(r, next, prev)})
	return nil
}

type complaintSettingsData struct {
	Policy   complaint.Policy
	Remind   string
	Error    string
	ErrField string
}

func (s *Server) complaintSettings(w http.ResponseWriter, r *http.Request) error {
	if !principal(r).Can(access.ManageOrg, nil) {
		return errs.New(errs.Forbidden, "complaint.policy_admin_only")
	}
	pol, _, err := s.slaContext(r)
	if err != nil {
		return err
	}
	s.render(w, r, "complaint_settings", http.StatusOK, complaintSettingsData{Policy: pol, Remind: strconv.FormatFloat(pol.RemindBefore.Hours(), 'f', -1, 64)})
	return nil
}

func (s *Server) complaintSettingsSave(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	var pol complaint.Policy
	var err error
	remind := r.PostFormValue("remind_before")
	pol.RestartOnReassign = r.PostFormValue("restart_on_reassign") == "1"
	reply, err1 := formInt(r, "reply_hours")
	days, err2 := formInt(r, "solution_days")
	hours, err3 := strconv.ParseFloat(strings.TrimSpace(remind), 64)
	switch {
	case err1 != nil:
		err = err1
	case err2 != nil:
		err = err2
	case reply == nil:
		err = errs.Required("reply_hours")
	case days == nil:
		err = errs.Required("solution_days")
	case err3 != nil:
		err = errs.Field("remind_before", "err.not_number")
	default:
		pol.ReplyHours, pol.SolutionDays, pol.RemindBefore = *reply, *days, time.Duration(hours*float64(time.Hour))
		err = complaint.SetPolicy(r.Context(), s.db, principal(r), pol)
	}
	if err == nil {
		s.redirect(w, r, "/complaints/settings", "complaint.policy_saved")
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		s.render(w, r, "complaint_settings", status, complaintSettingsData{Policy: pol, Remind: remind, Error: msg, ErrField: field})
		return nil
	})
}
