package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/survey"
)

// The logistics company's quarterly department assessment (docs/policies.md §3), over the twelve
// months before today: each department's monthly self-check report, filed in the first days
// of the next month (one department often late, and this month's report of another still
// missing once it is due); the work group's spot check of the middle month of each quarter
// and its callback-record audit; a key-customer questionnaire each quarter; and for the
// failing department valid complaints and a direct deduction. 储运中心 is excellent all year,
// 武汉业务部 fails. Every date is relative to the load's now, so the demo is a year old on any
// day it is loaded.

// logisticsDepts are the departments the logistics work group assesses (seed 002 附件1 第四条).
var logisticsDepts = []string{"LOG-SCJY", "LOG-WLYW", "LOG-WH", "LOG-DDCL", "LOG-CY", "LOG-ZB", "LOG-JLJC"}

// deptProfile is how a department does: its self-check range, how much lower the work
// group finds it, the key customers' levels (1 非常满意 … 5 非常不满意) and its late habits.
type deptProfile struct {
	selfLow, selfHigh int // whole points
	spotGap           int // points the spot check finds below the self-check, at most
	levels            []string
	lateDay           int // day of the next month the report is filed; 0: on the 2nd–4th
	badRecords        int // callback records found incomplete or untrue per quarter, at most
}

// The key customers' levels keep most departments near the pass mark, so that a quarter's
// rewards stay within the work group's 30,000 yuan a year (the demo's close shows it).
var logisticsProfiles = map[string]deptProfile{
	"LOG-CY":   {selfLow: 98, selfHigh: 100, levels: []string{"1"}},                                                      // excellent
	"LOG-WH":   {selfLow: 90, selfHigh: 94, spotGap: 4, levels: []string{"2", "2", "3", "1"}, lateDay: 8, badRecords: 2}, // fails
	"LOG-SCJY": {selfLow: 95, selfHigh: 98, spotGap: 1, levels: []string{"1", "2", "2"}, badRecords: 1},
	"LOG-WLYW": {selfLow: 95, selfHigh: 99, spotGap: 1, levels: []string{"1", "2", "1", "2"}},
	"LOG-DDCL": {selfLow: 94, selfHigh: 98, spotGap: 2, levels: []string{"1", "2"}, badRecords: 1},
	"LOG-ZB":   {selfLow: 96, selfHigh: 99, levels: []string{"1", "2", "2"}},
	"LOG-JLJC": {selfLow: 95, selfHigh: 98, spotGap: 1, levels: []string{"2", "2", "1"}, lateDay: 7},
}

var logisticsCustomers = map[string][]string{
	"LOG-SCJY": {"华中钢铁集团", "楚天化工", "东湖医药"},
	"LOG-WLYW": {"长江航运公司", "汉江粮油", "江城建材", "光谷电子"},
	"LOG-WH":   {"武汉粮油储备库", "汉阳汽配", "青山热电", "江夏建工"},
	"LOG-DDCL": {"华中钢铁集团", "武昌纺织"},
	"LOG-CY":   {"东风物流", "长江航运公司", "汉江粮油"},
	"LOG-ZB":   {"省交通投资", "市政建设集团", "水务集团"},
	"LOG-JLJC": {"华中钢铁集团", "青山热电", "省计量院"},
}

