package report

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/improvement"
	"manyi/internal/inspection"
	"manyi/internal/locale"
	"manyi/internal/meeting"
	"manyi/internal/org"
	"manyi/internal/survey"
)

// The quarterly quality analysis report (质量分析报告), for the meeting on the 10th of the
// quarter's first month: the departments' self-checks and the work group's spot checks, the
// survey results against their thresholds with their trend and the opinions' Pareto charts,
// the complaints, the departments' weighted results with their money, the open and overdue
// improvement items, and the meeting's conclusions.

// trendQuarters is how many quarters the satisfaction trend shows, the report's included.
const trendQuarters = 4

// BuildQuarterly builds the quarterly report of quarter (2026-Q3).
func BuildQuarterly(ctx context.Context, env Env, actor access.Principal, lang locale.Lang, quarter string) (Report, error) {
	now := env.DB.Now().In(env.Zone)
	from, to, err := ParsePeriod(Quarterly, quarter, now, env.Zone)
	r := Report{Kind: Quarterly, Period: quarter, Title: locale.T(lang, "report.quarterly"), PeriodText: quarterText(lang, from)}
	if err != nil {
		return r, err
	}
	checks, err := spotChecks(ctx, env, actor, lang, quarter)
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, checks)
	surveys, err := surveyResults(ctx, env, actor, lang, from)
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, surveys...)
	st, err := complaint.Counts(ctx, env.DB, actor, complaint.Filter{From: from.UTC(), To: to.UTC()}, env.Zone)
	if err != nil {
		return r, err
	}
	cs := complaints(lang, st, quarter)
	cs.Note = locale.T(lang, "report.complaints_quarter_note")
	r.Sections = append(r.Sections, cs)
	dept, err := env.Assess.Period(ctx, actor, "dept-quarterly-weighted", quarter)
	if err != nil {
		return r, err
	}
	r.Basis = append(r.Basis, basisOf(lang, dept))
	r.Sections = append(r.Sections, departments(lang, dept))
	items, err := improvement.List(ctx, env.DB, actor, improvement.Filter{})
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, improvements(lang, items, now.Format(time.DateOnly)))
	meetings, err := meeting.QuarterMinutes(ctx, env.DB, actor, quarter)
	if err != nil {
		return r, err
	}
	r.Sections = append(r.Sections, meetingSection(lang, meetings))
	r.finish(from, to, now)
	return r, nil
}

func quarterText(lang locale.Lang, t time.Time) string {
	n := (int(t.Month()) + 2) / 3
	if lang == locale.ZH {
		return fmt.Sprintf("%d年第%d季度", t.Year(), n)
	}
	return fmt.Sprintf("Q%d %d", n, t.Year())
}

// spotChecks is the quarter board of every company in scope: each department's monthly
// self-check, the work group's spot check and the penalty it costs.
func spotChecks(ctx context.Context, env Env, actor access.Principal, lang locale.Lang, quarter string) (Section, error) {
	s := Section{ID: "checks", Title: locale.T(lang, "report.checks"), Empty: locale.T(lang, "report.none")}
	units, err := org.ListUnits(ctx, env.DB, actor, org.UnitFilter{})
	if err != nil {
		return s, err
	}
	href := q("/inspections/checks", "quarter", quarter)
	t := Table{ID: "checks-table", Head: []string{locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_month"), locale.T(lang, "report.col_self_state"),
		locale.T(lang, "report.col_self"), locale.T(lang, "report.col_spot"), locale.T(lang, "report.col_penalty")}}
	late, missing := 0, 0
	for _, u := range units {
		if u.Kind != org.Company {
			continue
		}
		depts, err := inspection.QuarterReports(ctx, env.DB, actor, u.ID, quarter)
		if err != nil {
			return s, err
		}
		for _, d := range depts {
			late, missing = late+d.Late, missing+d.Missing
			for _, m := range d.Months {
				self, spot := Str(""), Str("")
				if m.Self != nil {
					self = Num(m.Self.String()).To("/inspections/" + itoa(m.SelfID))
				}
				if m.Spot != nil {
					spot = Num(m.Spot.String()).To("/inspections/" + itoa(m.SpotID))
				}
				state := Str(locale.T(lang, "report."+string(m.State)))
				if m.State == inspection.ReportLate || m.State == inspection.ReportMissing {
					state = state.As("bad")
				}
				t.Rows = append(t.Rows, []Cell{Str(d.UnitName).To(href), Str(m.Month), state, self, spot, Num(m.Penalty.String())})
			}
		}
	}
	if len(t.Rows) > 0 {
		s.Figures = []Figure{{locale.T(lang, "report.late"), Int(late).To(href)}, {locale.T(lang, "report.missing"), Int(missing).To(href)}}
		s.Tables = []Table{t}
	}
	return s, nil
}

