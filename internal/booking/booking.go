// Package booking is the service booking desk of seed 002 服务质量的管理制度 (服务流程): a
// customer books a service by phone or on the public web form (服务预约), the unit responds
// (服务响应) and sends someone within the window it promised, the customer confirms the work,
// and a follow-up call (回访) asks how satisfied the customer was. Two service standards of the
// same policy are measured from the bookings: a response within 24 hours of the booking, and
// an on-time rate (服务准时率) of at least 97 % (Measures).
package booking

import (
	"crypto/rand"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"manyi/internal/errs"
	"manyi/internal/locale"
)

// Channel is how a booking arrived.
type Channel string

const (
	Phone Channel = "phone"
	Web   Channel = "web" // the public form
)

// Channels lists the channels in the order forms show them.
var Channels = []Channel{Phone, Web}

// ResponseLimit is how soon after the booking the unit must respond: 预约后24小时内响应. The
// seed counts it in plain hours, unlike the complaint's solution deadline, which it gives in
// working days (3个工作日); docs/targets.md says why manyi reads it so.
const ResponseLimit = 24 * time.Hour

// Satisfaction scale of the follow-up call, as the callback scripts ask it.
const (
	MinSatisfaction = 1 // 非常不满意
	MaxSatisfaction = 5 // 非常满意
	// Satisfied is the lowest answer that counts as satisfied (基本满意).
	Satisfied = 3
)