// logistics loads the §3 evidence; it does nothing if err is set.
func (l *loader) logistics(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	db := l.db
	realNow := db.Now
	defer func() { db.Now = realNow }()
	now := realNow().In(inspection.Zone)
	set := func(t time.Time) { db.Now = func() time.Time { return t.UTC() } }
	lists, err := inspection.ListChecklists(ctx, db, false)
	if err != nil {
		return err
	}
	var cb inspection.Checklist
	for _, c := range lists {
		if c.Code == "LOG-CB" {
			cb = c
		}
	}
	if cb.ID == 0 {
		return fmt.Errorf("demo: no callback-record checklist")
	}
	rng := rand.New(rand.NewPCG(2026, 3))
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, inspection.Zone)
	// Self-checks are filed in time order, so that a spot check always finds its month's report.
	type filed struct {
		code  string
		month time.Time
		self  inspection.Points
	}
	var reports []filed
	for back := 13; back >= 1; back-- { // 13: the oldest report is filed in the first month of the demo's year
		m := thisMonth.AddDate(0, -back, 0)
		for _, code := range logisticsDepts {
			p := logisticsProfiles[code]
			day := 2 + rng.IntN(3)
			if p.lateDay != 0 && rng.IntN(2) == 0 {
				day = p.lateDay
			}
			at := m.AddDate(0, 1, day-1).Add(9*time.Hour + time.Duration(rng.IntN(300))*time.Minute)
			if at.After(now) {
				continue // not filed yet: the board shows it as due or missing
			}
			if code == "LOG-JLJC" && back == 1 {
				continue // last month's report of 计量检测中心 has not come in
			}
			set(at)
			self := inspection.Points((p.selfLow + rng.IntN(p.selfHigh-p.selfLow+1)) * 100)
			month := m.Format("2006-01")
			if _, err := inspection.File(ctx, db, demoClerk, inspection.Input{Kind: inspection.SelfCheck, UnitID: l.units[code].ID, InspectedAt: at, Score: &self,
				Month: month, Quarter: inspection.QuarterOf(month), Note: "部门质量管理员月度自查：台账、单据凭证及信息系统数据，自查表已上传部门文件夹"}); err != nil {
				return fmt.Errorf("demo: self-check %s %s: %w", code, month, err)
			}
			reports = append(reports, filed{code, m, self})
		}
		// The work group spot-checks the middle month of each quarter on the 20th of the
		// quarter's last month, and audits the quarter's callback records the day after.
		if int(m.Month())%3 != 0 {
			continue
		}
		mid := m.AddDate(0, -1, 0).Format("2006-01")
		for _, r := range reports {
			if r.month.Format("2006-01") != mid {
				continue
			}
			p := logisticsProfiles[r.code]
			at := m.AddDate(0, 0, 19).Add(10 * time.Hour)
			if at.After(now) {
				continue
			}
			set(at)
			spot := r.self - inspection.Points(rng.IntN(p.spotGap+1)*100)
			if _, err := inspection.File(ctx, db, demoClerk, inspection.Input{Kind: inspection.SpotCheck, UnitID: l.units[r.code].ID, InspectedAt: at, Score: &spot, Month: mid,
				Note: "质量管理工作小组抽查实物、业务单式、系统数据及台账"}); err != nil {
				return fmt.Errorf("demo: spot check %s %s: %w", r.code, mid, err)
			}
			var fs []inspection.FindingInput
			for i := range rng.IntN(p.badRecords + 1) {
				it := cb.Items[i%len(cb.Items)]
				d := it.Deduction
				fs = append(fs, inspection.FindingInput{ItemID: it.ID, Description: []string{"回访记录缺少回访时间和客户签认", "回访记录与客户所述不符：客户称未接到回访电话"}[i%2], Deduction: &d})
			}
			at = at.AddDate(0, 0, 1)
			set(at)
			if _, err := inspection.File(ctx, db, demoClerk, inspection.Input{Kind: inspection.CallbackAudit, UnitID: l.units[r.code].ID, ChecklistID: cb.ID, InspectedAt: at,
				Note: "抽查本季度电话回访记录 10 份", Findings: fs}); err != nil {
				return fmt.Errorf("demo: callback audit %s %s: %w", r.code, mid, err)
			}
		}
	}
	if err := l.keyCustomers(ctx, thisMonth, now, set, rng); err != nil {
		return err
	}
	return l.logisticsComplaints(ctx, thisMonth, now, set)
}

