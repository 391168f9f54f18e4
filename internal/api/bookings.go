package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/booking"
	"manyi/internal/org"
)

// Service bookings (docs/targets.md). Every handler calls the area function the desk's pages
// call: reading a booking outside the caller's units answers 404 (its existence is not
// confirmed), recording a step on one the caller may read but not handle answers 403.

func bookingRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/bookings", handler: a.listBookings, id: "listBookings", tag: "bookings",
			summary: "Service bookings the caller may read, newest first, phones masked",
			query:   append(append([]param{{"open", "boolean", "", "Only bookings not yet followed up."}}, unitPeriodParams...), pageParams...), status: 200, result: "BookingPage"},
		{method: "POST", path: "/api/v1/bookings", handler: a.registerBooking, id: "registerBooking", tag: "bookings",
			summary: "Register a service booking taken by phone or typed from the web", body: "BookingInput", status: 201, result: "Booking"},
		{method: "GET", path: "/api/v1/bookings/{id}", handler: a.getBooking, id: "getBooking", tag: "bookings",
			summary: "One booking with its steps; its handlers see the phone (access-logged), others see it masked", status: 200, result: "BookingDetail"},
		{method: "POST", path: "/api/v1/bookings/{id}/steps", handler: a.recordBookingStep, id: "recordBookingStep", tag: "bookings",
			summary: "Record the next step: respond (with the responder), arrive, complete, confirm, follow_up (with the satisfaction, 1–5)", body: "BookingStep", status: 200, result: "Booking"},
	}
}

// BookingInput registers a booking; times are RFC 3339 instants, booked_at defaults to now.
type BookingInput struct {
	UnitID      int64           `json:"unit_id"`
	Channel     booking.Channel `json:"channel"`
	Customer    string          `json:"customer"`
	Phone       string          `json:"phone"`
	Address     string          `json:"address"`
	Service     string          `json:"service"`
	BookedAt    string          `json:"booked_at"`
	WindowStart string          `json:"window_start"`
	WindowEnd   string          `json:"window_end"`
}

// BookingStep is a step with its input; at is an RFC 3339 instant and defaults to now.
type BookingStep struct {
	Step         booking.Step `json:"step"`
	At           string       `json:"at"`
	Responder    string       `json:"responder"`
	Satisfaction int          `json:"satisfaction"`
	Note         string       `json:"note"`
}

func init() {
	docInput("BookingInput", BookingInput{}, "unit_id", "channel", "customer", "phone", "service", "window_start", "window_end")
	docInput("BookingStep", BookingStep{}, "step")
	doc("Booking", booking.Booking{})
	doc("BookingDetail", booking.Detail{})
}

func (a *API) listBookings(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := pageQuery(r)
	if err != nil {
		return err
	}
	f := booking.Filter{Limit: pg.fetch(), BeforeID: pg.Before}
	if f.Open, err = queryBool(r, "open"); err != nil {
		return err
	}
	unit, per, err := unitPeriod(r)
	if err != nil {
		return err
	}
	f.UnitID, f.From, f.To = unit, per.From, per.To
	rows, err := booking.List(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(rows, pg, func(b booking.Booking) int64 { return b.ID }))
	return nil
}

func (a *API) registerBooking(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in BookingInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	bin := booking.Input{UnitID: in.UnitID, Channel: in.Channel, Customer: in.Customer, Phone: in.Phone, Address: in.Address, Service: in.Service}
	var err error
	if bin.BookedAt, err = instant("booking_booked_at", in.BookedAt); err != nil {
		return err
	}
	if bin.WindowStart, err = instant("booking_window_start", in.WindowStart); err != nil {
		return err
	}
	if bin.WindowEnd, err = instant("booking_window_end", in.WindowEnd); err != nil {
		return err
	}
	b, err := booking.Register(r.Context(), a.db, p, bin)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/bookings/"+strconv.FormatInt(b.ID, 10))
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (a *API) getBooking(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := booking.Show(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (a *API) recordBookingStep(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in BookingStep
	if err := decode(w, r, &in); err != nil {
		return err
	}
	st := booking.StepInput{Step: in.Step, Who: in.Responder, Satisfaction: in.Satisfaction, Note: in.Note}
	if st.At, err = instant("at", in.At); err != nil {
		return err
	}
	b, err := booking.Record(r.Context(), a.db, p, id, st)
	if err != nil {
		return err
	}
	b.Phone = org.MaskPhone(b.Phone) // the answer to a step is no place for the number: GET shows it, logged
	writeJSON(w, http.StatusOK, b)
	return nil
}
