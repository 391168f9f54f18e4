package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/improvement"
	"manyi/internal/org"
	"manyi/internal/workorder"
)

// woFaults are the maintenance centre's usual faults by team: device/system, fault, cause, measures.
var woFaults = map[string][][4]string{
	"IMC-WL": {{"办公网交换机", "整层网络不通", "交换机端口故障", "更换端口并重新配置VLAN"}, {"无线AP", "会议室无线信号弱", "AP供电模块老化", "更换PoE模块"}, {"网线", "工位电脑无法上网", "网线水晶头松动", "重新压接水晶头"}},
	"IMC-ZD": {{"办公电脑", "电脑蓝屏无法开机", "内存条接触不良", "清理金手指并重新安装内存"}, {"打印机", "打印机卡纸", "搓纸轮磨损", "更换搓纸轮"}, {"电话机", "座机无拨号音", "话机线路故障", "更换话机线"}},
	"IMC-JF": {{"机房UPS", "UPS告警", "电池组老化", "更换电池组"}, {"服务器", "业务系统访问缓慢", "磁盘空间不足", "清理日志并扩容"}, {"精密空调", "机房温度偏高", "空调滤网堵塞", "清洗滤网"}},
	"IMC-RD": {{"门禁系统", "门禁刷卡无反应", "读卡器供电中断", "更换电源适配器"}, {"监控摄像头", "监控画面黑屏", "摄像头电源故障", "更换电源并调试"}, {"广播系统", "楼层广播无声", "功放保险丝熔断", "更换保险丝"}},
}

var woPlaces = []string{"行政楼 3 层 305", "科研楼 5 层 512", "1 号厂房值班室", "综合楼 2 层会议室", "调度中心大厅", "后勤楼 1 层 108", "培训中心 4 层"}

