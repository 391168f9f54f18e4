package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"manyi/internal/access"
	"manyi/internal/complaint"
	"manyi/internal/errs"
)

// complaintUnits are the units the demo's complaints are about, busiest first.
var complaintUnits = []string{"PROP-MDC", "PROP-YJC", "PROP-YXY", "PROP-MGQ", "PROP-WXK", "PROP-BJK", "IMC-WL", "IMC-ZD"}

var complaintTexts = map[complaint.Category][]string{
	complaint.Process:  {"报修后没有人上门确认，流程不清楚", "缴费需要跑三个窗口", "投诉电话转了三次才有人接"},
	complaint.Attitude: {"客服管家说话不耐烦", "维修人员进门不换鞋套，态度生硬", "保洁员与业主争吵"},
	complaint.Delay:    {"楼道灯坏了一周无人修", "电梯停运两天没有通知", "网络故障报修三天未处理"},
	complaint.Other:    {"小区绿化带长期无人修剪", "停车位划线不清"},
}

// complaints loads a year of complaints up to the moment of loading: every channel, some valid
// and some major, most answered in time and a few breaching their deadlines, so the clocks,
// the statistics and the escalations have something to show. The clock is set back for each
// action, so the timeline reads as it happened. It runs only after the organisation loaded.
func (l *loader) complaints(ctx context.Context, prev error) error {
	if prev != nil {
		return prev
	}
	db := l.db
	defer l.at(l.now)
	end := l.now
	clerk := access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
	rnd := rand.New(rand.NewPCG(2026, 6))
	categories := complaint.Categories
	for i := 0; i < 96; i++ {
		unit := l.units[complaintUnits[rnd.IntN(len(complaintUnits))]]
		if unit.ID == 0 {
			continue
		}
		received := end.Add(-time.Duration(rnd.IntN(365*24)) * time.Hour).Add(-time.Duration(rnd.IntN(60)) * time.Minute)
		if i < 6 { // a few fresh ones of the last two days, still open
			received = end.Add(-time.Duration(2+i*9) * time.Hour)
		}
		if _, _, bjkEmpty := storyMonths(l.historyMonths()); unit.Code == "PROP-BJK" && received.In(Zone).Format("2006-01") == bjkEmpty {
			unit = l.units["PROP-WXK"] // 保洁科 has no evidence at all that month (assessment.go)
		}
		cat := categories[rnd.IntN(len(categories))]
		texts := complaintTexts[cat]
		channel := complaint.Channels[rnd.IntN(len(complaint.Channels))]
		contact := l.phones.next()
		if i%11 == 0 && i > 0 {
			contact = "13912345678" // a repeat complainant
		}
		l.at(received)
		c, err := complaint.Register(ctx, db, clerk, complaint.Input{UnitID: unit.ID, Channel: channel, Category: cat,
			Complainant: l.names.next(), Contact: contact, Description: texts[rnd.IntN(len(texts))]})
		if errs.Is(err, errs.Invalid) {
			continue // a date outside the calendar's years
		}
		if err != nil {
			return fmt.Errorf("demo complaint: %w", err)
		}
		at := func(d time.Duration) { l.at(received.Add(d)) }
		act := func(a complaint.Action) error {
			if t := db.Now(); t.After(end) {
				return nil
			}
			_, err := complaint.Act(ctx, db, clerk, c.ID, a)
			return err
		}
		// Most complaints a desk receives turn out not to be service faults; a major one,
		// harming the company's reputation, is rare.
		class := complaint.Valid
		switch r := rnd.IntN(20); {
		case r < 15:
			class = complaint.Invalid
		case r == 19:
			class = complaint.Major
		}
		steps := []struct {
			after time.Duration
			a     complaint.Action
		}{
			{2 * time.Hour, complaint.Action{Verb: complaint.Classify, Class: class, Text: map[complaint.Class]string{
				complaint.Invalid: "经核实不属于服务问题", complaint.Valid: "经查实，确属服务过错", complaint.Major: "造成业主集体投诉，严重影响公司声誉"}[class]}},
			{3 * time.Hour, complaint.Action{Verb: complaint.Reply, Text: "已收到您的投诉，我们正在核实处理。"}},
			{26 * time.Hour, complaint.Action{Verb: complaint.Resolve, Text: "已安排专人处理并回访，问题已解决。"}},
			{50 * time.Hour, complaint.Action{Verb: complaint.Confirm}},
		}
		if i%7 == 3 { // a late reply and a late solution
			steps[1].after, steps[2].after = 30*time.Hour, 6*24*time.Hour
			steps[3].after = 7 * 24 * time.Hour
		}
		if i%9 == 4 {
			steps[3].a = complaint.Action{Verb: complaint.Close}
		}
		if i%13 == 5 {
			// The root cause is noted once the complaint is settled.
			steps = append(steps, struct {
				after time.Duration
				a     complaint.Action
			}{steps[3].after + time.Hour, complaint.Action{Verb: complaint.RootCause, Text: "维修班组交接不清，工单无人跟进"}})
		}
		if i < 6 { // still open: the oldest have breached their reply deadline
			steps = steps[:1]
		}
		for _, s := range steps {
			at(s.after)
			if err := act(s.a); err != nil {
				return fmt.Errorf("demo complaint %s: %w", s.a.Verb, err)
			}
		}
	}
	// The server sweeps for due deadlines every minute; sweeping each hour of the last two
	// days, where the open complaints are, dates their reminders and escalations when due.
	for t := end.Add(-50 * time.Hour); ; t = t.Add(time.Hour) {
		if t.After(end) {
			t = end
		}
		l.at(t)
		if _, err := complaint.Sweep(ctx, db); err != nil {
			return fmt.Errorf("demo complaint sweep: %w", err)
		}
		if t.Equal(end) {
			return nil
		}
	}
}
