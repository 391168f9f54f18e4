package demo

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/access"
	"manyi/internal/survey"
)

// The demo's quarterly satisfaction survey (seed 001): a campaign for each quarter the demo's
// year touches, up to the current one, over the property company's four areas and the three
// sections that serve residents, run by the Quality Department's clerk. The paper
// questionnaires come from the assessment history's survey bands (surveyBands below), each
// evaluation repeated so the areas' response rates look like a real quarter: 月季处 and 玫瑰区
// stay below their thresholds. The current quarter is still open, with paper answers of this
// month so far and codes left for residents to answer online.

// surveyCampaignUnits are the campaign's units; sections have no households in the
// organisation, so the campaign gives the households it hands questionnaires to.
var surveyCampaignUnits = []string{"PROP-MDC", "PROP-YJC", "PROP-YXY", "PROP-MGQ", "PROP-WXK", "PROP-BJK", "PROP-LHK"}

const sectionHouseholds, sectionThresholdBP = 300, 1000

// surveyReplicas is how many questionnaires stand for each evaluation of the history: the
// mean band of a month, which unit-monthly scores, stays exactly that of the history.
var surveyReplicas = map[string]int{"PROP-MDC": 9, "PROP-YJC": 4, "PROP-YXY": 9, "PROP-MGQ": 8, "PROP-WXK": 2, "PROP-BJK": 2, "PROP-LHK": 2}

// quarters are the demo's campaign quarters, oldest first: from the first month of the
// history to the current one.
func (l *loader) quarters() []string { return quartersFrom(l.month(-12), l.today) }

// quartersFrom are the quarters from the one of first to the one of today, oldest first.
func quartersFrom(first, today time.Time) []string {
	var out []string
	for m := first; !m.After(today); m = m.AddDate(0, 3, 0) {
		out = append(out, survey.QuarterOf(m))
	}
	if q := survey.QuarterOf(today); out[len(out)-1] != q {
		out = append(out, q)
	}
	return out
}

// campaignTitle names a quarter's campaign of a kind ("客户服务", "维修服务"), as the Quality
// Department does: "2026 年第四季度客户服务满意度调查".
func campaignTitle(quarter, kind string) string {
	var year, n int
	fmt.Sscanf(quarter, "%d-Q%d", &year, &n)
	return fmt.Sprintf("%d 年第%s季度%s满意度调查", year, []string{"一", "二", "三", "四"}[n-1], kind)
}

// campaignCreated is when a quarter's campaign is created: a week before the quarter starts.
func campaignCreated(quarter string) time.Time {
	var year, n int
	fmt.Sscanf(quarter, "%d-Q%d", &year, &n)
	return time.Date(year, time.Month(3*n-2), 1, 9, 0, 0, 0, Zone).AddDate(0, 0, -7)
}

// surveyOpinions are what residents wrote on questionnaires rated 一般 or worse, with the
// problem location and type the clerk classified them by.
var surveyOpinions = []struct{ opinion, location, kind string }{
	{"楼道灯坏了一个多星期没人修", "楼道/电梯", "设施维修"},
	{"地下车库积水，下雨天很难走", "地下车库", "设施维修"},
	{"垃圾桶周边清理不及时，有异味", "小区道路", "保洁卫生"},
	{"夜间门岗经常无人值守", "门岗", "安全秩序"},
	{"草坪杂草多，修剪不及时", "绿地", "绿化养护"},
	{"报修电话打了两次才有人接", "物业服务中心", "服务态度"},
	{"电梯按钮失灵，报修后三天才修好", "楼道/电梯", "设施维修"},
	{"外来车辆乱停占用消防通道", "小区道路", "安全秩序"},
}

// surveys creates the campaigns; the history's answers are added by surveyBands as the
// assessment history is loaded.
func (l *loader) surveys(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if err := survey.SeedTemplates(ctx, l.db); err != nil {
		return fmt.Errorf("demo: survey templates: %w", err)
	}
	ts, err := survey.ListTemplates(ctx, l.db)
	if err != nil {
		return err
	}
	var tmpl int64
	for _, t := range ts {
		if t.Code == "property-quarterly" {
			tmpl = t.ID
		}
	}
	defer l.at(l.now)
	for _, q := range l.quarters() {
		l.atMost(campaignCreated(q))
		in := survey.CampaignInput{Name: campaignTitle(q, "客户服务"), Quarter: q, TemplateID: tmpl}
		for _, code := range surveyCampaignUnits {
			cu := survey.CampaignUnitInput{UnitID: l.units[code].ID}
			if l.units[code].Households == nil {
				hh, th := sectionHouseholds, sectionThresholdBP
				cu.Households, cu.ThresholdBP = &hh, &th
			}
			in.Units = append(in.Units, cu)
		}
		if _, err := survey.CreateCampaign(ctx, l.db, demoClerk, in); err != nil {
			return fmt.Errorf("demo: campaign %s: %w", q, err)
		}
	}
	return nil
}

