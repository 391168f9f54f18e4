package main

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"manyi/internal/access"
	"manyi/internal/complaint"
	"manyi/internal/demo"
	"manyi/internal/improvement"
	"manyi/internal/store"
)

// reportClerk is the demo clerk as the area functions see it.
var reportClerk = access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}

// elemByID returns the element of page with the id, failing the test when there is none.
func elemByID(t *testing.T, page, id string) *html.Node {
	t.Helper()
	ns := htmlNodes(t, page, func(n *html.Node) bool { return nodeAttr(n, "id") == id })
	if len(ns) != 1 {
		t.Fatalf("the page has %d elements #%s", len(ns), id)
	}
	return ns[0]
}

// within returns the elements under n with the tag, in document order.
func within(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return out
}

// TestReports: on the demo, the clerk opens the monthly report of a locked month and the
// quarterly report of the last closed quarter and finds every section; a figure is the area
// function's value; the XLSX holds numbers and its totals are the screen's; a figure leads
// to the records behind it; the weekly report opens in the same frame.
func TestReports(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		c := demoClient(t, m.URL(), "clerk")
		ctx := context.Background()

		month := demoMonth(-2) // locked unit-monthly close
		status, page := c.get("/reports/monthly/" + month)
		if status != http.StatusOK {
			t.Fatalf("monthly report: %d", status)
		}
		for _, id := range []string{"units", "comparison", "no-opinion", "eligibility", "complaints", "followups", "maintenance", "care", "money"} {
			elemByID(t, page, "section-"+id)
		}
		if !strings.Contains(htmlText(elemByID(t, page, "report")), "已锁定") {
			t.Error("the monthly report does not say its unit results are locked")
		}
		from, _ := time.ParseInLocation("2006-01", month, demo.Zone)
		st, err := complaint.Statistics(ctx, m.DB, reportClerk, complaint.Filter{From: from.UTC(), To: from.AddDate(0, 1, 0).UTC()}, demo.Zone)
		if err != nil {
			t.Fatal(err)
		}
		figs := within(elemByID(t, page, "section-complaints"), "dd")
		if len(figs) == 0 || strings.TrimSpace(htmlText(figs[0])) != strconv.Itoa(st.All.Total) {
			t.Errorf("complaints figure %q, complaint.Statistics says %d", htmlText(figs[0]), st.All.Total)
		}
		// The maintenance section is the month's maintainer-monthly close: its best team first.
		maint, err := reportEnv(m.DB).Assess.Period(ctx, reportClerk, "maintainer-monthly", month)
		if err != nil {
			t.Fatal(err)
		}
		if len(maint.Teams) == 0 || maint.Star == nil {
			t.Fatalf("the demo's maintainer-monthly %s has no best team or star", month)
		}
		maintFigs := within(elemByID(t, page, "section-maintenance"), "dd")
		if got := strings.TrimSpace(htmlText(maintFigs[0])); got != maint.Teams[0].Mean.String() {
			t.Errorf("best team figure %q, the close says %s", got, maint.Teams[0].Mean)
		}
		if got := strings.TrimSpace(htmlText(maintFigs[1])); got != maint.Star.Result.Total.String() {
			t.Errorf("star figure %q, the close says %s", got, maint.Star.Result.Total)
		}
		if bad := misalignedColumns(t, page); len(bad) > 0 {
			t.Errorf("monthly report: numbers under a left-aligned heading, or text under a right-aligned one: %v", bad)
		}
		if n := len(htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "svg" && strings.Contains(nodeAttr(n, "class"), "chart-bar") })); n == 0 {
			t.Error("the monthly report draws no distribution chart")
		}

		// The first unit's total leads to its result in the close, which shows the same total.
		cells := within(within(elemByID(t, page, "table-unit-results"), "tbody")[0], "a")
		var total, href string
		for _, a := range cells {
			if strings.Contains(nodeAttr(a, "href"), "/assessment/closes/") {
				if _, err := strconv.ParseFloat(htmlText(a), 64); err == nil {
					total, href = htmlText(a), nodeAttr(a, "href")
					break
				}
			}
		}
		if href == "" {
			t.Fatal("no unit total links to its result")
		}
		if status, res := c.get(href); status != http.StatusOK || !strings.Contains(res, total) {
			t.Errorf("drill-down %s: %d, shows the total %s: %v", href, status, total, strings.Contains(res, total))
		}

		// The XLSX: numbers are numbers, and the complaints' total row is the screen's.
		checkXLSXTotals(t, c, "/reports/monthly/"+month, page, st.All.Total > 0)

		quarter := quarterOf(demoMonth(-3))
		if quarterOf(demoMonth(-1)) != quarterOf(demoMonth(0)) {
			quarter = quarterOf(demoMonth(-1))
		}
		status, page = c.get("/reports/quarterly/" + quarter)
		if status != http.StatusOK {
			t.Fatalf("quarterly report: %d", status)
		}
		for _, id := range []string{"checks", "surveys", "survey-trend", "opinions", "complaints", "departments", "improvements", "meeting"} {
			elemByID(t, page, "section-"+id)
		}
		if bad := misalignedColumns(t, page); len(bad) > 0 {
			t.Errorf("quarterly report: numbers under a left-aligned heading, or text under a right-aligned one: %v", bad)
		}
		// The demo's work group held the quarter's meeting: its minutes print with each remedy
		// linked to the improvement item it became.
		remedies := 0
		for _, a := range within(elemByID(t, page, "table-meeting-table"), "a") {
			if strings.HasPrefix(nodeAttr(a, "href"), "/improvements/") {
				remedies++
			}
		}
		if remedies == 0 {
			t.Error("the meeting section links no remedy to its improvement item")
		}
		for _, kind := range []string{"chart-line", "chart-pareto"} {
			if n := len(htmlNodes(t, page, func(n *html.Node) bool { return n.Data == "svg" && strings.Contains(nodeAttr(n, "class"), kind) })); n == 0 {
				t.Errorf("the quarterly report draws no %s", kind)
			}
		}
		// Each complaint figure leads to the quarter's list (not the year's) with as many
		// rows as it says, over every page of the list.
		for _, dd := range within(elemByID(t, page, "section-complaints"), "dd") {
			links := within(dd, "a")
			if len(links) == 0 {
				continue
			}
			href := nodeAttr(links[0], "href")
			if !strings.Contains(href, "month="+quarter) {
				t.Errorf("complaint figure links to %s, not the quarter %s", href, quarter)
			}
			rows := 0
			for href != "" {
				status, list := c.get(href)
				if status != http.StatusOK {
					t.Fatalf("%s: %d", href, status)
				}
				rows += len(htmlNodes(t, list, func(n *html.Node) bool { return n.Data == "tr" && nodeAttr(n, "data-id") != "" }))
				href = ""
				for _, a := range htmlNodes(t, list, func(n *html.Node) bool { return n.Data == "a" && nodeAttr(n, "rel") == "next" }) {
					href = nodeAttr(a, "href")
				}
			}
			if fig := strings.TrimSpace(htmlText(links[0])); fig != strconv.Itoa(rows) {
				t.Errorf("complaint figure %s, its list has %d rows", fig, rows)
			}
		}
		items, err := improvement.List(ctx, m.DB, reportClerk, improvement.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		today, overdue := time.Now().In(demo.Zone).Format(time.DateOnly), 0
		for _, it := range items {
			if it.Overdue(today) {
				overdue++
			}
		}
		if got := htmlText(within(elemByID(t, page, "section-improvements"), "dd")[1]); strings.TrimSpace(got) != strconv.Itoa(overdue) {
			t.Errorf("overdue items figure %q, improvement.List has %d", got, overdue)
		}
		checkXLSXTotals(t, c, "/reports/quarterly/"+quarter, page, true)

		y, w := time.Now().In(demo.Zone).AddDate(0, 0, -7).ISOWeek()
		week := strconv.Itoa(y) + "-W" + strconv.Itoa(100 + w)[1:]
		status, page = c.get("/reports/weekly/" + week)
		if status != http.StatusOK {
			t.Fatalf("weekly report: %d", status)
		}
		elemByID(t, page, "section-sampling")

		// The navigation offers the reports to the clerk.
		_, home := c.get("/")
		if !strings.Contains(home, `href="/reports"`) {
			t.Error("the clerk is not offered the reports")
		}
	})
}