// workorders loads work orders of the maintenance centre from the first day of the month a
// year before the current one up to yesterday: about 12 hotline orders per working day over
// the four teams, closed the same day or the next, each day's tasks drawn the next morning
// and evaluated with a plausible mix (mostly 满意, a few 基本满意, the odd 不满意 and
// unreachable reporter), repeat reports, and follow-ups filed and confirmed for the months
// before. The last two days' tasks are left open, so the queues and the overdue list have
// something to show.
func (l *loader) workorders(ctx context.Context, prev error) error {
	if prev != nil {
		return prev
	}
	db := l.db
	defer l.at(l.now)
	set := l.at
	today, start := l.today, l.month(-12)

	people, err := org.ListPeople(ctx, db, access.System, org.PersonFilter{UnitID: l.units["IMC"].ID})
	if err != nil {
		return fmt.Errorf("demo work orders: %w", err)
	}
	principal := map[int64]access.Principal{}
	maintainers := map[int64][]int64{} // team → maintainers
	foreman := map[int64]access.Principal{}
	for _, p := range people {
		pr := access.Principal{PersonID: p.ID, Name: p.Name, Grants: p.Grants}
		principal[p.ID] = pr
		for _, g := range p.Grants {
			switch g.Role {
			case access.Staff:
				maintainers[p.UnitID] = append(maintainers[p.UnitID], p.ID)
			case access.Foreman:
				foreman[p.UnitID] = pr
			}
		}
	}
	dispatcher := access.Principal{Name: "调度", Grants: []access.Grant{{Role: access.Dispatcher, UnitID: l.units["IMC"].ID}}}
	clerk := access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
	teams := []string{"IMC-WL", "IMC-ZD", "IMC-JF", "IMC-RD"}
	rnd := rand.New(rand.NewPCG(2026, 4))
	type recent struct {
		phone, device string
		team          string
	}
	var last []recent
	var days []string
	for d := start; d.Before(today); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		days = append(days, d.Format(time.DateOnly))
		for range 9 + rnd.IntN(7) {
			code := teams[rnd.IntN(len(teams))]
			team := l.units[code]
			ms := maintainers[team.ID]
			if len(ms) == 0 {
				continue
			}
			f := woFaults[code][rnd.IntN(len(woFaults[code]))]
			phone := l.phones.next()
			if len(last) > 0 && rnd.IntN(40) == 0 { // a repeat report of a recent fault
				r := last[rnd.IntN(len(last))]
				if r.team == code {
					phone, f[0] = r.phone, r.device
				}
			}
			rep := d.Add(time.Duration(8*60+rnd.IntN(9*60)) * time.Minute)
			set(rep)
			source := workorder.Hotline
			if rnd.IntN(15) == 0 {
				source = workorder.Other
			}
			contact := rep.Add(time.Duration(5+rnd.IntN(70)) * time.Minute)
			arrive := contact.Add(time.Duration(10+rnd.IntN(60)) * time.Minute)
			o, err := workorder.Register(ctx, db, dispatcher, workorder.Input{Source: source, Reporter: l.names.next(), Phone: phone,
				Location: woPlaces[rnd.IntN(len(woPlaces))], Device: f[0], Fault: f[1], TeamID: team.ID, MaintainerID: ms[rnd.IntN(len(ms))], ReportedAt: rep})
			if err != nil {
				return fmt.Errorf("demo work order: %w", err)
			}
			closed := arrive.Add(time.Duration(20+rnd.IntN(240)) * time.Minute)
			if !closed.Before(l.now) {
				continue // still open
			}
			set(closed)
			if _, err := workorder.Close(ctx, db, foreman[team.ID], o.ID, workorder.CloseInput{ClosedAt: closed, Cause: f[2], Measures: f[3],
				ContactedAt: &contact, ArrivedAt: &arrive}); err != nil {
				return fmt.Errorf("demo close: %w", err)
			}
			last = append(last, recent{phone, f[0], code})
			if len(last) > 30 {
				last = last[1:]
			}
		}
	}
	// Each day's draw runs the next morning and is worked through that day, except the last two.
	lastRated := ""
	for i, day := range days {
		d, _ := workorder.ParseDay("day", day)
		set(d.Add(24*time.Hour + 30*time.Minute))
		if !d.Add(24 * time.Hour).Before(l.now) {
			break
		}
		if _, err := workorder.Generate(ctx, db, access.System, day); err != nil {
			return fmt.Errorf("demo draw %s: %w", day, err)
		}
		if i >= len(days)-2 {
			continue
		}
		set(d.Add(24*time.Hour + 10*time.Hour))
		// The last day worked has a 不满意 callback for 网络班, so foreman.net has a follow-up to file.
		if err := l.evaluateDay(ctx, day, principal, foreman, rnd, i == len(days)-3); err != nil {
			return err
		}
		lastRated = day
	}
	// Meetings on the 8th of each month; follow-ups of the months before filed and confirmed.
	for m := start; !m.After(today); m = m.AddDate(0, 1, 0) {
		set(m)
		month := m.Format("2006-01")
		if err := workorder.SetMeeting(ctx, db, clerk, month, m.AddDate(0, 0, 7).Format(time.DateOnly)); err != nil {
			return fmt.Errorf("demo meeting: %w", err)
		}
		// The follow-ups of the latest month with ratings are left for the foremen.
		if month >= lastRated[:min(7, len(lastRated))] || m.AddDate(0, 1, 3).After(l.now) {
			continue
		}
		set(m.AddDate(0, 1, 3))
		fus, err := workorder.FollowUps(ctx, db, access.System, month)
		if err != nil {
			return err
		}
		for i, f := range fus {
			visited := m.AddDate(0, 1, 2).Format(time.DateOnly)
			if err := workorder.FileFollowUp(ctx, db, foreman[f.Order.TeamID], f.ID, workorder.FollowUpInput{VisitedOn: visited,
				Findings: "报修人反映维修人员到场较晚，对处理过程解释不够", Rectification: "班组内部通报，要求接单后 30 分钟内电话联系报修人并说明到场时间",
				Improvement: improvementTitles[(i+int(f.ID))%len(improvementTitles)]}); err != nil {
				return fmt.Errorf("demo follow-up: %w", err)
			}
			if i%4 == 3 && m.AddDate(0, 2, 0).After(today) {
				// Left for the meeting: in the latest month filed, a quarter of the items stay in
				// progress; those of older months were verified, as a working clerk would have.
				continue
			}
			if err := workorder.DecideFollowUp(ctx, db, clerk, f.ID, true); err != nil {
				return fmt.Errorf("demo follow-up decision: %w", err)
			}
			items, err := improvement.BySource(ctx, db, improvement.WorkOrderFollowUp, []string{strconv.FormatInt(f.ID, 10)})
			if err != nil {
				return err
			}
			for _, id := range items {
				if _, err := improvement.Report(ctx, db, foreman[f.Order.TeamID], id, "已在班组内通报并培训，次月抽查首次联系时间均在 30 分钟内"); err != nil {
					return fmt.Errorf("demo improvement report: %w", err)
				}
				if _, err := improvement.Verify(ctx, db, clerk, id, improvement.Verification{Accept: true}); err != nil {
					return fmt.Errorf("demo improvement decision: %w", err)
				}
			}
		}
	}
	return l.dutyRoster(ctx, clerk, today)
}

