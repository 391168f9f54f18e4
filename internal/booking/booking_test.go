package booking

import (
	"context"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 10, 1, 0, 0, 0, time.UTC) // 09:00 in China

func at(h float64) time.Time     { return t0.Add(time.Duration(h * float64(time.Hour))) }
func ptr(t time.Time) *time.Time { return &t }

func TestRespondedInTime(t *testing.T) {
	for _, tc := range []struct {
		name         string
		responded    *time.Time
		now          time.Time
		counted, due bool
	}{
		{"answered after an hour", ptr(at(1)), at(30), true, true},
		{"answered at exactly 24 hours", ptr(at(24)), at(30), true, true},
		{"answered a second late", ptr(at(24).Add(time.Second)), at(30), false, true},
		{"no answer, still inside the 24 hours", nil, at(23), false, false},
		{"no answer, 24 hours passed", nil, at(25), false, true},
	} {
		counted, due := RespondedInTime(t0, tc.responded, tc.now)
		if counted != tc.counted || due != tc.due {
			t.Errorf("%s: counted %v due %v, want %v %v", tc.name, counted, due, tc.counted, tc.due)
		}
	}
}

func TestOnTime(t *testing.T) {
	start, end := at(24), at(26)
	for _, tc := range []struct {
		name         string
		arrived      *time.Time
		now          time.Time
		counted, due bool
	}{
		{"at the window's start", ptr(start), at(30), true, true},
		{"at the window's end", ptr(end), at(30), true, true},
		{"a minute late", ptr(end.Add(time.Minute)), at(30), false, true},
		{"an hour early", ptr(start.Add(-time.Hour)), at(30), false, true},
		{"nobody yet, window open", nil, at(25), false, false},
		{"nobody, window over", nil, at(27), false, true},
	} {
		counted, due := OnTime(start, end, tc.arrived, tc.now)
		if counted != tc.counted || due != tc.due {
			t.Errorf("%s: counted %v due %v, want %v %v", tc.name, counted, due, tc.counted, tc.due)
		}
	}
}

func TestCheckStepOrder(t *testing.T) {
	b := Booking{BookedAt: t0}
	for _, tc := range []struct {
		name  string
		b     Booking
		s     StepInput
		field string
		key   string
	}{
		{"a response before the booking", b, StepInput{Step: Respond, At: at(-1), Who: "张师傅"}, "booking_responded_at", "booking.before_booking"},
		{"a response without a responder", b, StepInput{Step: Respond, At: at(1)}, "booking_responder", "err.required"},
		{"a response in the future", b, StepInput{Step: Respond, At: at(50), Who: "张师傅"}, "booking_responded_at", "booking.future"},
		{"an arrival before the response", b, StepInput{Step: Arrive, At: at(2)}, "booking_arrived_at", "booking.step_early"},
		{"a follow-up before the work", Booking{BookedAt: t0, RespondedAt: ptr(at(1))}, StepInput{Step: FollowUp, At: at(3), Satisfaction: 4}, "booking_followed_up_at", "booking.step_early"},
		{"an arrival before the response time", Booking{BookedAt: t0, RespondedAt: ptr(at(3))}, StepInput{Step: Arrive, At: at(2)}, "booking_arrived_at", "booking.before_step"},
		{"an unknown step", b, StepInput{Step: "dance", At: at(1)}, "booking_step", "err.invalid_choice"},
	} {
		err := checkStep(tc.b, &tc.s, at(48))
		if e := errs.As(err); e.Field != tc.field || e.Key != tc.key {
			t.Errorf("%s: %v (field %q key %q), want %s %s", tc.name, err, e.Field, e.Key, tc.field, tc.key)
		}
	}
	done := Booking{BookedAt: t0, RespondedAt: ptr(at(1))}
	if err := checkStep(done, &StepInput{Step: Respond, At: at(2), Who: "李"}, at(48)); !errs.Is(err, errs.Conflict) {
		t.Errorf("a second response: %v, want a conflict", err)
	}
}

type fixture struct {
	db                 *store.DB
	prop, area, other  int64
	clerk, head, outer access.Principal
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	root, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "PROP", Name: "物业公司", Kind: org.Company})
	if err != nil {
		t.Fatal(err)
	}
	area, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "PROP-A", Name: "牡丹处", Kind: org.Section, ServesPublic: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: "PROP-B", Name: "月季处", Kind: org.Section, ServesPublic: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return at(0) }
	return fixture{db: db, prop: root.ID, area: area.ID, other: other.ID,
		clerk: access.Principal{UserID: 1, Username: "clerk", Name: "林", Grants: []access.Grant{{Role: access.Clerk, UnitID: root.ID}}},
		head:  access.Principal{UserID: 2, Username: "head", Name: "王", Grants: []access.Grant{{Role: access.UnitHead, UnitID: area.ID}}},
		outer: access.Principal{UserID: 3, Username: "outer", Name: "赵", Grants: []access.Grant{{Role: access.UnitHead, UnitID: other.ID}}}}
}