// checkXLSXTotals exports the report at path as XLSX and reads it back: the complaints sheet's
// total row holds numbers, not text, and each equals the total row of the screen's
// complaints-by-unit table (page).
func checkXLSXTotals(t *testing.T, c *client, path, page string, wantComplaints bool) {
	t.Helper()
	status, raw := c.get(path + "?format=xlsx")
	if status != http.StatusOK {
		t.Fatalf("%s xlsx: %d", path, status)
	}
	f, err := excelize.OpenReader(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("%s xlsx: %v", path, err)
	}
	const sheet = "投诉情况"
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("%s: no complaints sheet: %v (sheets %v)", path, err, f.GetSheetList())
	}
	var screen []string
	if foot := within(elemByID(t, page, "table-complaints-by-unit"), "tfoot"); len(foot) == 1 {
		for _, td := range within(foot[0], "td") {
			screen = append(screen, strings.TrimSpace(htmlText(td)))
		}
	}
	if wantComplaints && len(screen) < 2 {
		t.Fatalf("%s: the screen's complaints table has no total row", path)
	}
	found := false
	for i, row := range rows {
		if len(row) == 0 || row[0] != "合计" {
			continue
		}
		found = true
		if len(row) != len(screen) {
			t.Errorf("%s: xlsx total row %v, screen %v", path, row, screen)
			break
		}
		for col := 1; col < len(row); col++ {
			cell, _ := excelize.CoordinatesToCellName(col+1, i+1)
			if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s: total %s is stored as %v, not a number", path, cell, typ)
			}
			if row[col] != screen[col] {
				t.Errorf("%s: xlsx total %s = %q, screen %q", path, cell, row[col], screen[col])
			}
		}
		break
	}
	if wantComplaints && !found {
		t.Errorf("%s: the complaints sheet has no total row: %v", path, rows)
	}
}

