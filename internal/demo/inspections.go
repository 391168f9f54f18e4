package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/sampling"
)

// The demo's inspections: checklists for the property areas, the care home's rounds and the
// logistics company's callback-record audits; a year of care-home rounds (every month of the
// history) whose deductions are signed off by the director, with one care worker at 30 points
// last month (base salary only) and another at 30 or more in both of the last two months
// (dismissal review); the logistics
// departments' monthly self-checks and the work group's spot checks; this month's open
// findings awaiting sign-off and rectification, one overdue; duty rounds of the last days
// against the 10-point quota; and the weekly sampling plans of docs/policies.md §6 with the last two
// complete weeks drawn and checked. The property areas' monthly inspections are filed by
// assessment.go through inspect, in step with the survey evidence of the same months.

var demoChecklists = []inspection.ChecklistInput{
	{Code: "PROP-STD", Name: "物业服务工作标准检查表", UnitKind: "area", Items: `P01 | 公共区域保洁不到位 | 1
P02 | 设施报修响应超时 | 1
P03 | 值守人员脱岗、着装不规范 | 1
P04 | 绿化养护不到位 | 1
P05 | 客服接待不规范、未使用文明用语 | 1`},
	{Code: "CARE-ROUND", Name: "养老中心查房检查表", UnitKind: "section", Items: `C01 | 未按时为卧床老人翻身 | 5 | 2-10 | person
C02 | 护理记录不全或未及时填写 | 3 | 1-5 | person
C03 | 房间及老人个人卫生不合格 | 2 | 1-5 | person
C04 | 用药核对不规范 | 10 | 5-15 | person
C05 | 值班期间脱岗 | 10 | 5-15 | person
C06 | 设施设备隐患未上报 | 2 | 1-3`},
	{Code: "LOG-CB", Name: "电话回访记录抽查表", UnitKind: "department", Items: `CB1 | 回访记录不完整 | 0.5 | 0.5-1
CB2 | 回访记录不真实 | 1 | 0.5-1`},
}

var demoSamplingPlans = []sampling.PlanInput{
	{Code: "IMPL", Name: "实施项目（A–D 阶段）", Source: sampling.FromImport, MinCount: 2, Strata: "A,B,C,D"},
	{Code: "ONSITE", Name: "现场维护工单", Source: sampling.FromWorkOrders, MinCount: 10},
	{Code: "TRAIN", Name: "培训学员", Source: sampling.FromImport, MinBP: 500},
	{Code: "CONTRACT", Name: "合同", Source: sampling.FromImport, MinCount: 5},
}

// inspections loads everything above but the property areas' inspections; it does nothing if
// err is set.
func (l *loader) inspections(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	lists := map[string]inspection.Checklist{}
	for _, in := range demoChecklists {
		c, err := inspection.SaveChecklist(ctx, l.db, demoClerk, in)
		if err != nil {
			return fmt.Errorf("demo: checklist %s: %w", in.Code, err)
		}
		lists[in.Code] = c
	}
	if err := l.careRounds(ctx, lists["CARE-ROUND"]); err != nil {
		return err
	}
	if err := l.openFindings(ctx, lists); err != nil {
		return err
	}
	return l.sampling(ctx)
}