// quarterCampaigns returns the survey campaigns of a quarter the actor may read.
func quarterCampaigns(all []survey.Campaign, quarter string) []survey.Campaign {
	var out []survey.Campaign
	for _, c := range all {
		if c.Quarter == quarter {
			out = append(out, c)
		}
	}
	return out
}

// surveyResults is the quarter's survey rates per area against their thresholds, the
// satisfaction trend over the last quarters, and the opinions by location and type.
func surveyResults(ctx context.Context, env Env, actor access.Principal, lang locale.Lang, from time.Time) ([]Section, error) {
	quarter := quarterOf(from)
	rates := Section{ID: "surveys", Title: locale.T(lang, "report.surveys"), Empty: locale.T(lang, "report.no_surveys")}
	trend := Section{ID: "survey-trend", Title: locale.T(lang, "report.survey_trend")}
	opinions := Section{ID: "opinions", Title: locale.T(lang, "report.opinions"), Empty: locale.T(lang, "report.none")}
	all, err := survey.ListCampaigns(ctx, env.DB, actor, survey.CampaignFilter{})
	if err != nil {
		return nil, err
	}
	t := Table{ID: "survey-rates", Head: []string{locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_households"), locale.T(lang, "report.col_valid"),
		locale.T(lang, "report.col_response"), locale.T(lang, "report.col_threshold"), locale.T(lang, "report.col_satisfaction")}}
	chart := Chart{ID: "satisfaction-trend", Kind: Line, Title: locale.T(lang, "report.chart_trend"), Unit: "%"}
	threshold := float64(survey.SatisfactionMinBP) / 100
	chart.Threshold = &threshold
	// The rates of every campaign of the trend's quarters, and the opinions of the quarter's
	// own, are read at once: each read looks at the whole unit tree.
	var trendIDs, quarterIDs []int64
	for i := trendQuarters - 1; i >= 0; i-- {
		qn := quarterOf(from.AddDate(0, -3*i, 0))
		for _, c := range quarterCampaigns(all, qn) {
			trendIDs = append(trendIDs, c.ID)
			if qn == quarter {
				quarterIDs = append(quarterIDs, c.ID)
			}
		}
	}
	rateOf, err := survey.RatesOf(ctx, env.DB, actor, trendIDs)
	if err != nil {
		return nil, err
	}
	for i := trendQuarters - 1; i >= 0; i-- {
		qn := quarterOf(from.AddDate(0, -3*i, 0))
		satisfied, valid := 0, 0
		for _, c := range quarterCampaigns(all, qn) {
			us := rateOf[c.ID]
			href := "/surveys/campaigns/" + itoa(c.ID)
			for _, u := range us {
				satisfied, valid = satisfied+u.Satisfied, valid+u.Valid
				if qn != quarter {
					continue
				}
				resp, err := u.ResponseRate()
				if err != nil {
					resp = "—"
				}
				respCell := pctText(resp).To(href)
				if !u.ResponseOK() {
					respCell = respCell.As("bad")
				}
				sat := pctText(u.SatisfactionRate()).To(href)
				if !u.SatisfactionOK() {
					sat = sat.As("bad")
				}
				t.Rows = append(t.Rows, []Cell{Str(u.UnitName).To(href), Int(u.Households), Int(u.Valid), respCell, pctText(u.ThresholdPercent()), sat})
			}
		}
		chart.Labels = append(chart.Labels, qn)
		rate := 0.0
		if valid > 0 {
			rate = float64(satisfied) * 100 / float64(valid)
		}
		chart.Values = append(chart.Values, rate)
		chart.Hrefs = append(chart.Hrefs, "/surveys/quarters/"+qn)
	}
	if len(t.Rows) > 0 {
		rates.Tables = []Table{t}
	}
	locs, tys, err := survey.ClassificationOf(ctx, env.DB, actor, quarterIDs)
	if err != nil {
		return nil, err
	}

	trend.Charts = []Chart{chart}
	// A class's drill-down is the opinions of that class: of the quarter's campaign when it
	// has one campaign, else of every campaign.
	campaign := ""
	if cs := quarterCampaigns(all, quarter); len(cs) == 1 {
		campaign = itoa(cs[0].ID)
	}
	for _, c := range []struct {
		id, title, param string
		counts           []survey.Count
	}{{"pareto-locations", locale.T(lang, "report.chart_locations"), "location", locs}, {"pareto-types", locale.T(lang, "report.chart_types"), "type", tys}} {
		if len(c.counts) == 0 {
			continue
		}
		ch := Chart{ID: c.id, Kind: Pareto, Title: c.title}
		pt := Table{ID: c.id + "-table", Caption: c.title, Head: []string{locale.T(lang, "report.col_class"), locale.T(lang, "report.col_count"), locale.T(lang, "report.col_cumulative")}}
		for _, x := range c.counts {
			href := q("/surveys/answers", "campaign", campaign, "opinions", "1", c.param, url.QueryEscape(x.Key))
			ch.Labels, ch.Values, ch.Hrefs = append(ch.Labels, x.Key), append(ch.Values, float64(x.N)), append(ch.Hrefs, href)
			pt.Rows = append(pt.Rows, []Cell{Str(x.Key), Int(x.N).To(href), pctText(x.Cumulative)})
		}
		opinions.Charts = append(opinions.Charts, ch)
		opinions.Tables = append(opinions.Tables, pt)
	}
	return []Section{rates, trend, opinions}, nil
}

