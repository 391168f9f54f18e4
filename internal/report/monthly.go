package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/locale"
	"manyi/internal/scheme"
	"manyi/internal/workorder"
)

// The monthly comprehensive performance report (月度综合绩效考核报告): every unit's unit-monthly
// result with its components and grade, compared with the previous month and the same month
// last year; the units without an opinion or incomplete; year-end award eligibility; the
// month's complaints and follow-ups; the maintenance centre's ranking; the care homes'
// deductions; the month's money lines.

// BuildMonthly builds the monthly report of month (2026-10).
func BuildMonthly(ctx context.Context, env Env, actor access.Principal, lang locale.Lang, month string) (Report, error) {
	now := env.DB.Now().In(env.Zone)
	from, to, err := ParsePeriod(Monthly, month, now, env.Zone)
	r := Report{Kind: Monthly, Period: month, Title: locale.T(lang, "report.monthly"), PeriodText: monthText(lang, from)}
	if err != nil {
		return r, err
	}
	ctx = assessment.ShareOrg(ctx) // one organisation for the report's periods and ledger
	cur, err := env.Assess.Period(ctx, actor, "unit-monthly", month)
	if err != nil {
		return r, err
	}
	prevMonth, lastYear := from.AddDate(0, -1, 0).Format("2006-01"), from.AddDate(-1, 0, 0).Format("2006-01")
	prev, err := env.Assess.Period(ctx, actor, "unit-monthly", prevMonth)
	if err != nil {
		return r, err
	}
	yearAgo, err := env.Assess.Period(ctx, actor, "unit-monthly", lastYear)
	if err != nil {
		return r, err
	}
	r.Basis = append(r.Basis, basisOf(lang, cur))
	r.Sections = append(r.Sections, unitResults(lang, cur), comparison(lang, []assessment.PeriodView{cur, prev, yearAgo}), withoutOpinion(lang, cur))

	year, err := env.Assess.Year(ctx, actor, "unit-monthly", from.Year())
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, eligibility(lang, year, from.Year()))

	st, err := complaint.Counts(ctx, env.DB, actor, complaint.Filter{From: from.UTC(), To: to.UTC()}, env.Zone)
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, complaints(lang, st, month))
	fus, err := workorder.FollowUps(ctx, env.DB, actor, month)
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, followUps(lang, fus, month))
	maint, err := env.Assess.Period(ctx, actor, "maintainer-monthly", month)
	if err != nil {
		return r, err
	}
	r.Basis = append(r.Basis, basisOf(lang, maint))
	r.Sections = append(r.Sections, maintenance(lang, maint))
	care, err := env.Assess.Period(ctx, actor, "care-deductions", month)
	if err != nil {
		return r, err
	}
	r.Basis = append(r.Basis, basisOf(lang, care))
	r.Sections = append(r.Sections, careDeductions(lang, care))
	lines, err := assessment.ListLedger(ctx, env.DB, actor, assessment.LedgerFilter{Month: month})
	if err != nil {
		return r, err
	}
	m, err := money(lang, lines, month)
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, m)
	r.finish(from, to, now)
	return r, nil
}

func monthText(lang locale.Lang, t time.Time) string {
	if lang == locale.ZH {
		return fmt.Sprintf("%d年%d月", t.Year(), t.Month())
	}
	return t.Format("January 2006")
}

// resultHref is a result's drill-down: its page in the close, or while the period has no
// close, the month's evidence of the unit.
func resultHref(v assessment.PeriodView, res assessment.Result) string {
	if v.Close != nil {
		return fmt.Sprintf("/assessment/closes/%d/units/%d", v.Close.ID, res.UnitID)
	}
	return q("/inspections", "month", v.Period, "unit", itoa(res.UnitID))
}

func statusText(lang locale.Lang, res assessment.Result) string {
	return locale.T(lang, "report.status_"+string(res.Result.Status))
}

