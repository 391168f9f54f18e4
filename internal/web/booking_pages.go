package web

import (
	"fmt"
	"net/http"
	"time"

	"manyi/internal/access"
	"manyi/internal/booking"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
)

// bookingRoutes lists the service booking desk's pages, staff and public. The desk is a tab
// of the targets area: the bookings are the records two of its targets are measured from.
func (s *Server) bookingRoutes() {
	m := s.mux
	m.HandleFunc("GET /bookings", s.page(s.bookingList))
	m.HandleFunc("GET /bookings/new", s.page(s.bookingNew))
	m.HandleFunc("POST /bookings", s.page(s.bookingCreate))
	m.HandleFunc("GET /bookings/{id}", s.page(s.bookingShow))
	m.HandleFunc("POST /bookings/{id}/steps", s.page(s.bookingStep))

	m.HandleFunc("GET /book", s.limited(s.bookingLimiter, "booking.rate_limited_minute", s.publicBookingForm))
	m.HandleFunc("POST /book", s.limited(s.bookingLimiter, "booking.rate_limited_minute", s.publicBookingCreate))
}

type bookingListData struct {
	Tabs        []navItem
	Rows        []booking.Booking
	Units       []org.Unit
	F           booking.Filter
	Month       string
	Pager       pager
	CanRegister bool
	Now         time.Time
}

func (s *Server) bookingList(w http.ResponseWriter, r *http.Request) error {
	p, q := principal(r), r.URL.Query()
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f := booking.Filter{Open: q.Get("open") == "1", Page: &pg}
	if f.UnitID, err = idParam(r, "unit"); err != nil {
		return err
	}
	month, err := periodParam(r, "month", monthPeriod)
	if err != nil {
		return err
	}
	if month != "" {
		t, _ := time.ParseInLocation("2006-01", month, timeZone)
		f.From, f.To = t.UTC(), t.AddDate(0, 1, 0).UTC()
	}
	rows, err := booking.List(r.Context(), s.db, p, f)
	if err != nil {
		return err
	}
	rows, next, prev := store.Cut(rows, pg, booking.PageKey)
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{})
	if err != nil {
		return err
	}
	d := bookingListData{Tabs: targetTabs(r), Rows: rows, Units: units, F: f, Month: month, CanRegister: booking.MayRegister(p), Now: s.db.Now(),
		Pager: pageLinks(r, next, prev)}
	s.render(w, r, "bookings", http.StatusOK, d)
	return nil
}

type bookingFormData struct {
	Tabs                  []navItem
	In                    booking.Input
	Booked, Start, End    string // the datetime-local inputs as typed
	Units                 []org.Unit
	Channels              []booking.Channel
	Error, ErrField, Idem string
	Public                bool
}

func (s *Server) renderBookingForm(w http.ResponseWriter, r *http.Request, status int, d bookingFormData) error {
	actor, filter := principal(r), org.UnitFilter{}
	if d.Public {
		// Residents see only the units that serve them (the flag on the unit).
		actor, filter.ServesPublic = access.System, true
	}
	units, err := org.ListUnits(r.Context(), s.db, actor, filter)
	if err != nil {
		return err
	}
	d.Units, d.Channels, d.Tabs = units, booking.Channels, targetTabs(r)
	name := "booking_new"
	if d.Public {
		name = "booking_public_form"
	}
	s.render(w, r, name, status, d)
	return nil
}

func (s *Server) bookingNew(w http.ResponseWriter, r *http.Request) error {
	if !booking.MayRegister(principal(r)) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	now := s.db.Now()
	return s.renderBookingForm(w, r, http.StatusOK, bookingFormData{In: booking.Input{Channel: booking.Phone}, Booked: localInput(&now)})
}

// bookingFromForm reads a booking form, staff or public; the form's time inputs are returned
// as typed, for showing the form again.
func bookingFromForm(r *http.Request) (booking.Input, bookingFormData, error) {
	d := bookingFormData{Booked: r.PostFormValue("booking_booked_at"), Start: r.PostFormValue("booking_window_start"), End: r.PostFormValue("booking_window_end")}
	in := booking.Input{Channel: booking.Channel(r.PostFormValue("booking_channel")), Customer: r.PostFormValue("booking_customer"),
		Phone: r.PostFormValue("booking_phone"), Address: r.PostFormValue("booking_address"), Service: r.PostFormValue("booking_service")}
	var err error
	if in.UnitID, err = formID(r, "booking_unit"); err != nil {
		return in, d, err
	}
	for _, t := range []struct {
		name string
		to   *time.Time
	}{{"booking_booked_at", &in.BookedAt}, {"booking_window_start", &in.WindowStart}, {"booking_window_end", &in.WindowEnd}} {
		v, err := localTime(r, t.name)
		if err != nil {
			return in, d, err
		}
		if v != nil {
			*t.to = *v
		}
	}
	return in, d, nil
}