// pctText is a cell of a percentage the survey area formatted ("96.50%").
func pctText(s string) Cell {
	n := len(s)
	for n > 0 && (s[n-1] == '%' || s[n-1] == ' ') {
		n--
	}
	c := Num(s[:n])
	if !c.Numeric {
		return Str(s)
	}
	c.Text = s
	return c
}

// departments is the departments' dept-quarterly-weighted results with their money.
func departments(lang locale.Lang, v assessment.PeriodView) Section {
	s := Section{ID: "departments", Title: locale.T(lang, "report.departments"), Empty: emptyPeriod(lang, v)}
	if len(v.Results) == 0 {
		return s
	}
	money := map[int64][]assessment.LedgerLine{}
	for _, l := range v.Ledger {
		money[l.UnitID] = append(money[l.UnitID], l)
	}
	t := Table{ID: "departments-table", Head: []string{locale.T(lang, "report.col_rank"), locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_total"),
		locale.T(lang, "report.col_grade"), locale.T(lang, "report.col_amount")}}
	chart := Chart{ID: "department-totals", Kind: Bar, Title: locale.T(lang, "report.chart_totals")}
	for _, res := range v.Results {
		href := resultHref(v, res)
		row := []Cell{Str(""), Str(v.Units[res.UnitID].Name).To(href), Str(""), Str(""), Str("")}
		if res.Rank > 0 {
			row[0] = Int(res.Rank)
		}
		if res.Result.Total != nil {
			row[2] = Num(res.Result.Total.String()).To(href)
			chart.Labels, chart.Values, chart.Hrefs = append(chart.Labels, v.Units[res.UnitID].Name), append(chart.Values, row[2].Value), append(chart.Hrefs, href)
		}
		if res.Result.Grade != nil {
			row[3] = Str(res.Result.Grade.Name.In(lang))
			if failing(res.Result.Grade.Code) {
				row[3] = row[3].As("bad")
			}
		}
		if ls := money[res.UnitID]; len(ls) > 0 {
			sum := ls[0].Amount
			for _, l := range ls[1:] {
				if x, err := sum.Add(l.Amount); err == nil {
					sum = x
				}
			}
			row[4] = Num(sum.String()).To(q("/assessment/ledger", "month", ls[0].PayMonth))
		}
		t.Rows = append(t.Rows, row)
	}
	s.Charts = []Chart{chart}
	s.Tables = []Table{t}
	return s
}