func (f fixture) input() Input {
	return Input{UnitID: f.area, Channel: Phone, Customer: "周女士", Phone: "13800001111", Service: "厨房水管漏水", WindowStart: at(20), WindowEnd: at(22)}
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBadInput: every refusal names its field and stores nothing.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name   string
			change func(*Input)
			field  string
			key    string
		}{
			{"an unknown unit", func(in *Input) { in.UnitID = 999999 }, "booking_unit", "booking.unit_unknown"},
			{"no unit", func(in *Input) { in.UnitID = 0 }, "booking_unit", "err.required"},
			{"a window whose end is before its start", func(in *Input) { in.WindowEnd = at(19) }, "booking_window_end", "booking.window_reversed"},
			{"a window already over", func(in *Input) { in.WindowStart, in.WindowEnd = at(-5), at(-3) }, "booking_window_end", "booking.window_past"},
			{"no phone", func(in *Input) { in.Phone = "" }, "booking_phone", "err.required"},
			{"a phone of letters", func(in *Input) { in.Phone = "call me" }, "booking_phone", "booking.phone_invalid"},
			{"no service", func(in *Input) { in.Service = " " }, "booking_service", "err.required"},
			{"an unknown channel", func(in *Input) { in.Channel = "fax" }, "booking_channel", "err.invalid_choice"},
			{"a booking in the future", func(in *Input) { in.BookedAt = at(5) }, "booking_booked_at", "booking.future"},
		} {
			in := f.input()
			tc.change(&in)
			_, err := Register(ctx, db, f.clerk, in)
			if e := errs.As(err); e.Field != tc.field || e.Key != tc.key {
				t.Errorf("%s: %v (field %q key %q), want %s %s", tc.name, err, e.Field, e.Key, tc.field, tc.key)
			}
		}
		if _, err := Register(ctx, db, f.outer, f.input()); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the head of another area registered a booking: %v", err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM bookings"); n != 0 {
			t.Fatalf("refused registrations stored %d bookings", n)
		}

		b, err := Register(ctx, db, f.head, f.input())
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return at(30) }
		audits := count(t, db, "SELECT COUNT(*) FROM audit_log")
		for _, tc := range []struct {
			name  string
			s     StepInput
			field string
			key   string
		}{
			{"a response before the booking", StepInput{Step: Respond, At: at(-2), Who: "张师傅"}, "booking_responded_at", "booking.before_booking"},
			{"an arrival before the booking", StepInput{Step: Arrive, At: at(-1)}, "booking_arrived_at", "booking.before_booking"},
		} {
			if _, err := Record(ctx, db, f.head, b.ID, tc.s); errs.As(err).Field != tc.field || errs.As(err).Key != tc.key {
				t.Errorf("%s: %v, want %s %s", tc.name, err, tc.field, tc.key)
			}
		}
		for _, s := range []StepInput{{Step: Respond, At: at(2), Who: "张师傅"}, {Step: Arrive, At: at(21)}, {Step: Complete, At: at(22)}} {
			if _, err := Record(ctx, db, f.head, b.ID, s); err != nil {
				t.Fatalf("%s: %v", s.Step, err)
			}
		}
		audits += 3
		for _, sat := range []int{0, 6, -1} {
			if _, err := Record(ctx, db, f.head, b.ID, StepInput{Step: FollowUp, At: at(25), Satisfaction: sat}); errs.As(err).Field != "booking_satisfaction" {
				t.Errorf("satisfaction %d: %v, want a refusal naming booking_satisfaction", sat, err)
			}
		}
		if _, err := Record(ctx, db, f.outer, b.ID, StepInput{Step: Confirm}); !errs.Is(err, errs.NotFound) {
			t.Errorf("the head of another area confirmed a booking: %v", err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log"); n != audits {
			t.Errorf("refused steps wrote to the audit log: %d entries, want %d", n, audits)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM bookings WHERE followed_up_at IS NULL AND satisfaction IS NULL AND confirmed_at IS NULL"); n != 1 {
			t.Errorf("a refused step changed the booking")
		}
	})
}