// Booking is one service booking with the steps done so far.
type Booking struct {
	ID           int64      `json:"id"`
	Code         string     `json:"code"`
	UnitID       int64      `json:"unit_id"`
	UnitName     string     `json:"unit_name"`
	Channel      Channel    `json:"channel"`
	Customer     string     `json:"customer"`
	Phone        string     `json:"phone"`
	Address      string     `json:"address,omitempty"`
	Service      string     `json:"service"`
	BookedAt     time.Time  `json:"booked_at"`
	WindowStart  time.Time  `json:"window_start"`
	WindowEnd    time.Time  `json:"window_end"`
	RespondedAt  *time.Time `json:"responded_at,omitempty"`
	Responder    string     `json:"responder,omitempty"`
	ArrivedAt    *time.Time `json:"arrived_at,omitempty"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
	ConfirmedAt  *time.Time `json:"confirmed_at,omitempty"`
	FollowedUpAt *time.Time `json:"followed_up_at,omitempty"`
	FollowedUpBy string     `json:"followed_up_by,omitempty"`
	Satisfaction int        `json:"satisfaction,omitempty"` // 1–5, 0 before the follow-up call
	FollowupNote string     `json:"followup_note,omitempty"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Status is how far a booking got, from its steps.
func (b Booking) Status() string {
	switch {
	case b.FollowedUpAt != nil:
		return "followed_up"
	case b.ConfirmedAt != nil:
		return "confirmed"
	case b.CompletedAt != nil:
		return "completed"
	case b.ArrivedAt != nil:
		return "arrived"
	case b.RespondedAt != nil:
		return "responded"
	}
	return "booked"
}

// Input registers a booking. BookedAt zero means now (the public form always is).
type Input struct {
	UnitID      int64
	Channel     Channel
	Customer    string
	Phone       string
	Address     string
	Service     string
	BookedAt    time.Time
	WindowStart time.Time
	WindowEnd   time.Time
}

const (
	maxName    = 50
	maxAddress = 200
	maxService = 2000
	maxNote    = 2000
	// maxWindowAhead bounds how far ahead a service can be booked: further is a typo.
	maxWindowAhead = 180 * 24 * time.Hour
)

// validate checks a registration against the moment it is stored (booked is its booking
// time, already defaulted to now). Every refusal names its field.
func validate(in *Input, booked, now time.Time) error {
	in.Customer, in.Phone = strings.TrimSpace(in.Customer), strings.TrimSpace(in.Phone)
	in.Address, in.Service = strings.TrimSpace(in.Address), strings.TrimSpace(in.Service)
	switch {
	case in.UnitID == 0:
		return errs.Required("booking_unit")
	case in.Channel != Phone && in.Channel != Web:
		return errs.Field("booking_channel", "err.invalid_choice", string(in.Channel))
	case in.Customer == "":
		return errs.Required("booking_customer")
	case utf8.RuneCountInString(in.Customer) > maxName:
		return errs.Field("booking_customer", "err.too_long", maxName)
	case in.Phone == "":
		return errs.Required("booking_phone")
	case !validPhone(in.Phone):
		return errs.Field("booking_phone", "booking.phone_invalid")
	case utf8.RuneCountInString(in.Address) > maxAddress:
		return errs.Field("booking_address", "err.too_long", maxAddress)
	case in.Service == "":
		return errs.Required("booking_service")
	case utf8.RuneCountInString(in.Service) > maxService:
		return errs.Field("booking_service", "err.too_long", maxService)
	case booked.After(now.Add(time.Minute)):
		return errs.Field("booking_booked_at", "booking.future")
	case in.WindowStart.IsZero():
		return errs.Required("booking_window_start")
	case in.WindowEnd.IsZero():
		return errs.Required("booking_window_end")
	case !in.WindowEnd.After(in.WindowStart):
		return errs.Field("booking_window_end", "booking.window_reversed")
	case in.WindowEnd.Before(booked):
		return errs.Field("booking_window_end", "booking.window_past")
	case in.WindowStart.After(booked.Add(maxWindowAhead)):
		return errs.Field("booking_window_start", "booking.window_far")
	}
	return nil
}

// validPhone accepts a phone number as people type it: 7 to 15 digits, with an optional
// leading +, spaces and dashes.
func validPhone(s string) bool {
	n := 0
	for i, r := range s {
		switch {
		case unicode.IsDigit(r):
			n++
		case r == '+' && i == 0, r == ' ', r == '-':
		default:
			return false
		}
	}
	return n >= 7 && n <= 15
}

// Step is one step of the handling after the booking.
type Step string

const (
	Respond  Step = "respond"   // 服务响应: the unit answers and names who comes
	Arrive   Step = "arrive"    // the serviceman arrives
	Complete Step = "complete"  // the work is done
	Confirm  Step = "confirm"   // the customer confirms the work
	FollowUp Step = "follow_up" // 回访: the follow-up call with the customer's satisfaction
)

// Steps lists the steps in their order.
var Steps = []Step{Respond, Arrive, Complete, Confirm, FollowUp}

// StepInput is a step as staff record it. At zero means now.
type StepInput struct {
	Step         Step
	At           time.Time
	Who          string // the responder (服务响应 names who is sent); the actor for other steps
	Satisfaction int    // the follow-up call's answer, 1–5
	Note         string
}

// Next lists the steps that may be recorded now: each step once, after the one it follows
// (the confirmation and the follow-up call both follow the completion).
func (b Booking) Next() []Step {
	var out []Step
	for _, s := range Steps {
		if done, prev, prevStep, _ := b.order(s); done == nil && (prevStep == "" || prev != nil) {
			out = append(out, s)
		}
	}
	return out
}

// order gives when step s was done on b (nil: not yet), the step it follows and when that was
// done; ok is false for an unknown step.
func (b Booking) order(s Step) (done, prev *time.Time, prevStep Step, ok bool) {
	switch s {
	case Respond:
		return b.RespondedAt, nil, "", true
	case Arrive:
		return b.ArrivedAt, b.RespondedAt, Respond, true
	case Complete:
		return b.CompletedAt, b.ArrivedAt, Arrive, true
	case Confirm:
		return b.ConfirmedAt, b.CompletedAt, Complete, true
	case FollowUp:
		return b.FollowedUpAt, b.CompletedAt, Complete, true
	}
	return nil, nil, "", false
}

// Field is the input field a step's time is checked as.
func (s Step) Field() string {
	return map[Step]string{Respond: "booking_responded_at", Arrive: "booking_arrived_at", Complete: "booking_completed_at",
		Confirm: "booking_confirmed_at", FollowUp: "booking_followed_up_at"}[s]
}

// checkStep reports whether the step may be recorded on b at s.At (already defaulted to
// now): each step once, in order, never before the step it follows nor in the future.
func checkStep(b Booking, s *StepInput, now time.Time) error {
	s.Who, s.Note = strings.TrimSpace(s.Who), strings.TrimSpace(s.Note)
	done, prev, prevStep, ok := b.order(s.Step)
	if !ok {
		return errs.Field("booking_step", "err.invalid_choice", string(s.Step))
	}
	field := s.Step.Field()
	switch {
	case done != nil:
		return &errs.Error{Code: errs.Conflict, Field: field, Key: "booking.step_done"}
	case s.At.Before(b.BookedAt):
		return errs.Field(field, "booking.before_booking")
	case prevStep != "" && prev == nil:
		return errs.Field(field, "booking.step_early", errs.FieldLabel(locale.ZH, prevStep.Field()), errs.FieldLabel(locale.EN, prevStep.Field()))
	case prev != nil && s.At.Before(*prev):
		return errs.Field(field, "booking.before_step", errs.FieldLabel(locale.ZH, prevStep.Field()), errs.FieldLabel(locale.EN, prevStep.Field()))
	case s.At.After(now.Add(time.Minute)):
		return errs.Field(field, "booking.future")
	case s.Step == Respond && s.Who == "":
		return errs.Required("booking_responder")
	case utf8.RuneCountInString(s.Who) > maxName:
		return errs.Field("booking_responder", "err.too_long", maxName)
	case s.Step == FollowUp && (s.Satisfaction < MinSatisfaction || s.Satisfaction > MaxSatisfaction):
		return errs.Field("booking_satisfaction", "err.out_of_range", strconv.Itoa(MinSatisfaction), strconv.Itoa(MaxSatisfaction))
	case utf8.RuneCountInString(s.Note) > maxNote:
		return errs.Field("booking_followup_note", "err.too_long", maxNote)
	}
	return nil
}

// RespondedInTime judges a booking for the response measure at now: counted when the
// response came within ResponseLimit of the booking; due once it came or the limit passed
// (a booking still inside its first 24 hours counts neither way yet).
func RespondedInTime(booked time.Time, responded *time.Time, now time.Time) (counted, due bool) {
	limit := booked.Add(ResponseLimit)
	return responded != nil && !responded.After(limit), responded != nil || now.After(limit)
}

// OnTime judges a booking for the on-time rate at now: counted when the serviceman arrived
// within the promised window, start and end included; due once someone arrived or the window
// ended (an arrival before the window is not on time: the customer was not expecting anyone).
func OnTime(start, end time.Time, arrived *time.Time, now time.Time) (counted, due bool) {
	in := arrived != nil && !arrived.Before(start) && !arrived.After(end)
	return in, arrived != nil || now.After(end)
}

// codeAlphabet leaves out 0/O and 1/I/L, which people misread when reading a code aloud.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode returns a booking's reference, like "YY-7K3M-9QX2", that the customer quotes on the
// phone.
func newCode() string {
	var b [8]byte
	rand.Read(b[:])
	out := []byte("YY-")
	for i, x := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return string(out)
}