// dutyRoster puts two of the dispatchers on callback duty on each of the next seven days,
// in turn; managers are left off, so all of them stay on duty.
func (l *loader) dutyRoster(ctx context.Context, clerk access.Principal, today time.Time) error {
	from := workorder.DayOf(today.AddDate(0, 0, 1))
	r, err := workorder.LoadRoster(ctx, l.db, clerk, from)
	if err != nil {
		return err
	}
	var disp []int64
	for _, c := range r.Callers {
		if c.Role == access.Dispatcher {
			disp = append(disp, c.PersonID)
		}
	}
	on := map[string][]int64{}
	for i, day := range r.Days {
		for j := range min(2, len(disp)) {
			on[day] = append(on[day], disp[(2*i+j)%len(disp)])
		}
	}
	if err := workorder.SetRoster(ctx, l.db, clerk, r.Days, on); err != nil {
		return fmt.Errorf("demo duty roster: %w", err)
	}
	return nil
}

// evaluateDay rates every task of the orders closed on day.
func (l *loader) evaluateDay(ctx context.Context, day string, principal map[int64]access.Principal, foreman map[int64]access.Principal, rnd *rand.Rand, wantUnhappy bool) error {
	unhappyTeam := l.units["IMC-WL"].ID
	// The draw assigns each callback to a dispatcher or manager; each reads their queue once
	// and works through the day's tasks, calling an unreachable reporter again until the
	// callback is settled as unreachable.
	for _, p := range sortedPrincipals(principal) {
		if !p.Has(access.Dispatcher) && !p.Has(access.Manager) {
			continue
		}
		tasks, _, err := workorder.Queue(ctx, l.db, p, workorder.Callback, 200)
		if err != nil {
			return err
		}
		for _, k := range tasks {
			if k.Day != day {
				continue
			}
			in := workorder.EvalInput{OrderID: k.Order.ID, Kind: workorder.Callback}
			switch r := int(k.Order.ID * 7919 % 100); {
			case r < 3:
				in.Unreachable = true
			case r < 7:
				in.Score, in.NoteSpeed, in.Comment = workorder.Dissatisfied, "接报后两个多小时才联系", "希望维修人员及时回电告知到场时间"
			case r < 22:
				in.Score, in.NoteDevice = workorder.Basic, "已修复，偶有卡顿"
			default:
				in.Score = workorder.Satisfied
			}
			if wantUnhappy && k.Order.TeamID == unhappyTeam {
				in.Unreachable, in.Score, in.NoteSpeed, in.Comment = false, workorder.Dissatisfied, "维修人员当天没有到场", "希望维修人员按约定时间上门"
				wantUnhappy = false
			}
			for range workorder.MaxAttempts {
				t, err := workorder.Evaluate(ctx, l.db, p, in)
				if err != nil {
					return fmt.Errorf("demo callback: %w", err)
				}
				if !in.Unreachable || t.Unreachable() {
					break
				}
			}
		}
	}
	for _, f := range sortedPrincipals(foreman) {
		tasks, _, err := workorder.Queue(ctx, l.db, f, workorder.SelfEvaluation, 500)
		if err != nil {
			return err
		}
		for _, k := range tasks {
			if k.Day != day {
				continue
			}
			in := workorder.EvalInput{OrderID: k.Order.ID, Kind: workorder.SelfEvaluation, Score: workorder.Satisfied}
			switch r := rnd.IntN(100); {
			case r < 3:
				in.Score, in.Comment = workorder.Dissatisfied, "原因分析不完整，班组内部整改：工单须写明故障点"
			case r < 25:
				in.Score, in.Comment = workorder.Basic, "处理得当，工单描述可更详细"
			}
			if _, err := workorder.Evaluate(ctx, l.db, f, in); err != nil {
				return fmt.Errorf("demo self-evaluation: %w", err)
			}
		}
	}
	return nil
}

// sortedPrincipals lists the map's principals by person id, so the demo is the same every load.
func sortedPrincipals(m map[int64]access.Principal) []access.Principal {
	out := make([]access.Principal, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PersonID < out[j].PersonID })
	return out
}

// improvementTitles name the demo's service-improvement items.
var improvementTitles = []string{"缩短首次联系时间", "到场前电话告知预计时间", "维修过程解释与回访话术", "常用备件安全库存"}
