// Package complaint is the complaint desk of docs/policies.md §6: registration from every channel
// (the public web form included), classification by the clerk (invalid, valid, major, with a
// reason), SLA clocks in Chinese working time (reply within 24 hours, solution within 3
// working days, both configurable), pauses while waiting on the complainant, reminders and
// escalation on breach through the job queue, the complainant's tracking code, statistics,
// and the facts period close needs (complaints_valid, complaints_major).
package complaint

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"manyi/internal/errs"
)

// Channel is how a complaint arrived.
type Channel string

const (
	Phone    Channel = "phone"
	Email    Channel = "email"
	Web      Channel = "web" // the public form
	Box      Channel = "box" // suggestion box (意见箱)
	Survey   Channel = "survey"
	Callback Channel = "callback"
)

// Channels lists the channels in the order forms show them.
var Channels = []Channel{Phone, Email, Web, Box, Survey, Callback}

// Category is what the complaint is about (docs/policies.md §1's grounds for a valid complaint).
type Category string

const (
	Process  Category = "process"  // 服务流程
	Attitude Category = "attitude" // 服务态度
	Delay    Category = "delay"    // 无故拖延
	Other    Category = "other"
)

// Categories lists the categories in form order.
var Categories = []Category{Process, Attitude, Delay, Other}

// Class is the clerk's classification; only Valid and Major count in scores.
type Class string

const (
	Unclassified Class = "unclassified"
	Invalid      Class = "invalid"
	Valid        Class = "valid"
	Major        Class = "major"
)

// Classes lists the classes a clerk can choose.
var Classes = []Class{Invalid, Valid, Major}

// Status is where a complaint is in its handling.
type Status string

const (
	Registered Status = "registered"
	Replied    Status = "replied"
	InProgress Status = "in_progress"
	Resolved   Status = "resolved"
	Confirmed  Status = "confirmed" // the complainant confirmed the solution
	Closed     Status = "closed"    // closed without the complainant's answer
	Reopened   Status = "reopened"
)

// Statuses lists the statuses in the order of the handling.
var Statuses = []Status{Registered, Replied, InProgress, Resolved, Confirmed, Closed, Reopened}

// Finished reports whether no more handling is possible.
func (s Status) Finished() bool { return s == Confirmed || s == Closed }

// Complaint is one complaint with its clocks' state.
type Complaint struct {
	ID           int64    `json:"id"`
	TrackingCode string   `json:"tracking_code"`
	UnitID       int64    `json:"unit_id"`
	UnitName     string   `json:"unit_name"`
	Channel      Channel  `json:"channel"`
	Category     Category `json:"category"`
	Complainant  string   `json:"complainant"`
	Contact      string   `json:"contact"`
	Description  string   `json:"description"`
	SourceRef    string   `json:"source_ref,omitempty"`
	Status       Status   `json:"status"`

	Class        Class      `json:"classification"`
	ClassReason  string     `json:"classification_reason,omitempty"`
	ClassifiedAt *time.Time `json:"classified_at,omitempty"`

	ReceivedAt      time.Time  `json:"received_at"`
	ReplyDueAt      time.Time  `json:"reply_due_at"`
	RepliedAt       *time.Time `json:"replied_at,omitempty"`
	Reply           string     `json:"reply,omitempty"`
	SolutionDueAt   *time.Time `json:"solution_due_at,omitempty"` // nil while paused
	PausedAt        *time.Time `json:"paused_at,omitempty"`
	PausedRemaining *int64     `json:"paused_remaining_seconds,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	Solution        string     `json:"solution,omitempty"`
	RootCause       string     `json:"root_cause,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	SLARound        int        `json:"sla_round"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`

	// ResponseCode is set only in the answer to a registration, the one time it is shown:
	// only its hash is stored.
	ResponseCode string `json:"response_code,omitempty"`
}

// Counts reports whether the complaint counts in scores.
func (c Complaint) Counts() bool { return c.Class == Valid || c.Class == Major }

// Input registers a complaint.
type Input struct {
	UnitID      int64
	Channel     Channel
	Category    Category
	Complainant string
	Contact     string
	Description string
	SourceRef   string    // the survey answer or callback it came from
	ReceivedAt  time.Time // zero: now
	Attachments []Upload
}

const (
	maxName        = 50
	maxContact     = 100
	maxDescription = 4000
	maxNote        = 2000
)

func validate(in *Input) error {
	in.Complainant = strings.TrimSpace(in.Complainant)
	in.Contact = strings.TrimSpace(in.Contact)
	in.Description = strings.TrimSpace(in.Description)
	in.SourceRef = strings.TrimSpace(in.SourceRef)
	switch {
	case in.UnitID == 0:
		return errs.Required("unit_id")
	case !contains(Channels, in.Channel):
		return errs.Field("channel", "err.invalid_choice", string(in.Channel))
	case !contains(Categories, in.Category):
		return errs.Field("category", "err.invalid_choice", string(in.Category))
	case in.Complainant == "":
		return errs.Required("complainant")
	case utf8.RuneCountInString(in.Complainant) > maxName:
		return errs.Field("complainant", "err.too_long", maxName)
	case utf8.RuneCountInString(in.Contact) > maxContact:
		return errs.Field("contact", "err.too_long", maxContact)
	case in.Description == "":
		return errs.Required("description")
	case utf8.RuneCountInString(in.Description) > maxDescription:
		return errs.Field("description", "err.too_long", maxDescription)
	case utf8.RuneCountInString(in.SourceRef) > maxContact:
		return errs.Field("source_ref", "err.too_long", maxContact)
	case len(in.Attachments) > MaxAttachments:
		return errs.Field("attachments", "complaint.too_many_files", MaxAttachments)
	}
	return nil
}

func note(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return s, errs.Required(field)
	}
	if utf8.RuneCountInString(s) > maxNote {
		return s, errs.Field(field, "err.too_long", maxNote)
	}
	return s, nil
}

func contains[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// ContactKey normalises a contact for finding repeat complainants: digits only for phone
// numbers, lower case for e-mail addresses.
func ContactKey(contact string) string {
	contact = strings.TrimSpace(contact)
	if strings.Contains(contact, "@") {
		return strings.ToLower(contact)
	}
	var b strings.Builder
	for _, r := range contact {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	if b.Len() < 5 {
		return ""
	}
	return b.String()
}

// trackingAlphabet leaves out 0/O and 1/I/L, which people misread when typing a code.
const trackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewTrackingCode returns a code like "TS-7K3M-9QX2" with 40 bits of randomness: enough that
// guessing someone else's code is hopeless at the public page's rate limit.
func NewTrackingCode() string {
	var b [8]byte
	rand.Read(b[:])
	out := []byte("TS-")
	for i, x := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, trackingAlphabet[int(x)%len(trackingAlphabet)])
	}
	return string(out)
}

// NormalizeTrackingCode accepts a code typed in lower case, with spaces or without dashes.
func NormalizeTrackingCode(s string) string {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s))
	s = strings.TrimPrefix(s, "TS")
	if len(s) != 8 {
		return ""
	}
	return "TS-" + s[:4] + "-" + s[4:]
}