// inspect files a routine property inspection of unit code on day (10:00 local) finding
// problems problems, one per item in turn; the unit-monthly close counts them.
func (l *loader) inspect(ctx context.Context, code, day string, problems int) error {
	lists, err := inspection.ListChecklists(ctx, l.db, false)
	if err != nil {
		return err
	}
	var cl inspection.Checklist
	for _, c := range lists {
		if c.Code == "PROP-STD" {
			cl = c
		}
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", day+" 10:00", inspection.Zone)
	if err != nil {
		return err
	}
	in := inspection.Input{Kind: inspection.Routine, UnitID: l.units[code].ID, ChecklistID: cl.ID, InspectedAt: at, Note: inspectionNote(problems)}
	l.at(at)
	for i := range problems {
		it := cl.Items[i%len(cl.Items)]
		in.Findings = append(in.Findings, inspection.FindingInput{ItemID: it.ID, Description: it.Text})
	}
	if _, err := inspection.File(ctx, l.db, demoClerk, in); err != nil {
		return fmt.Errorf("demo: inspection %s %s: %w", code, day, err)
	}
	return nil
}

func (l *loader) peopleTitled(ctx context.Context, code, title string) ([]org.Person, error) {
	ps, err := org.ListPeople(ctx, l.db, access.System, org.PersonFilter{UnitID: l.units[code].ID})
	if err != nil {
		return nil, err
	}
	var out []org.Person
	for _, p := range ps {
		if p.Title == title && p.UnitID == l.units[code].ID {
			out = append(out, p)
		}
	}
	return out, nil
}

// careHead signs off the care home's deductions: the director, head of the whole home.
func (l *loader) careHead() access.Principal {
	return access.Principal{Username: "head.care", Name: "徐淑珍", Grants: []access.Grant{{Role: access.UnitHead, UnitID: l.units["CARE"].ID}}}
}

// careRounds files the director's and the ward rounds of each month of the history in the two
// wards, each finding charging a care worker and signed off. Worker 0 of 一病区 reaches 30
// points last month; worker 0 of 二病区 reaches 30 or more in the month before and last month.
func (l *loader) careRounds(ctx context.Context, cl inspection.Checklist) error {
	rng := rand.New(rand.NewPCG(2026, 7))
	head := l.careHead()
	type ward struct {
		code    string
		workers []org.Person
	}
	var wards []ward
	for _, code := range []string{"CARE-BQ1", "CARE-BQ2"} {
		ws, err := l.peopleTitled(ctx, code, "护理员")
		if err != nil || len(ws) == 0 {
			return fmt.Errorf("demo: care workers of %s: %v", code, err)
		}
		wards = append(wards, ward{code, ws})
	}
	months := l.historyMonths()
	last, before := months[len(months)-1], months[len(months)-2]
	// heavy lists the deductions (item index, points) of the scenario's months.
	heavy := map[string][][2]int{
		"CARE-BQ1/" + last:   {{0, 10}, {3, 10}, {1, 5}, {2, 5}},         // 30: base salary only
		"CARE-BQ2/" + before: {{3, 15}, {0, 8}, {1, 5}, {2, 4}},          // 32
		"CARE-BQ2/" + last:   {{4, 10}, {3, 10}, {0, 6}, {1, 4}, {2, 3}}, // 33: second month → dismissal review
	}
	for _, month := range months {
		for _, w := range wards {
			var findings []inspection.FindingInput
			for _, d := range heavy[w.code+"/"+month] {
				it := cl.Items[d[0]]
				p := inspection.Points(d[1] * 100)
				findings = append(findings, inspection.FindingInput{ItemID: it.ID, Description: it.Text, Deduction: &p, PersonID: w.workers[0].ID})
			}
			for range 1 + rng.IntN(3) {
				it := cl.Items[rng.IntN(3)]
				worker := w.workers[1+rng.IntN(len(w.workers)-1)]
				findings = append(findings, inspection.FindingInput{ItemID: it.ID, Description: it.Text, PersonID: worker.ID})
			}
			// Half the findings on the director's round, half on a ward round, ten days apart.
			half := len(findings) / 2
			for i, part := range [][]inspection.FindingInput{findings[:half], findings[half:]} {
				kind, actor := inspection.DirectorRound, head
				if i == 1 {
					kind, actor = inspection.WardRound, demoClerk
				}
				at, _ := time.ParseInLocation("2006-01-02 15:04", fmt.Sprintf("%s-%02d 09:30", month, 8+i*10), inspection.Zone)
				l.at(at)
				ins, err := inspection.File(ctx, l.db, actor, inspection.Input{Kind: kind, UnitID: l.units[w.code].ID, ChecklistID: cl.ID, InspectedAt: at, Findings: part})
				if err != nil {
					return fmt.Errorf("demo: round %s %s: %w", w.code, month, err)
				}
				if err := l.signAll(ctx, head, ins.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// signAll signs off the inspection's pending findings two hours after it was filed (or at
// the moment of loading, if sooner).
func (l *loader) signAll(ctx context.Context, head access.Principal, inspectionID int64) error {
	d, err := inspection.Get(ctx, l.db, access.System, inspectionID)
	if err != nil {
		return err
	}
	l.atMost(d.InspectedAt.Add(2 * time.Hour))
	for _, f := range d.Findings {
		if f.Signoff != inspection.Pending {
			continue
		}
		if _, err := inspection.SignOff(ctx, l.db, head, f.ID, true, ""); err != nil {
			return fmt.Errorf("demo: sign-off %d: %w", f.ID, err)
		}
	}
	return nil
}

// openFindings files this month's work still under way: a property inspection whose
// findings ask for rectification (one already overdue), a ward round awaiting the director's
// sign-off, a signed deduction of the nurse who has a login, and the duty officers' rounds of
// the last three days, one officer meeting the daily quota and one short of it.
func (l *loader) openFindings(ctx context.Context, lists map[string]inspection.Checklist) error {
	defer l.at(l.now)
	day := func(back int) time.Time { return l.today.AddDate(0, 0, -back).Add(10 * time.Hour) }
	prop := lists["PROP-STD"]
	l.at(day(6))
	if _, err := inspection.File(ctx, l.db, demoClerk, inspection.Input{Kind: inspection.Routine, UnitID: l.units["PROP-MDC"].ID, ChecklistID: prop.ID, InspectedAt: day(6),
		Note: "月度服务标准检查", Findings: []inspection.FindingInput{
			{ItemID: prop.Items[0].ID, Description: "3 号楼楼道堆放杂物未清理", RectifyDue: day(3).Format("2006-01-02")},
			{ItemID: prop.Items[1].ID, Description: "12 栋电梯报修 2 小时未响应", RectifyDue: day(-4).Format("2006-01-02")},
		}}); err != nil {
		return fmt.Errorf("demo: open inspection: %w", err)
	}
	care := lists["CARE-ROUND"]
	ws, err := l.peopleTitled(ctx, "CARE-BQ1", "护理员")
	if err != nil {
		return err
	}
	l.at(day(1))
	if _, err := inspection.File(ctx, l.db, demoClerk, inspection.Input{Kind: inspection.WardRound, UnitID: l.units["CARE-BQ1"].ID, ChecklistID: care.ID, InspectedAt: day(1),
		Findings: []inspection.FindingInput{{ItemID: care.Items[1].ID, Description: "3 床护理记录缺晚班记录", PersonID: ws[len(ws)-1].ID, RectifyDue: day(-2).Format("2006-01-02")}}}); err != nil {
		return fmt.Errorf("demo: pending round: %w", err)
	}
	// 杨春梅 (nurse1) has a signed-off deduction: her notice and her month are there to see.
	nurses, err := l.peopleTitled(ctx, "CARE-BQ1", "护士")
	if err != nil || len(nurses) == 0 {
		return fmt.Errorf("demo: nurses: %v", err)
	}
	for _, n := range nurses {
		if n.Name != "杨春梅" {
			continue
		}
		l.at(day(2))
		ins, err := inspection.File(ctx, l.db, l.careHead(), inspection.Input{Kind: inspection.DirectorRound, UnitID: l.units["CARE-BQ1"].ID, ChecklistID: care.ID, InspectedAt: day(2),
			Findings: []inspection.FindingInput{{ItemID: care.Items[1].ID, Description: "5 床用药记录未双人签字", PersonID: n.ID}}})
		if err != nil {
			return fmt.Errorf("demo: nurse's round: %w", err)
		}
		if err := l.signAll(ctx, l.careHead(), ins.ID); err != nil {
			return err
		}
	}
	officers, err := l.peopleTitled(ctx, "CARE-ZHB", "行政总值班")
	if err != nil || len(officers) < 2 {
		return fmt.Errorf("demo: duty officers: %v", err)
	}
	head := l.careHead()
	for back := 1; back <= 3; back++ {
		for i, o := range officers[:2] {
			var fs []inspection.FindingInput
			items := [][2]int{{2, 200}, {1, 300}, {0, 500}} // 10 points: the quota
			if i == 1 {
				items = items[:2] // 5 points: short
			}
			for _, x := range items {
				p := inspection.Points(x[1])
				ward := []string{"CARE-BQ1", "CARE-BQ2"}[back%2]
				wk, err := l.peopleTitled(ctx, ward, "护理员")
				if err != nil {
					return err
				}
				fs = append(fs, inspection.FindingInput{ItemID: care.Items[x[0]].ID, Description: care.Items[x[0]].Text, Deduction: &p, PersonID: wk[1].ID})
			}
			l.at(day(back).Add(time.Duration(8+i) * time.Hour))
			ins, err := inspection.File(ctx, l.db, demoClerk, inspection.Input{Kind: inspection.DutyRound, UnitID: l.units["CARE"].ID, ChecklistID: care.ID,
				InspectorID: o.ID, InspectedAt: day(back).Add(time.Duration(8+i) * time.Hour), Findings: fs})
			if err != nil {
				return fmt.Errorf("demo: duty round: %w", err)
			}
			if err := l.signAll(ctx, head, ins.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// sampling creates the weekly plans and draws and checks the 52 complete weeks before this one.
func (l *loader) sampling(ctx context.Context) error {
	var plans []sampling.Plan
	for _, in := range demoSamplingPlans {
		p, err := sampling.SavePlan(ctx, l.db, demoClerk, in)
		if err != nil {
			return fmt.Errorf("demo: sampling plan %s: %w", in.Code, err)
		}
		plans = append(plans, p)
	}
	// A year of weeks, each drawn on the Monday after it and checked on the Tuesday.
	defer l.at(l.now)
	for back := 52; back >= 1; back-- {
		week := sampling.WeekOf(l.today.AddDate(0, 0, -7*back))
		monday, _, err := sampling.WeekDays(week)
		if err != nil {
			return err
		}
		drawn, _ := time.ParseInLocation(time.DateOnly, monday, Zone)
		drawn = drawn.AddDate(0, 0, 7).Add(9 * time.Hour)
		for i, p := range plans {
			l.atMost(drawn)
			seed := int64(20260000 + back*10 + i)
			in := sampling.DrawInput{PlanID: p.ID, Week: week, Seed: &seed, Population: demoPopulation(p.Code, week)}
			s, err := sampling.DrawWeek(ctx, l.db, demoClerk, in)
			if errs.As(err).Key == "sampling.population_empty" {
				continue // no work orders that week
			}
			if err != nil {
				return fmt.Errorf("demo: draw %s %s: %w", p.Code, week, err)
			}
			l.atMost(drawn.Add(25 * time.Hour))
			for j, it := range s.Items {
				result, note := "ok", ""
				if j == 1 && (back+i)%3 == 0 {
					result, note = "problem", "记录不完整，已要求补充"
				}
				if err := sampling.CheckItem(ctx, l.db, demoClerk, it.ID, result, note); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// demoPopulation is the list the clerk would import for a plan's week.
func demoPopulation(code, week string) string {
	var b []byte
	add := func(format string, args ...any) { b = fmt.Appendf(b, format+"\n", args...) }
	switch code {
	case "IMPL":
		for i, stage := range []string{"A", "A", "B", "B", "B", "C", "C", "D", "D"} {
			add("P%s-%02d,%s客户信息化实施项目 %d,%s", week[6:], i+1, []string{"广州", "深圳", "佛山", "东莞"}[i%4], i+1, stage)
		}
	case "TRAIN":
		for i := range 120 {
			add("T%s-%03d,培训学员 %03d,", week[6:], i+1, i+1)
		}
	case "CONTRACT":
		for i := range 18 {
			add("C%s-%02d,维护服务合同 %02d,", week[6:], i+1, i+1)
		}
	}
	return string(b)
}
