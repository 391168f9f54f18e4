package report

import (
	"strings"
	"testing"
	"time"

	"manyi/internal/errs"
)

func TestParsePeriod(t *testing.T) {
	zone := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, zone)
	for _, tc := range []struct {
		kind          Kind
		period        string
		from, to      string // 2006-01-02
		param, errKey string
	}{
		{Monthly, "2026-10", "2026-10-01", "2026-11-01", "", ""},
		{Monthly, "2026-12", "2026-12-01", "2027-01-01", "", ""}, // the current month: provisional
		{Monthly, "2027-01", "", "", "month", "report.future"},
		{Monthly, "2026-13", "", "", "month", "err.bad_month"},
		{Monthly, "26-10", "", "", "month", "err.bad_month"},
		{Quarterly, "2026-Q3", "2026-07-01", "2026-10-01", "", ""},
		{Quarterly, "2026-Q4", "2026-10-01", "2027-01-01", "", ""},
		{Quarterly, "2027-Q1", "", "", "quarter", "report.future"},
		{Quarterly, "2026-Q5", "", "", "quarter", "err.bad_quarter"},
		{Quarterly, "2026-Q3x", "", "", "quarter", "err.bad_quarter"},
		{Weekly, "2026-W44", "2026-10-26", "2026-11-02", "", ""},
		{Weekly, "2026-W01", "2025-12-29", "2026-01-05", "", ""}, // ISO week 1 holds 4 January
		{Weekly, "2025-W53", "", "", "week", "err.bad_week"},     // 2025 has 52 ISO weeks
		{Weekly, "2026-W4", "", "", "week", "err.bad_week"},
		{Weekly, "2026-W50", "", "", "week", "report.future"},
	} {
		from, to, err := ParsePeriod(tc.kind, tc.period, now, zone)
		if tc.errKey != "" {
			e := errs.As(err)
			if err == nil || e.Field != tc.param || e.Key != tc.errKey || e.Code != errs.Malformed {
				t.Errorf("%s %s: %v, want %s on %s", tc.kind, tc.period, err, tc.errKey, tc.param)
			}
			continue
		}
		if err != nil || from.Format(time.DateOnly) != tc.from || to.Format(time.DateOnly) != tc.to {
			t.Errorf("%s %s: %s–%s %v, want %s–%s", tc.kind, tc.period, from.Format(time.DateOnly), to.Format(time.DateOnly), err, tc.from, tc.to)
		}
	}
	if _, _, err := ParsePeriod("yearly", "2026", now, zone); !errs.Is(err, errs.NotFound) {
		t.Errorf("an unknown report: %v", err)
	}
}

func TestNeighbours(t *testing.T) {
	zone := time.UTC
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, zone)
	for _, tc := range []struct {
		kind       Kind
		period     string
		prev, next string
	}{
		{Monthly, "2026-01", "2025-12", "2026-02"},
		{Monthly, "2026-12", "2026-11", ""},
		{Quarterly, "2026-Q1", "2025-Q4", "2026-Q2"},
		{Quarterly, "2026-Q4", "2026-Q3", ""},
		{Weekly, "2026-W01", "2025-W52", "2026-W02"},
	} {
		from, to, err := ParsePeriod(tc.kind, tc.period, now, zone)
		if err != nil {
			t.Fatal(err)
		}
		if prev, next := neighbours(tc.kind, from, to, now); prev != tc.prev || next != tc.next {
			t.Errorf("%s %s: %q %q, want %q %q", tc.kind, tc.period, prev, next, tc.prev, tc.next)
		}
	}
}

func TestCells(t *testing.T) {
	for _, tc := range []struct {
		c       Cell
		text    string
		value   float64
		numeric bool
	}{
		{Int(7), "7", 7, true},
		{Num("95.67"), "95.67", 95.67, true},
		{Num("-200"), "-200", -200, true},
		{Num(""), "", 0, false},
		{Pct(83.333), "83.3 %", 83.3, true},
		{Pct(-1), "—", 0, false}, // nothing due
		{pctText("96.50%"), "96.50%", 96.5, true},
		{pctText("—"), "—", 0, false},
	} {
		if tc.c.Text != tc.text || tc.c.Value != tc.value || tc.c.Numeric != tc.numeric {
			t.Errorf("%+v, want %q %v %v", tc.c, tc.text, tc.value, tc.numeric)
		}
	}
}

func TestChartSVG(t *testing.T) {
	th := 95.0
	for _, c := range []Chart{
		{Kind: Line, Title: "趋势", Labels: []string{"2026-Q1", "2026-Q2"}, Values: []float64{90, 96}, Unit: "%", Threshold: &th, Hrefs: []string{"/a?x=1&y=2", ""}},
		{Kind: Bar, Title: "<b>", Labels: []string{"玫瑰区<script>"}, Values: []float64{96}},
		{Kind: Pareto, Title: "p", Labels: []string{"门岗", "地下车库", "绿地"}, Values: []float64{8, 6, 1}},
		{Kind: Bar, Title: "empty"},
	} {
		svg := c.SVG()
		if !strings.HasPrefix(svg, "<svg ") || !strings.HasSuffix(svg, "</svg>") {
			t.Errorf("%s: not an svg element", c.Title)
		}
		if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") {
			t.Errorf("%s: a label is not escaped: %s", c.Title, svg)
		}
		if n := strings.Count(svg, "<a href="); n != countLinks(c.Hrefs) {
			t.Errorf("%s: %d links, want %d", c.Title, n, countLinks(c.Hrefs))
		}
		if c.Kind == Pareto && !strings.Contains(svg, `class="cumulative"`) {
			t.Error("the Pareto chart has no cumulative line")
		}
		if c.Threshold != nil && !strings.Contains(svg, "stroke-dasharray") {
			t.Error("the threshold is not drawn")
		}
	}
	if !strings.Contains((Chart{Hrefs: []string{"/a?x=1&y=2"}, Values: []float64{1}}).SVG(), `href="/a?x=1&amp;y=2"`) {
		t.Error("a link is not escaped")
	}
}

func countLinks(hrefs []string) int {
	n := 0
	for _, h := range hrefs {
		if h != "" {
			n++
		}
	}
	return n
}

func TestScaleTop(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		unit   string
		want   float64
	}{
		{[]float64{96, 92}, "", 100},
		{[]float64{8, 6}, "", 10},
		{[]float64{31}, "", 50},
		{[]float64{120}, "", 200},
		{[]float64{12}, "%", 100},
		{nil, "", 1},
	} {
		if got := (Chart{Values: tc.values, Unit: tc.unit}).scaleTop(); got != tc.want {
			t.Errorf("%v %s: %v, want %v", tc.values, tc.unit, got, tc.want)
		}
	}
}

func TestSheetName(t *testing.T) {
	used := map[string]bool{}
	a := sheetName("投诉情况", used)
	used[a] = true
	b := sheetName("投诉情况", used)
	if a != "投诉情况" || b == a {
		t.Errorf("%q %q", a, b)
	}
	if got := sheetName("a/b:c[d]*e?f\\g", nil); strings.ContainsAny(got, `/:[]*?\`) {
		t.Errorf("%q", got)
	}
	if got := sheetName(strings.Repeat("长", 40), nil); len([]rune(got)) > 31 {
		t.Errorf("%q is too long", got)
	}
}
