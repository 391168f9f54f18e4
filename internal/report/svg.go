package report

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// ChartKind is how a chart draws its values.
type ChartKind string

const (
	Line   ChartKind = "line"   // a trend over periods
	Bar    ChartKind = "bar"    // a distribution over subjects
	Pareto ChartKind = "pareto" // bars largest first with the cumulative share as a line
)

// Chart is a chart of one series, drawn server-side as inline SVG so it needs no script and
// prints with the page. Each bar or point links to its drill-down when Hrefs has one.
type Chart struct {
	ID        string
	Kind      ChartKind
	Title     string
	Labels    []string
	Values    []float64
	Hrefs     []string
	Unit      string   // "%" for rates
	Threshold *float64 // drawn as a dashed line (e.g. the satisfaction threshold)
}

const (
	chartW, chartH          = 640, 260
	padL, padR, padT, padB  = 48, 40, 16, 64
	plotW, plotH            = chartW - padL - padR, chartH - padT - padB
	maxLabelRunes           = 8
	paretoLineColor         = "#c0392b"
	barColor, thresholdLine = "#2f6fab", "#b7791f"
)

// SVG draws the chart. Labels are escaped; an empty chart draws its title and axes only.
func (c Chart) SVG() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-%s" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		c.Kind, chartW, chartH, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	top := c.scaleTop()
	y := func(v float64) float64 { return padT + plotH - v/top*plotH }
	// Axes and four grid lines with their values.
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d9e2ec" stroke-width="1"/>`, padL, y(v), padL+plotW, y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#52606d">%s</text>`, padL-6, y(v)+4, trim(v))
	}
	n := len(c.Values)
	if n > 0 {
		step := float64(plotW) / float64(n)
		x := func(i int) float64 { return padL + step*(float64(i)+0.5) }
		if c.Kind == Line {
			var pts []string
			for i, v := range c.Values {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
			}
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), barColor)
		}
		for i, v := range c.Values {
			c.link(&b, i, func() {
				if c.Kind == Line {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s: %s%s</title></circle>`, x(i), y(v), barColor, html.EscapeString(c.label(i)), trim(v), c.Unit)
				} else {
					w := step * 0.7
					fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s%s</title></rect>`,
						x(i)-w/2, y(v), w, padT+plotH-y(v), barColor, html.EscapeString(c.label(i)), trim(v), c.Unit)
				}
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#1f2933">%s</text>`, x(i), y(v)-6, trim(v))
			})
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="end" fill="#1f2933" transform="rotate(-35 %.1f %d)">%s</text>`,
				x(i), padT+plotH+16, x(i), padT+plotH+16, html.EscapeString(short(c.label(i))))
		}
		if c.Kind == Pareto {
			c.cumulative(&b, x)
		}
	}
	if c.Threshold != nil {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`,
			padL, y(*c.Threshold), padL+plotW, y(*c.Threshold), thresholdLine)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" fill="%s">%s%s</text>`, padL+plotW+2, y(*c.Threshold)+4, thresholdLine, trim(*c.Threshold), c.Unit)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#52606d"/>`, padL, padT+plotH, padL+plotW, padT+plotH)
	b.WriteString(`</svg>`)
	return b.String()
}

// cumulative draws a Pareto chart's running share on its own 0–100 % scale at the right.
func (c Chart) cumulative(b *strings.Builder, x func(int) float64) {
	total := 0.0
	for _, v := range c.Values {
		total += v
	}
	if total == 0 {
		return
	}
	run := 0.0
	var pts []string
	for i, v := range c.Values {
		run += v
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), padT+plotH-run/total*plotH))
	}
	fmt.Fprintf(b, `<polyline class="cumulative" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), paretoLineColor)
	for _, p := range []int{0, 50, 100} {
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="11" fill="%s">%d%%</text>`, padL+plotW+4, padT+plotH-float64(p)/100*plotH+4, paretoLineColor, p)
	}
}

func (c Chart) link(b *strings.Builder, i int, draw func()) {
	if i < len(c.Hrefs) && c.Hrefs[i] != "" {
		fmt.Fprintf(b, `<a href="%s">`, html.EscapeString(c.Hrefs[i]))
		draw()
		b.WriteString(`</a>`)
		return
	}
	draw()
}

func (c Chart) label(i int) string {
	if i < len(c.Labels) {
		return c.Labels[i]
	}
	return ""
}

// scaleTop is the value at the top of the plot: 100 for rates, else the largest value (or
// threshold) rounded up to a round number, so bars are comparable by eye.
func (c Chart) scaleTop() float64 {
	top := 0.0
	for _, v := range c.Values {
		top = math.Max(top, v)
	}
	if c.Threshold != nil {
		top = math.Max(top, *c.Threshold)
	}
	if c.Unit == "%" {
		return 100
	}
	if top <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(top)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if top <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// trim formats a value without trailing zeros: 92.5, 100, 0.25.
func trim(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func short(s string) string {
	r := []rune(s)
	if len(r) <= maxLabelRunes {
		return s
	}
	return string(r[:maxLabelRunes-1]) + "…"
}