// campaignOf is the demo campaign of a quarter.
func (l *loader) campaignOf(ctx context.Context, quarter string) (survey.Campaign, error) {
	cs, err := survey.ListCampaigns(ctx, l.db, demoClerk, survey.CampaignFilter{})
	if err != nil {
		return survey.Campaign{}, err
	}
	for _, c := range cs {
		if c.Quarter == quarter && c.Audience != survey.KeyCustomers {
			return c, nil
		}
	}
	return survey.Campaign{}, fmt.Errorf("demo: no campaign for %s", quarter)
}

// surveyBands records a unit's survey evaluations of a month as returned paper
// questionnaires of the quarter's campaign: each band surveyReplicas times, spread over the
// month's 3rd to 27th (before the quarter's snapshot on the 28th). The first copy of an
// evaluation of 一般 or worse carries an opinion, which opens a follow-up.
func (l *loader) surveyBands(ctx context.Context, code, month string, bands []int) error {
	if len(bands) == 0 {
		return nil
	}
	var m int
	fmt.Sscanf(month[5:], "%d", &m)
	q := fmt.Sprintf("%s-Q%d", month[:4], (m+2)/3)
	var rows []survey.ImportRow
	today := l.today.Format(time.DateOnly)
	for i, b := range bands {
		for k := range surveyReplicas[code] {
			r := survey.ImportRow{UnitID: l.units[code].ID, AnsweredOn: fmt.Sprintf("%s-%02d", month, 3+(i*5+k*3)%25), Level: bandLevel(b)}
			if r.AnsweredOn >= today {
				continue // the current month: only what came back before today
			}
			if b <= 12 && k == 0 {
				o := surveyOpinions[(i+m+len(code))%len(surveyOpinions)]
				r.Opinion, r.Location, r.ProblemType = o.opinion, o.location, o.kind
			}
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	c, err := l.campaignOf(ctx, q)
	if err != nil {
		return err
	}
	// Typed in as the month's questionnaires come back, at the end of its 27th.
	end, _ := time.ParseInLocation(time.DateOnly, month+"-27", Zone)
	l.atMost(end.Add(18 * time.Hour))
	defer l.at(l.now)
	if _, err := survey.Import(ctx, l.db, demoClerk, c.ID, rows); err != nil {
		return fmt.Errorf("demo: survey answers %s %s: %w", code, month, err)
	}
	return nil
}

// bandLevel is the property questionnaire's level of a band: 很满意 (20) is level 1.
func bandLevel(band int) int { return (20-band)/4 + 1 }

// surveyStories adds what a year of survey work leaves behind: follow-ups answered by the
// units a few days after the answer and checked by the Quality Department (all but half of the
// last closed quarter's and none of the current one's), a verified fault in the quarter of
// 玫瑰区's first failure (faultMonth), an improper-means case in improperMonth, and a few
// online answers of the open current quarter, one of them found fake.
func (l *loader) surveyStories(ctx context.Context, faultMonth, improperMonth string) error {
	defer l.at(l.now)
	quarters := l.quarters()
	current, previous := quarters[len(quarters)-1], quarters[len(quarters)-2]
	heads := map[int64]access.Principal{}
	for _, code := range surveyCampaignUnits {
		u := l.units[code]
		heads[u.ID] = access.Principal{Username: surveyHeads[code], Name: u.Name + "负责人", Grants: []access.Grant{{Role: access.UnitHead, UnitID: u.ID}}}
	}
	fs, err := survey.ListFollowups(ctx, l.db, demoClerk, survey.FollowupFilter{Limit: 1000})
	if err != nil {
		return err
	}
	for i, f := range fs {
		a, _, err := survey.GetAnswer(ctx, l.db, demoClerk, f.AnswerID)
		if err != nil {
			return err
		}
		q := survey.QuarterOf(a.AnsweredAt)
		if q == current || (q == previous && i%2 == 0) {
			continue
		}
		in := survey.FollowupInput{Cause: "经现场核实，" + a.Opinion, Action: "已安排专人处理并明确责任人", Outcome: "已电话回访业主，问题已解决"}
		if a.ProblemType == "安全秩序" && i%3 == 0 {
			in = survey.FollowupInput{Escalate: true, Escalation: "涉及公安交管，已报公司协调并向业主解释"}
		}
		l.atMost(a.AnsweredAt.AddDate(0, 0, 4))
		if err := survey.RecordFollowup(ctx, l.db, heads[f.UnitID], f.ID, in); err != nil {
			return fmt.Errorf("demo: follow-up %d: %w", f.ID, err)
		}
		l.atMost(a.AnsweredAt.AddDate(0, 0, 6))
		if err := survey.CloseFollowup(ctx, l.db, demoClerk, f.ID, "品质部抽查回访，情况属实"); err != nil {
			return fmt.Errorf("demo: close follow-up %d: %w", f.ID, err)
		}
	}
	fm, _ := time.ParseInLocation("2006-01", faultMonth, Zone)
	fq, err := l.campaignOf(ctx, survey.QuarterOf(fm))
	if err != nil {
		return err
	}
	bad, _, err := survey.ListAnswers(ctx, l.db, demoClerk, survey.AnswerFilter{CampaignID: fq.ID, UnitID: l.units["PROP-MGQ"].ID, Limit: 500})
	if err != nil {
		return err
	}
	for _, a := range bad {
		if a.Dissatisfied {
			l.atMost(a.AnsweredAt.AddDate(0, 0, 3))
			if err := survey.SetFault(ctx, l.db, demoClerk, a.ID, true, "经查实：报修后未按承诺时间上门，确有过错"); err != nil {
				return fmt.Errorf("demo: fault: %w", err)
			}
			break
		}
	}
	if err := l.onlineAnswers(ctx, current); err != nil {
		return err
	}
	l.atMost(mustMonth(improperMonth).AddDate(0, 0, 20).Add(10 * time.Hour))
	if _, err := survey.RecordImproper(ctx, l.db, demoClerk, l.units["PROP-YJC"].ID, improperMonth+"-18", "客服管家代业主填写问卷 6 份，经查属实"); err != nil {
		return fmt.Errorf("demo: improper: %w", err)
	}
	return nil
}

// surveyHeads are the demo accounts of the areas' heads, who answer their follow-ups; the
// sections' heads have none and act as the system.
var surveyHeads = map[string]string{"PROP-MDC": "head.mudan", "PROP-YJC": "head.yueji", "PROP-YXY": "head.yongxin", "PROP-MGQ": "head.meigui"}

// onlineAnswers answers a few invitations of the current quarter online, as residents would
// from the QR code, over today so far, and marks one of them fake. They fall in the current
// month, whose close nobody has started, so the closed history does not change.
func (l *loader) onlineAnswers(ctx context.Context, quarter string) error {
	q4, err := l.campaignOf(ctx, quarter)
	if err != nil {
		return err
	}
	if !q4.AcceptsOnline(survey.Day(l.now)) {
		return nil
	}
	answers := []survey.AnswerInput{
		{Values: map[string][]string{"overall": {"1"}, "cleaning": {"1"}, "repair": {"2"}, "channel": {"3"}, "concerns": {"1", "2"}}},
		{Values: map[string][]string{"overall": {"2"}, "security": {"3"}}, Opinion: "快递柜附近晚上照明不足", Location: "小区道路", ProblemType: "安全秩序", Respondent: "陈女士", Phone: "13912345678"},
		{Values: map[string][]string{"overall": {"4"}, "repair": {"5"}}, Opinion: "家里水管漏水报修后等了两天", Location: "户内", ProblemType: "设施维修"},
	}
	var fake int64
	for i, code := range []string{"PROP-MDC", "PROP-YXY"} {
		invs, err := survey.ListInvitations(ctx, l.db, demoClerk, q4.ID, survey.InvitationFilter{UnitID: l.units[code].ID, Unanswered: true, From: 300, Limit: len(answers)})
		if err != nil {
			return err
		}
		for j, inv := range invs {
			l.at(l.today.Add(time.Duration(3*i+j+1) * l.now.Sub(l.today) / 7)) // spread over today so far
			rc, err := survey.SubmitOnline(ctx, l.db, inv.Code, answers[j], "", fmt.Sprintf("demo-phone-%d-%d", i, j))
			if err != nil {
				return fmt.Errorf("demo: online answer: %w", err)
			}
			fake = rc.AnswerID
		}
	}
	if fake != 0 {
		l.at(l.now)
		return survey.Mark(ctx, l.db, demoClerk, fake, survey.Fake, "回访核实：该户业主表示未填写过问卷")
	}
	return nil
}

// mustMonth is the first day of month ("2006-01"), a month the demo made itself.
func mustMonth(month string) time.Time {
	t, err := time.ParseInLocation("2006-01", month, Zone)
	if err != nil {
		panic(err)
	}
	return t
}
