package report

import (
	"context"

	"manyi/internal/access"
	"manyi/internal/locale"
	"manyi/internal/sampling"
)

// The weekly quality report to the GM meeting: the week's sampling results, plan by plan.

// BuildWeekly builds the weekly report of week (2026-W44).
func BuildWeekly(ctx context.Context, env Env, actor access.Principal, lang locale.Lang, week string) (Report, error) {
	now := env.DB.Now().In(env.Zone)
	from, to, err := ParsePeriod(Weekly, week, now, env.Zone)
	r := Report{Kind: Weekly, Period: week, Title: locale.T(lang, "report.weekly")}
	if err != nil {
		return r, err
	}
	w, err := sampling.Report(ctx, env.DB, actor, week)
	if err != nil {
		return r, err
	}
	r.PeriodText = locale.T(lang, "report.week_text", week, w.From, w.To)
	href := q("/sampling", "week", week)
	s := Section{ID: "sampling", Title: locale.T(lang, "report.sampling"), Empty: locale.T(lang, "report.no_plans")}
	t := Table{ID: "sampling-table", Head: []string{locale.T(lang, "report.col_plan"), locale.T(lang, "report.col_population"), locale.T(lang, "report.col_quota"),
		locale.T(lang, "report.col_sample"), locale.T(lang, "report.col_checked"), locale.T(lang, "report.col_problems"), locale.T(lang, "report.col_met")}}
	var sum [5]int
	met := 0
	chart := Chart{ID: "sampling-problems", Kind: Bar, Title: locale.T(lang, "report.chart_problems")}
	for _, p := range w.Plans {
		smp := w.Samples[p.ID]
		if smp == nil {
			t.Rows = append(t.Rows, []Cell{Str(p.Name).To(href), Str(""), Str(""), Str(""), Str(""), Str(""), Str(locale.T(lang, "report.not_drawn")).As("bad")})
			continue
		}
		ok := Str(locale.T(lang, "report.yes"))
		if smp.Met() {
			met++
		} else {
			ok = Str(locale.T(lang, "report.no")).As("bad")
		}
		vals := [5]int{smp.PopulationSize, smp.Quota, smp.Size, smp.Checked(), smp.Problems()}
		row := []Cell{Str(p.Name).To(href)}
		for i, v := range vals {
			sum[i] += v
			row = append(row, Int(v))
		}
		row[5] = row[5].To(href)
		t.Rows = append(t.Rows, append(row, ok))
		chart.Labels, chart.Values, chart.Hrefs = append(chart.Labels, p.Name), append(chart.Values, float64(smp.Problems())), append(chart.Hrefs, href)
	}
	if len(t.Rows) > 0 {
		t.Foot = []Cell{Str(locale.T(lang, "report.total")), Int(sum[0]), Int(sum[1]), Int(sum[2]), Int(sum[3]), Int(sum[4]), Int(met)}
		s.Figures = []Figure{{locale.T(lang, "report.col_checked"), Int(sum[3]).To(href)}, {locale.T(lang, "report.col_problems"), Int(sum[4]).To(href)}}
		s.Charts = []Chart{chart}
		s.Tables = []Table{t}
	}
	r.Sections = []Section{s}
	r.finish(from, to, now)
	return r, nil
}