// unitResults is every unit's result with its components, total, grade and rank.
func unitResults(lang locale.Lang, v assessment.PeriodView) Section {
	s := Section{ID: "units", Title: locale.T(lang, "report.units"), Empty: emptyPeriod(lang, v)}
	if len(v.Results) == 0 {
		return s
	}
	var comps []scheme.Component
	if v.Scheme != nil {
		comps = v.Scheme.Components
	}
	t := Table{ID: "unit-results", Head: []string{locale.T(lang, "report.col_rank"), locale.T(lang, "report.col_unit")}}
	for _, c := range comps {
		t.Head = append(t.Head, c.Name.In(lang))
	}
	t.Head = append(t.Head, locale.T(lang, "report.col_total"), locale.T(lang, "report.col_grade"), locale.T(lang, "report.col_status"))
	chart := Chart{ID: "unit-totals", Kind: Bar, Title: locale.T(lang, "report.chart_totals")}
	scored, sum, fails := 0, 0.0, 0
	for _, res := range v.Results {
		href := resultHref(v, res)
		row := []Cell{Str(""), Str(v.Units[res.UnitID].Name).To(href)}
		if res.Rank > 0 {
			row[0] = Int(res.Rank)
		}
		byCode := map[string]scheme.ComponentResult{}
		for _, c := range res.Result.Components {
			byCode[c.Code] = c
		}
		for _, c := range comps {
			if cr, ok := byCode[c.Code]; ok {
				row = append(row, Num(cr.Value.String()))
			} else {
				row = append(row, Str(""))
			}
		}
		total, grade := Str(""), Str("")
		if res.Result.Total != nil {
			total = Num(res.Result.Total.String()).To(href)
			scored++
			sum += total.Value
			chart.Labels = append(chart.Labels, v.Units[res.UnitID].Name)
			chart.Values = append(chart.Values, total.Value)
			chart.Hrefs = append(chart.Hrefs, href)
		}
		if res.Result.Grade != nil {
			grade = Str(res.Result.Grade.Name.In(lang))
			if failing(res.Result.Grade.Code) {
				grade, fails = grade.As("bad"), fails+1
			}
		}
		row = append(row, total, grade, Str(statusText(lang, res)))
		t.Rows = append(t.Rows, row)
	}
	s.Figures = []Figure{
		{locale.T(lang, "report.fig_scored"), Int(scored)},
		{locale.T(lang, "report.fig_mean"), meanCell(sum, scored)},
		{locale.T(lang, "report.fig_failed"), Int(fails)},
	}
	s.Charts = []Chart{chart}
	s.Tables = []Table{t}
	return s
}

// failing reports whether a grade code is the failing band (不合格): every built-in scheme
// names it fail.
func failing(code string) bool { return code == "fail" }

func meanCell(sum float64, n int) Cell {
	if n == 0 {
		return Str("—")
	}
	return Num(fmt.Sprintf("%.2f", sum/float64(n)))
}

func emptyPeriod(lang locale.Lang, v assessment.PeriodView) string {
	if len(v.MissingFacts) > 0 {
		return locale.T(lang, "report.missing_facts", strings.Join(v.MissingFacts, ", "))
	}
	return locale.T(lang, "report.no_results")
}

// comparison compares the month with the previous month and the same month last year: the
// units scored, the mean total, the failing units, each period final or provisional.
func comparison(lang locale.Lang, vs []assessment.PeriodView) Section {
	s := Section{ID: "comparison", Title: locale.T(lang, "report.comparison")}
	t := Table{ID: "comparison-table", Head: []string{locale.T(lang, "report.col_period"), locale.T(lang, "report.col_basis"),
		locale.T(lang, "report.fig_scored"), locale.T(lang, "report.fig_mean"), locale.T(lang, "report.fig_failed")}}
	for _, v := range vs {
		scored, sum, fails := 0, 0.0, 0
		for _, res := range v.Results {
			if res.Result.Total != nil {
				scored++
				sum += Num(res.Result.Total.String()).Value
			}
			if res.Result.Grade != nil && failing(res.Result.Grade.Code) {
				fails++
			}
		}
		b := basisOf(lang, v)
		t.Rows = append(t.Rows, []Cell{Str(v.Period).To("/reports/monthly/" + v.Period), Str(b.Status).To(b.Href), Int(scored), meanCell(sum, scored), Int(fails)})
	}
	s.Tables = []Table{t}
	return s
}