// TestPublicBookingFlowAndMeasures: a booking from the public form, stored once however often
// the form is resubmitted, through response, arrival, confirmation and follow-up; then the
// measures count it, and a late one, with their records.
func TestPublicBookingFlowAndMeasures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		sender := Sender{ClientKey: "k1", IdemKey: "0123456789abcdef0123456789abcdef"}
		in := f.input()
		in.Channel = Phone // the public form makes it web whatever is sent
		b, err := RegisterPublic(ctx, db, in, sender)
		if err != nil {
			t.Fatal(err)
		}
		again, err := RegisterPublic(ctx, db, in, sender)
		if err != nil || again.ID != b.ID || b.Channel != Web {
			t.Fatalf("a resubmitted form: %v, id %d then %d, channel %s", err, b.ID, again.ID, b.Channel)
		}
		for i := range PublicLimit - 1 {
			if _, err := RegisterPublic(ctx, db, in, Sender{ClientKey: "k1", IdemKey: "fedcba9876543210fedcba98765432" + string(rune('a'+i)) + "0"}); err != nil {
				t.Fatalf("booking %d: %v", i+2, err)
			}
		}
		if _, err := RegisterPublic(ctx, db, in, Sender{ClientKey: "k1"}); !errs.Is(err, errs.TooMany) {
			t.Errorf("a sixth booking within the hour: %v, want too many", err)
		}
		closed := false
		if _, err := org.UpdateUnit(ctx, db, access.System, f.other, org.UnitPatch{ServesPublic: &closed}); err != nil {
			t.Fatal(err)
		}
		in.UnitID = f.other
		if _, err := RegisterPublic(ctx, db, in, Sender{}); errs.As(err).Field != "booking_unit" {
			t.Errorf("a public booking of a unit that takes none: %v", err)
		}

		db.Now = func() time.Time { return at(48) }
		for _, s := range []StepInput{{Step: Respond, At: at(3), Who: "张师傅"}, {Step: Arrive, At: at(21)}, {Step: Complete, At: at(23)},
			{Step: Confirm, At: at(23.5)}, {Step: FollowUp, At: at(40), Satisfaction: 5, Note: "很满意"}} {
			if b, err = Record(ctx, db, f.head, b.ID, s); err != nil {
				t.Fatalf("%s: %v", s.Step, err)
			}
		}
		if b.Status() != "followed_up" || b.Satisfaction != 5 || b.Responder != "张师傅" || b.FollowedUpBy != "王" {
			t.Fatalf("after the follow-up: %+v", b)
		}
		d, err := Show(ctx, db, f.outer, b.ID)
		if !errs.Is(err, errs.NotFound) {
			t.Errorf("the head of another area opened the booking: %v %+v", err, d)
		}
		list, err := List(ctx, db, f.outer, Filter{})
		if err != nil || len(list) != 0 {
			t.Errorf("the head of another area lists %d bookings: %v", len(list), err)
		}
		list, err = List(ctx, db, f.head, Filter{Limit: 2})
		if err != nil || len(list) != 2 || list[0].Phone != "138****1111" {
			t.Fatalf("the head's first page: %v %+v", err, list)
		}
		rest, err := List(ctx, db, f.head, Filter{Limit: 10, BeforeID: list[1].ID})
		if err != nil || len(rest) != PublicLimit-2 {
			t.Fatalf("the next page: %v, %d bookings", err, len(rest))
		}

		// A late one: answered after 30 hours, arrived after its window.
		in = f.input()
		in.BookedAt = at(0)
		late, err := Register(ctx, db, f.clerk, in)
		if err == nil {
			for _, s := range []StepInput{{Step: Respond, At: at(25), Who: "李师傅"}, {Step: Arrive, At: at(26)}} {
				if late, err = Record(ctx, db, f.clerk, late.ID, s); err != nil {
					break
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			for _, m := range Measures() {
				figs, err := m.Figures(ctx, tx, at(-24), at(24*30))
				if err != nil {
					return err
				}
				fig := figs[f.area]
				// Response: the late one and the public one are due (answered); the four other
				// public bookings are unanswered past 24 hours: 1 of 6.
				// On time: the six window starts fell in; the followed-up one arrived on time, the
				// late one after its window, the four others never came (window over): 1 of 6.
				if fig == nil || fig.Num != 1 || fig.Den != 6 || len(fig.Records) != 6 {
					t.Errorf("%s: %+v", m.Name(), fig)
					continue
				}
				for _, r := range fig.Records {
					if r.ID == b.ID && !r.Counted || r.ID == late.ID && r.Counted || r.URL == "" {
						t.Errorf("%s: record %+v", m.Name(), r)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
