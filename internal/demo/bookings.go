package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"manyi/internal/access"
	"manyi/internal/booking"
)

// bookingUnits are the units the demo's service bookings are for: the property company's
// areas and repair section, and the maintenance centre's teams.
var bookingUnits = []string{"PROP-MDC", "PROP-YJC", "PROP-YXY", "PROP-MGQ", "PROP-WXK", "IMC-WL", "IMC-ZD", "IMC-JF", "IMC-RD"}

var bookingServices = []string{"厨房水管漏水", "更换门锁", "空调不制冷", "宽带无法上网", "楼道灯不亮", "卫生间下水堵塞", "电话线路杂音", "门禁卡失效"}

// bookings loads a year of service bookings up to the moment of loading, about twenty a
// month, by phone at the desk and on the public form: most answered within hours and served
// inside the promised window, followed by the customer's confirmation and a follow-up call;
// about one in twelve answered after more than 24 hours and one in twenty reached late, so
// the targets page shows breaches of both booking standards. The clock is set back for each
// step, so the records read as they happened; steps that would come after the moment of
// loading are left for the user.
func (l *loader) bookings(ctx context.Context, prev error) error {
	if prev != nil {
		return prev
	}
	defer l.at(l.now)
	clerk := access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
	dispatcher := access.Principal{Username: "dispatcher1", Name: "刘晓燕", Grants: []access.Grant{{Role: access.Dispatcher, UnitID: l.units["IMC"].ID}}}
	rnd := rand.New(rand.NewPCG(2026, 27))
	servicemen := []string{"张师傅", "李师傅", "王师傅", "赵师傅"}
	for i := range 240 {
		code := bookingUnits[rnd.IntN(len(bookingUnits))]
		unit := l.units[code]
		desk := clerk
		if code[:3] == "IMC" {
			desk = dispatcher
		}
		day := l.today.AddDate(0, 0, -365+i*365/240)
		booked := day.Add(time.Duration(8*60+rnd.IntN(12*60)) * time.Minute)
		late := i%12 == 5 // answered after the 24 hours
		respond := booked.Add(time.Duration(30+rnd.IntN(5*60)) * time.Minute)
		windowDay, slot := day.AddDate(0, 0, 1), 9+2*rnd.IntN(4)
		if late {
			respond = booked.Add(time.Duration(25*60+rnd.IntN(5*60)) * time.Minute)
			windowDay, slot = day.AddDate(0, 0, 2), 13+2*rnd.IntN(2)
		}
		start := windowDay.Add(time.Duration(slot) * time.Hour)
		in := booking.Input{UnitID: unit.ID, Customer: l.names.next(), Phone: l.phones.next(), Service: bookingServices[rnd.IntN(len(bookingServices))],
			WindowStart: start, WindowEnd: start.Add(2 * time.Hour)}
		if booked.After(l.now) {
			continue
		}
		l.at(booked)
		var b booking.Booking
		var err error
		if i%3 == 0 {
			b, err = booking.RegisterPublic(ctx, l.db, in, booking.Sender{})
		} else {
			in.Channel = booking.Phone
			b, err = booking.Register(ctx, l.db, desk, in)
		}
		if err != nil {
			return fmt.Errorf("demo: booking %d: %w", i, err)
		}
		arrive := start.Add(time.Duration(rnd.IntN(100)) * time.Minute)
		if i%20 == 7 { // reached after the window closed
			arrive = start.Add(2*time.Hour + time.Duration(20+rnd.IntN(70))*time.Minute)
		}
		complete := arrive.Add(time.Duration(40+rnd.IntN(80)) * time.Minute)
		satisfaction := 3 + rnd.IntN(3)
		if late || i%20 == 7 {
			satisfaction = 2 + rnd.IntN(2)
		}
		steps := []booking.StepInput{
			{Step: booking.Respond, At: respond, Who: servicemen[rnd.IntN(len(servicemen))]},
			{Step: booking.Arrive, At: arrive},
			{Step: booking.Complete, At: complete},
			{Step: booking.Confirm, At: complete.Add(10 * time.Minute)},
			{Step: booking.FollowUp, At: complete.AddDate(0, 0, 1).Add(2 * time.Hour), Satisfaction: satisfaction, Note: "电话回访"},
		}
		for _, s := range steps {
			if s.At.After(l.now) {
				break
			}
			l.at(s.At)
			if _, err := booking.Record(ctx, l.db, desk, b.ID, s); err != nil {
				return fmt.Errorf("demo: booking %d, %s: %w", i, s.Step, err)
			}
		}
	}
	return nil
}