// TestReportRefusals: a malformed period is a 400 naming the parameter, a period that has
// not begun a clear message, an unknown report a 404, a role without the reports a 403, and
// a server without Chromium answers the PDF link with a 503 that says so.
func TestReportRefusals(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no chromium for this server
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		c := demoClient(t, m.URL(), "clerk")
		next := time.Now().In(demo.Zone).AddDate(0, 2, 0)
		for _, tc := range []struct {
			path   string
			status int
			want   string
		}{
			{"/reports/monthly/2026-13", 400, "月份“2026-13”不是有效的月份"},
			{"/reports/monthly/abc", 400, "月份“abc”"},
			{"/reports/quarterly/2026-Q5", 400, "季度“2026-Q5”不是有效的季度"},
			{"/reports/weekly/2026-W60", 400, "周“2026-W60”不是有效的周"},
			{"/reports/monthly/" + next.Format("2006-01"), 400, "尚未开始"},
			{"/reports/quarterly/" + strconv.Itoa(next.Year()+1) + "-Q1", 400, "尚未开始"},
			{"/reports/yearly/2026", 404, "没有“yearly”这种报表"},
			{"/reports/monthly/" + demoMonth(-2) + "/pdf", 503, "没有可用的 Chromium"},
		} {
			status, page := c.get(tc.path)
			if status != tc.status {
				t.Errorf("%s: %d, want %d", tc.path, status, tc.status)
				continue
			}
			alerts := htmlNodes(t, page, func(n *html.Node) bool { return nodeAttr(n, "role") == "alert" })
			if len(alerts) != 1 || !strings.Contains(htmlText(alerts[0]), tc.want) {
				t.Errorf("%s: the message does not say %q", tc.path, tc.want)
			}
		}
		head := demoClient(t, m.URL(), "head.yongxin")
		if status, _ := head.get("/reports/monthly/" + demoMonth(-2)); status != http.StatusForbidden {
			t.Errorf("a unit head opens a report: %d", status)
		}
		if _, home := head.get("/"); strings.Contains(home, `href="/reports"`) {
			t.Error("a unit head is offered the reports")
		}
	})
}

// TestBrowserReportPDF: the server prints the monthly and the quarterly report to PDF with
// headless Chromium; each is a PDF whose text holds the report's sections. The server's
// Chromium is the one the browser tests use; pdftotext (make chromium installs it) reads it.
func TestBrowserReportPDF(t *testing.T) {
	t.Parallel()
	exe := chromiumPath(t)
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is not installed: make chromium installs it (poppler-utils)")
	}
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d, func(c *Config) { c.Chromium = exe })
		c := demoClient(t, m.URL(), "clerk")
		quarter := quarterOf(demoMonth(-3))
		if quarterOf(demoMonth(-1)) != quarterOf(demoMonth(0)) {
			quarter = quarterOf(demoMonth(-1))
		}
		for _, tc := range []struct {
			path     string
			sections []string
		}{
			{"/reports/monthly/" + demoMonth(-2), []string{"月度综合绩效考核报告", "各单位考评结果", "投诉情况", "维修中心月度排名", "本月奖惩与工资扣减"}},
			{"/reports/quarterly/" + quarter, []string{"季度质量分析报告", "部门自查与公司抽查", "满意度调查结果", "部门季度考核结果", "质量分析会结论"}},
		} {
			status, pdf := c.get(tc.path + "/pdf")
			if status != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
				t.Fatalf("%s/pdf: %d, %q", tc.path, status, pdf[:min(len(pdf), 40)])
			}
			cmd := exec.Command(pdftotext, "-", "-")
			cmd.Stdin = bytes.NewReader([]byte(pdf))
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(string(out)), "")
			for _, s := range tc.sections {
				if !strings.Contains(text, s) {
					t.Errorf("%s: the PDF lacks %q", tc.path, s)
				}
			}
		}
	})
}
