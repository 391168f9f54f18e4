package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/report"
	"manyi/internal/sampling"
)

// The reports (/reports): each report of each period at a stable address
// (/reports/monthly/2026-10, /reports/quarterly/2026-Q3, /reports/weekly/2026-W44), as a
// page printable on A4, as XLSX (?format=xlsx) and as a PDF printed by headless Chromium on
// the server (/pdf). docs/reports.md says why Chromium's own print and not a Go PDF library.

func (s *Server) reportRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /reports", s.page(s.reportIndex))
	m.HandleFunc("GET /reports/{kind}/{period}", s.page(s.reportShow))
	m.HandleFunc("GET /reports/{kind}/{period}/pdf", s.page(s.reportPDF))
}

// reportPeriods is what the index offers of each report: the latest periods first.
type reportPeriods struct {
	Kind     report.Kind
	TitleKey string
	Periods  []string
}

func (s *Server) reportIndex(w http.ResponseWriter, r *http.Request) error {
	if !report.MayRead(principal(r)) {
		return errs.New(errs.Forbidden, "report.forbidden")
	}
	now := s.db.Now().In(timeZone)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, timeZone)
	var months, quarters, weeks []string
	for i := 1; i <= 12; i++ {
		months = append(months, first.AddDate(0, -i, 0).Format("2006-01"))
	}
	qFirst := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, timeZone)
	for i := 1; i <= 4; i++ {
		t := qFirst.AddDate(0, -3*i, 0)
		quarters = append(quarters, t.Format("2006")+"-Q"+string(rune('0'+(int(t.Month())+2)/3)))
	}
	for i := 0; i < 8; i++ {
		weeks = append(weeks, sampling.WeekOf(now.AddDate(0, 0, -7*i)))
	}
	s.render(w, r, "reports", http.StatusOK, []reportPeriods{
		{report.Monthly, "report.monthly", months},
		{report.Quarterly, "report.quarterly", quarters},
		{report.Weekly, "report.weekly", weeks},
	})
	return nil
}

// reportView is the report page: the report and its charts drawn.
type reportView struct {
	report.Report
	Charts map[string]template.HTML // by chart id
	PDF    bool                     // rendering for the PDF: no tools
}

// buildReport builds the report the request names, refusing a reader who may not open it.
func (s *Server) buildReport(r *http.Request) (report.Report, error) {
	p := principal(r)
	if !report.MayRead(p) {
		return report.Report{}, errs.New(errs.Forbidden, "report.forbidden")
	}
	env := report.Env{DB: s.db, Assess: s.assess, Zone: timeZone}
	lang := locale.FromContext(r.Context())
	period := r.PathValue("period")
	switch report.Kind(r.PathValue("kind")) {
	case report.Monthly:
		return report.BuildMonthly(r.Context(), env, p, lang, period)
	case report.Quarterly:
		return report.BuildQuarterly(r.Context(), env, p, lang, period)
	case report.Weekly:
		return report.BuildWeekly(r.Context(), env, p, lang, period)
	}
	return report.Report{}, errs.New(errs.NotFound, "report.unknown_kind", r.PathValue("kind"))
}

func newReportView(rep report.Report) reportView {
	v := reportView{Report: rep, Charts: map[string]template.HTML{}}
	for _, sec := range rep.Sections {
		for _, c := range sec.Charts {
			// The SVG is built by report.Chart.SVG, which escapes every label.
			v.Charts[c.ID] = template.HTML(c.SVG())
		}
	}
	return v
}

func (s *Server) reportShow(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.buildReport(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") != "xlsx" {
		s.render(w, r, "report", http.StatusOK, newReportView(rep))
		return nil
	}
	lang := locale.FromContext(r.Context())
	status := locale.T(lang, "report.final")
	if rep.Provisional {
		status = locale.T(lang, "report.provisional")
	}
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, rep, status); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="report-`+string(rep.Kind)+`-`+rep.Period+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// pdfTimeout bounds one Chromium run; Chromium itself takes seconds to start, more on a busy machine.
const pdfTimeout = 2 * time.Minute

// reportPDF prints the report to PDF with headless Chromium. The page is rendered here, with
// the style sheet inlined, into a file Chromium opens: Chromium never calls back into the
// server, so it needs no session, and the PDF is exactly the page the reader would print.
func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.buildReport(r)
	if err != nil {
		return err
	}
	if s.cfg.Chromium == "" {
		return errs.New(errs.Unavailable, "report.pdf_unavailable")
	}
	v := newReportView(rep)
	v.PDF = true
	page, err := s.renderHTML(r, "report", v)
	if err != nil {
		return err
	}
	css, err := staticFS.ReadFile("static/style.css")
	if err != nil {
		return err
	}
	link := `<link rel="stylesheet" href="/static/` + s.pages.staticHash + `/style.css">`
	page = bytes.Replace(page, []byte(link), []byte("<style>"+string(css)+"</style>"), 1)
	select {
	case s.pdfSlots <- struct{}{}:
		defer func() { <-s.pdfSlots }()
	case <-r.Context().Done():
		return r.Context().Err()
	}
	pdf, err := printPDF(r.Context(), s.cfg.Chromium, page)
	if err != nil {
		s.log.Error("report pdf", "err", err)
		return errs.New(errs.Unavailable, "report.pdf_failed")
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="report-`+string(rep.Kind)+`-`+rep.Period+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(pdf)
	return err
}

// printPDF has Chromium print an HTML document to PDF on A4 (the page's @page rule), in a
// temporary directory that also holds Chromium's throw-away profile.
func printPDF(ctx context.Context, chromium string, page []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "manyi-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, page, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-pdf-header-footer", "--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, "file://"+in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, errs.Wrapf(err, "chromium: %s", lastLine(stderr.String()))
	}
	return os.ReadFile(out)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// FindChromium returns the Chromium to print PDFs with: path when given, else the first of
// the usual names on PATH; "" when there is none.
func FindChromium(path string) string {
	if path != "" {
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