// keyCustomers runs a key-customer questionnaire in each of the last four quarters (those
// whose answering days are over), answered online on the 15th of the quarter's last month.
func (l *loader) keyCustomers(ctx context.Context, thisMonth, now time.Time, set func(time.Time), rng *rand.Rand) error {
	ts, err := survey.ListTemplates(ctx, l.db)
	if err != nil {
		return err
	}
	var general survey.Template
	for _, x := range ts {
		if x.Code == "general-five-level" {
			general = x
		}
	}
	for back := 12; back >= 1; back-- {
		first := thisMonth.AddDate(0, -back, 0)
		if int(first.Month())%3 != 1 {
			continue
		}
		answer := first.AddDate(0, 2, 14).Add(10 * time.Hour)
		if answer.After(now) {
			continue
		}
		month := first.Format("2006-01")
		quarter := inspection.QuarterOf(month)
		set(first.Add(9 * time.Hour))
		in := survey.CampaignInput{Name: quarter + " 重点客户服务满意度问卷", Quarter: quarter, Audience: survey.KeyCustomers, TemplateID: general.ID}
		for _, code := range logisticsDepts {
			in.Units = append(in.Units, survey.CampaignUnitInput{UnitID: l.units[code].ID, Customers: logisticsCustomers[code]})
		}
		c, err := survey.CreateCampaign(ctx, l.db, demoClerk, in)
		if err != nil {
			return fmt.Errorf("demo: key-customer campaign %s: %w", quarter, err)
		}
		set(answer)
		for _, code := range logisticsDepts {
			invs, err := survey.ListInvitations(ctx, l.db, demoClerk, c.ID, survey.InvitationFilter{UnitID: l.units[code].ID, Limit: 10})
			if err != nil {
				return err
			}
			levels := logisticsProfiles[code].levels
			for i, inv := range invs {
				level := levels[(i+rng.IntN(2))%len(levels)]
				if _, err := survey.SubmitOnline(ctx, l.db, inv.Code, survey.AnswerInput{Values: map[string][]string{"overall": {level}}}, "", "demo-key-customer"); err != nil {
					return fmt.Errorf("demo: key customer %s %s: %w", code, inv.Household, err)
				}
			}
		}
	}
	return nil
}

// logisticsComplaints gives 武汉业务部 two valid complaints and a direct deduction in the last
// complete quarter, handled to the end.
func (l *loader) logisticsComplaints(ctx context.Context, thisMonth, now time.Time, set func(time.Time)) error {
	first := thisMonth.AddDate(0, -(int(thisMonth.Month())-1)%3-3, 0) // the last complete quarter
	wh := l.units["LOG-WH"].ID
	var firstID int64
	for i, d := range []string{"提货单与实际发货数量不符，客户生产线停工两小时", "预约到库时间已过仍未安排装车，也未告知原因"} {
		at := first.AddDate(0, i+1, 5).Add(14 * time.Hour)
		set(at)
		c, err := complaint.Register(ctx, l.db, demoClerk, complaint.Input{UnitID: wh, Channel: complaint.Phone, Category: complaint.Process,
			Complainant: l.names.next(), Contact: l.phones.next(), Description: d})
		if errs.Is(err, errs.Invalid) {
			continue // a date outside the calendar's years
		}
		if err != nil {
			return fmt.Errorf("demo: logistics complaint: %w", err)
		}
		if firstID == 0 {
			firstID = c.ID
		}
		for j, a := range []complaint.Action{
			{Verb: complaint.Classify, Class: complaint.Valid, Text: "经核实属实，属服务流程问题"},
			{Verb: complaint.Reply, Text: "已致电客户说明情况并致歉"},
			{Verb: complaint.Resolve, Text: "补发货物，调整装车排班"},
			{Verb: complaint.Close, Text: "客户未再回复，按解决关闭"},
		} {
			set(at.Add(time.Duration(j+1) * 3 * time.Hour))
			if _, err := complaint.Act(ctx, l.db, demoClerk, c.ID, a); err != nil {
				return fmt.Errorf("demo: logistics complaint %s: %w", a.Verb, err)
			}
		}
	}
	day := first.AddDate(0, 1, 9).Add(16 * time.Hour)
	set(day)
	if _, err := complaint.AddDirect(ctx, l.db, demoClerk, complaint.DirectInput{UnitID: wh, Day: day.Format(time.DateOnly), Points: "5",
		Reason: "主业考核：仓储盘点差错率超标，直接扣分", ComplaintID: firstID}); err != nil {
		return fmt.Errorf("demo: direct deduction: %w", err)
	}
	return nil
}