// withoutOpinion lists the units with no opinion or an incomplete result, and why.
func withoutOpinion(lang locale.Lang, v assessment.PeriodView) Section {
	s := Section{ID: "no-opinion", Title: locale.T(lang, "report.no_opinion"), Empty: locale.T(lang, "report.none")}
	t := Table{ID: "no-opinion-table", Head: []string{locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_status"), locale.T(lang, "report.col_reason")}}
	for _, res := range v.Results {
		if res.Result.Status == scheme.Scored {
			continue
		}
		reason := ""
		if res.Result.Reason != nil {
			reason = res.Result.Reason.In(lang)
		}
		if res.Decision != nil && res.Decision.Reason != "" && reason == "" {
			reason = res.Decision.Reason
		}
		t.Rows = append(t.Rows, []Cell{Str(v.Units[res.UnitID].Name).To(resultHref(v, res)), Str(statusText(lang, res)), Str(reason)})
	}
	if len(t.Rows) > 0 {
		s.Tables = []Table{t}
	}
	return s
}

// eligibility is the year-end award eligibility of the month's year, from the closed months.
func eligibility(lang locale.Lang, y assessment.YearView, year int) Section {
	s := Section{ID: "eligibility", Title: locale.T(lang, "report.eligibility"), Note: locale.T(lang, "report.eligibility_note", len(y.Periods)),
		Empty: locale.T(lang, "report.no_results")}
	t := Table{ID: "eligibility-table", Head: []string{locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_eligible"), locale.T(lang, "report.col_closed_months")}}
	ineligible := 0
	for _, row := range y.Rows {
		ok := Str(locale.T(lang, "report.yes"))
		if row.Ineligible {
			ok, ineligible = Str(locale.T(lang, "report.no")).As("bad"), ineligible+1
		}
		t.Rows = append(t.Rows, []Cell{Str(y.Units[row.UnitID].Name).To(fmt.Sprintf("/assessment/year?scheme=unit-monthly&year=%d", year)), ok, Int(len(row.Results))})
	}
	if len(t.Rows) > 0 {
		s.Figures = []Figure{{locale.T(lang, "report.fig_ineligible"), Int(ineligible)}}
		s.Tables = []Table{t}
	}
	return s
}

// complaints is the period's complaints by unit and category with the SLA kept or breached;
// month is the list's period filter (a month or a quarter) its figures drill down to.
func complaints(lang locale.Lang, st complaint.Stats, month string) Section {
	s := Section{ID: "complaints", Title: locale.T(lang, "report.complaints")}
	s.Figures = []Figure{
		{locale.T(lang, "report.fig_complaints"), Int(st.All.Total).To(q("/complaints", "month", month))},
		{locale.T(lang, "report.fig_valid"), Int(st.All.Valid).To(q("/complaints", "month", month, "class", "valid"))},
		{locale.T(lang, "report.fig_major"), Int(st.All.Major).To(q("/complaints", "month", month, "class", "major"))},
		{locale.T(lang, "report.fig_reply_rate"), Pct(st.All.ReplyRate())},
		{locale.T(lang, "report.fig_solution_rate"), Pct(st.All.SolutionRate())},
	}
	table := func(id, head, param, prefix string, rows []complaint.Row) Table {
		t := Table{ID: id, Head: []string{head, locale.T(lang, "report.fig_complaints"), locale.T(lang, "report.fig_valid"), locale.T(lang, "report.fig_major"),
			locale.T(lang, "report.col_reply_kept"), locale.T(lang, "report.col_reply_breached"), locale.T(lang, "report.col_solution_kept"), locale.T(lang, "report.col_solution_breached")}}
		var sum complaint.Row
		for _, row := range rows {
			label := row.Label
			if prefix != "" {
				label = locale.T(lang, prefix+row.Key)
			}
			href := q("/complaints", param, row.Key, "month", month)
			t.Rows = append(t.Rows, []Cell{Str(label).To(href), Int(row.Total).To(href), Int(row.Valid), Int(row.Major),
				Int(row.ReplyOnTime), Int(row.ReplyDone - row.ReplyOnTime).As(breach(row.ReplyDone - row.ReplyOnTime)),
				Int(row.SolOnTime), Int(row.SolDone - row.SolOnTime).As(breach(row.SolDone - row.SolOnTime))})
			sum.Total, sum.Valid, sum.Major = sum.Total+row.Total, sum.Valid+row.Valid, sum.Major+row.Major
			sum.ReplyOnTime, sum.ReplyDone, sum.SolOnTime, sum.SolDone = sum.ReplyOnTime+row.ReplyOnTime, sum.ReplyDone+row.ReplyDone, sum.SolOnTime+row.SolOnTime, sum.SolDone+row.SolDone
		}
		if len(rows) > 0 {
			t.Foot = []Cell{Str(locale.T(lang, "report.total")), Int(sum.Total), Int(sum.Valid), Int(sum.Major),
				Int(sum.ReplyOnTime), Int(sum.ReplyDone - sum.ReplyOnTime), Int(sum.SolOnTime), Int(sum.SolDone - sum.SolOnTime)}
		}
		return t
	}
	if st.All.Total == 0 {
		s.Empty = locale.T(lang, "report.no_complaints")
		return s
	}
	s.Tables = []Table{
		table("complaints-by-unit", locale.T(lang, "report.col_unit"), "unit", "", st.ByUnit),
		table("complaints-by-category", locale.T(lang, "report.col_category"), "category", "category.", st.ByCategory),
	}
	return s
}

func breach(n int) string {
	if n > 0 {
		return "bad"
	}
	return ""
}

// followUps is the month's dissatisfaction follow-ups by status, each listed.
func followUps(lang locale.Lang, fus []workorder.FollowUp, month string) Section {
	s := Section{ID: "followups", Title: locale.T(lang, "report.followups"), Empty: locale.T(lang, "report.none")}
	if len(fus) == 0 {
		return s
	}
	counts := map[workorder.FollowUpStatus]int{}
	t := Table{ID: "followups-table", Head: []string{locale.T(lang, "report.col_order"), locale.T(lang, "report.col_team"), locale.T(lang, "report.col_problem"), locale.T(lang, "report.col_status")}}
	for _, f := range fus {
		counts[f.Status]++
		t.Rows = append(t.Rows, []Cell{Int(int(f.Order.ID)).To("/workorders/followups/" + itoa(f.ID)), Str(f.Order.TeamName), Str(f.Comment), Str(locale.T(lang, "wo.fu."+string(f.Status)))})
	}
	list := q("/workorders/followups", "month", month)
	s.Figures = []Figure{{locale.T(lang, "report.fig_followups"), Int(len(fus)).To(list)}}
	for _, st := range []workorder.FollowUpStatus{workorder.FollowUpOpen, workorder.FollowUpFiled, workorder.FollowUpConfirmed, workorder.FollowUpReopened} {
		s.Figures = append(s.Figures, Figure{locale.T(lang, "wo.fu."+string(st)), Int(counts[st]).To(list)})
	}
	s.Tables = []Table{t}
	return s
}

// maintenance is the maintenance centre's ranking of the month with its best team and star,
// read from the month's maintainer-monthly close like every scheme of the report: the stored
// results once the close is approved, else computed live over the centre the scheme closes.
// Ranking every maintainer of the organisation live instead cost the N=100 report 14 s.
func maintenance(lang locale.Lang, v assessment.PeriodView) Section {
	s := Section{ID: "maintenance", Title: locale.T(lang, "report.maintenance"), Empty: emptyPeriod(lang, v)}
	href := func(res assessment.Result) string {
		if v.Close != nil {
			return fmt.Sprintf("/assessment/closes/%d/units/%d?person=%d", v.Close.ID, res.UnitID, res.PersonID)
		}
		return q("/workorders/monthly", "month", v.Period, "centre", itoa(v.Units[res.UnitID].ParentID))
	}
	if len(v.Teams) > 0 {
		best := v.Teams[0]
		link := q("/workorders/monthly", "month", v.Period, "centre", itoa(v.Units[best.UnitID].ParentID))
		s.Figures = append(s.Figures, Figure{locale.T(lang, "report.best_team") + " · " + v.Units[best.UnitID].Name, Num(best.Mean.String()).To(link)})
	}
	if v.Star != nil {
		s.Figures = append(s.Figures, Figure{locale.T(lang, "report.star") + " · " + v.People[v.Star.PersonID].Name, Num(v.Star.Result.Total.String()).To(href(*v.Star))})
	}
	t := Table{ID: "maintainer-ranking", Head: []string{locale.T(lang, "report.col_rank"), locale.T(lang, "report.col_person"), locale.T(lang, "report.col_team"),
		locale.T(lang, "report.col_evaluated"), locale.T(lang, "report.col_total")}}
	for _, res := range v.Results {
		if res.Result.Status != scheme.Scored || res.Result.Total == nil {
			continue
		}
		t.Rows = append(t.Rows, []Cell{Int(res.Rank), Str(v.People[res.PersonID].Name).To(href(res)), Str(v.Units[res.UnitID].Name),
			Int(res.Orders()), Num(res.Result.Total.String())})
	}
	if len(t.Rows) > 0 {
		s.Tables = []Table{t}
	}
	return s
}

// careDeductions is the care homes' deductions of the month, with the staff on base salary
// only and those flagged for a dismissal review.
func careDeductions(lang locale.Lang, v assessment.PeriodView) Section {
	s := Section{ID: "care", Title: locale.T(lang, "report.care"), Empty: emptyPeriod(lang, v)}
	t := Table{ID: "care-table", Head: []string{locale.T(lang, "report.col_person"), locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_total"), locale.T(lang, "report.col_flags")}}
	flagged := 0
	for _, res := range v.Results {
		if res.Result.Total == nil && len(res.Result.Flags) == 0 {
			continue
		}
		total := Str("")
		if res.Result.Total != nil {
			total = Num(res.Result.Total.String())
		}
		var flags []string
		for _, f := range res.Result.Flags {
			flags = append(flags, flagName(v.Scheme, f, lang))
		}
		if slices.Contains(res.Result.Flags, "base_salary_only") {
			flagged++
		}
		href := resultHref(v, res)
		if v.Close != nil {
			href = fmt.Sprintf("/assessment/closes/%d/units/%d?person=%d", v.Close.ID, res.UnitID, res.PersonID)
		}
		t.Rows = append(t.Rows, []Cell{Str(v.People[res.PersonID].Name).To(href), Str(v.Units[res.UnitID].Name), total, Str(strings.Join(flags, "、"))})
	}
	if len(t.Rows) > 0 {
		s.Figures = []Figure{{locale.T(lang, "report.fig_base_salary"), Int(flagged)}}
		s.Tables = []Table{t}
	}
	return s
}

func flagName(sch *scheme.Scheme, code string, lang locale.Lang) string {
	if sch != nil {
		for _, f := range sch.Flags {
			if f.Code == code {
				return f.Name.In(lang)
			}
		}
		for _, rl := range sch.Rules {
			if rl.Flag == code {
				return rl.Name.In(lang)
			}
		}
	}
	return code
}

// money is the month's ledger lines (the payroll month's), with a total per measure.
func money(lang locale.Lang, lines []assessment.LedgerLine, month string) (Section, error) {
	s := Section{ID: "money", Title: locale.T(lang, "report.money"), Empty: locale.T(lang, "report.no_money")}
	if len(lines) == 0 {
		return s, nil
	}
	href := q("/assessment/ledger", "month", month)
	t := Table{ID: "money-table", Head: []string{locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_person"), locale.T(lang, "report.col_kind"),
		locale.T(lang, "report.col_source"), locale.T(lang, "report.col_amount"), locale.T(lang, "report.col_measure")}}
	totals := map[string]scheme.Decimal{}
	var measures []string
	for _, l := range lines {
		t.Rows = append(t.Rows, []Cell{Str(l.UnitName).To(href), Str(l.PersonName), Str(assessment.LedgerKindNames[l.Kind].In(lang)),
			Str(l.SchemeCode + " " + l.Period).To(fmt.Sprintf("/assessment/closes/%d", l.CloseID)), Num(l.Amount.String()), Str(measureText(lang, l.Measure))})
		if _, ok := totals[l.Measure]; !ok {
			measures = append(measures, l.Measure)
		}
		sum, err := totals[l.Measure].Add(l.Amount)
		if err != nil {
			return s, err
		}
		totals[l.Measure] = sum
	}
	for _, m := range measures {
		s.Figures = append(s.Figures, Figure{locale.T(lang, "report.total_in", measureText(lang, m)), Num(totals[m].String()).To(href)})
	}
	s.Tables = []Table{t}
	return s, nil
}

func measureText(lang locale.Lang, m string) string {
	if locale.Has("report.measure_" + m) {
		return locale.T(lang, "report.measure_"+m)
	}
	return m
}