// improvements lists the improvement items still open, overdue ones marked and counted.
func improvements(lang locale.Lang, items []improvement.Item, today string) Section {
	s := Section{ID: "improvements", Title: locale.T(lang, "report.improvements"), Empty: locale.T(lang, "report.none")}
	t := Table{ID: "improvements-table", Head: []string{locale.T(lang, "report.col_item"), locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_owner"),
		locale.T(lang, "report.col_due"), locale.T(lang, "report.col_status")}}
	open, overdue := 0, 0
	for _, it := range items {
		if it.Status != improvement.Open && it.Status != improvement.Reopened {
			continue
		}
		open++
		due := Str(it.DueOn)
		if it.Overdue(today) {
			overdue++
			due = due.As("bad")
		}
		t.Rows = append(t.Rows, []Cell{Str(it.Title).To("/improvements/" + itoa(it.ID)), Str(it.UnitName), Str(it.Owner), due, Str(locale.T(lang, "imp.status."+string(it.Status)))})
	}
	list := "/improvements"
	s.Figures = []Figure{{locale.T(lang, "report.fig_open_items"), Int(open).To(list)}, {locale.T(lang, "report.fig_overdue_items"), Int(overdue).To(list)}}
	if len(t.Rows) > 0 {
		s.Tables = []Table{t}
	}
	return s
}

// meetingSection prints the conclusions of the quarter's quality analysis meetings: each
// problem, its cause and the remedy decided, linked to the improvement item it became.
func meetingSection(lang locale.Lang, ms []meeting.Meeting) Section {
	s := Section{ID: "meeting", Title: locale.T(lang, "report.meeting"), Empty: locale.T(lang, "report.no_meeting")}
	if len(ms) == 0 {
		return s
	}
	var held []string
	t := Table{ID: "meeting-table", Head: []string{locale.T(lang, "report.col_unit"), locale.T(lang, "report.col_problem"), locale.T(lang, "report.col_cause"),
		locale.T(lang, "report.col_remedy"), locale.T(lang, "report.col_owner"), locale.T(lang, "report.col_due")}}
	for _, m := range ms {
		held = append(held, m.OrgName+" "+m.HeldOn)
		href := "/meetings/" + itoa(m.ID)
		for _, f := range m.Findings {
			remedy := Str(f.Remedy)
			if f.ItemID != 0 {
				remedy = remedy.To("/improvements/" + itoa(f.ItemID))
			}
			t.Rows = append(t.Rows, []Cell{Str(f.UnitName), Str(f.Problem).To(href), Str(f.Cause), remedy, Str(f.Owner), Str(f.DueOn)})
		}
	}
	s.Note = locale.T(lang, "report.meeting_held", strings.Join(held, locale.T(lang, "report.list_sep")))
	if len(t.Rows) > 0 {
		s.Tables = []Table{t}
	}
	return s
}