func (s *Server) bookingCreate(w http.ResponseWriter, r *http.Request) error {
	if !booking.MayRegister(principal(r)) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	in, d, err := bookingFromForm(r)
	if err == nil {
		var b booking.Booking
		if b, err = booking.Register(r.Context(), s.db, principal(r), in); err == nil {
			s.redirect(w, r, "/bookings/"+itoa(b.ID), "booking.created", b.Code)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d.In, d.Error, d.ErrField = in, msg, field
		return s.renderBookingForm(w, r, status, d)
	})
}

type bookingShowData struct {
	Tabs      []navItem
	B         booking.Detail
	Next      []booking.Step
	Now       string
	Scale     []int
	Responded string // in time, late or pending: the 24-hour response
	OnTime    string // on time, late or pending: the arrival in the window
	Error     string
	ErrField  string
}

// judged names a measure's verdict on one booking.
func judged(counted, due bool) string {
	switch {
	case !due:
		return "pending"
	case counted:
		return "ok"
	}
	return "late"
}

func (s *Server) bookingShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderBookingShow(w, r, http.StatusOK, "", "")
}

func (s *Server) renderBookingShow(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := booking.Show(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	now := s.db.Now()
	data := bookingShowData{Tabs: targetTabs(r), B: d, Now: localInput(&now), Error: msg, ErrField: field,
		Responded: judged(booking.RespondedInTime(d.BookedAt, d.RespondedAt, now)), OnTime: judged(booking.OnTime(d.WindowStart, d.WindowEnd, d.ArrivedAt, now))}
	if d.CanHandle {
		data.Next = d.Next()
		for v := booking.MinSatisfaction; v <= booking.MaxSatisfaction; v++ {
			data.Scale = append(data.Scale, v)
		}
	}
	s.render(w, r, "booking_show", status, data)
	return nil
}

func (s *Server) bookingStep(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	st := booking.StepInput{Step: booking.Step(r.PostFormValue("booking_step")), Who: r.PostFormValue("booking_responder"), Note: r.PostFormValue("booking_followup_note")}
	at, err := localTime(r, "booking_at")
	if at != nil {
		st.At = *at
	}
	if err == nil {
		var sat *int
		if sat, err = formInt(r, "booking_satisfaction"); sat != nil {
			st.Satisfaction = *sat
		}
	}
	if err == nil {
		_, err = booking.Record(r.Context(), s.db, principal(r), id, st)
	}
	if err == nil {
		s.redirect(w, r, "/bookings/"+itoa(id), "booking.recorded", locale.T(locale.FromContext(r.Context()), "step."+string(st.Step)))
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderBookingShow(w, r, status, msg, field)
	})
}

func (s *Server) publicBookingForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderBookingForm(w, r, http.StatusOK, bookingFormData{Public: true, Idem: newIdemKey()})
}

// publicBookingCreate stores a resident's booking. The form carries an idempotency key: a
// double click or a reload of the POST shows the first booking's reference again instead of
// storing a second booking.
func (s *Server) publicBookingCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	in, d, err := bookingFromForm(r)
	d.Public, d.Idem = true, r.PostFormValue("idem")
	if err == nil {
		var b booking.Booking
		sender := booking.Sender{ClientKey: s.clientKey(r), Limit: s.cfg.Limits.BookingsPerHour, IdemKey: d.Idem}
		if b, err = booking.RegisterPublic(r.Context(), s.db, in, sender); err == nil {
			s.render(w, r, "booking_public_done", http.StatusCreated, map[string]any{"Code": b.Code})
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d.In, d.Error, d.ErrField = in, msg, field
		return s.renderBookingForm(w, r, status, d)
	})
}

// bookingWindow shows a booking's window compactly: the day once when it starts and ends on
// the same day.
func bookingWindow(start, end time.Time) string {
	a, b := start.In(timeZone), end.In(timeZone)
	if a.Format(time.DateOnly) == b.Format(time.DateOnly) {
		return fmt.Sprintf("%s–%s", a.Format("2006-01-02 15:04"), b.Format("15:04"))
	}
	return fmt.Sprintf("%s – %s", a.Format("2006-01-02 15:04"), b.Format("2006-01-02 15:04"))
}
