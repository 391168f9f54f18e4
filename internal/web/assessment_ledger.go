package web

import (
	"bytes"
	"net/http"
	"strconv"

	"manyi/internal/assessment"
)

// The ledger page (/assessment/ledger): every money or pay consequence of approved results,
// by payroll month, with the monthly payroll export (?format=xlsx) the payroll office uses as
// is, and the quality work group's budget with its expenses.

func (s *Server) ledgerRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /assessment/ledger", s.page(s.ledgerShow))
	m.HandleFunc("POST /assessment/ledger/expenses", s.page(s.ledgerExpense))
}

type ledgerData struct {
	Month      string
	Superseded bool
	Lines      []assessment.LedgerLine
	Budget     *assessment.BudgetView
	Expenses   []assessment.Expense
	CanSpend   bool
	Expense    assessment.ExpenseInput
	Error      string
	ErrField   string
}

func (s *Server) renderLedger(w http.ResponseWriter, r *http.Request, status int, d ledgerData) error {
	p := principal(r)
	q := r.URL.Query()
	if d.Month == "" {
		d.Month = q.Get("month")
	}
	if d.Month == "" {
		d.Month = s.db.Now().In(timeZone).AddDate(0, -1, 0).Format("2006-01")
	}
	d.Superseded = q.Get("superseded") == "1"
	lines, err := assessment.ListLedger(r.Context(), s.db, p, assessment.LedgerFilter{Month: d.Month, IncludeSuperseded: d.Superseded})
	if err != nil {
		return err
	}
	d.Lines = lines
	year, _ := strconv.Atoi(d.Month[:4])
	if d.Budget, d.Expenses, err = assessment.YearBudget(r.Context(), s.db, assessment.BudgetScheme, year); err != nil {
		d.Budget = nil // no active version of the scheme: no budget to show
	}
	d.CanSpend = assessment.MayRecordExpense(p)
	s.render(w, r, "assessment_ledger", status, d)
	return nil
}

func (s *Server) ledgerShow(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Query().Get("format") != "xlsx" {
		return s.renderLedger(w, r, http.StatusOK, ledgerData{})
	}
	pr, err := assessment.GetPayroll(r.Context(), s.db, principal(r), r.URL.Query().Get("month"))
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderLedger(w, r, status, ledgerData{Error: msg, ErrField: field})
		})
	}
	var buf bytes.Buffer
	if err := assessment.WritePayroll(&buf, pr); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="payroll-`+pr.Month+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) ledgerExpense(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	in := assessment.ExpenseInput{SpentOn: r.PostFormValue("spent_on"), Amount: r.PostFormValue("amount"), Note: r.PostFormValue("note")}
	x, err := assessment.RecordExpense(r.Context(), s.db, principal(r), in)
	if err == nil {
		s.redirect(w, r, "/assessment/ledger?month="+x.SpentOn[:7], "close.flash_expense")
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderLedger(w, r, status, ledgerData{Expense: in, Error: msg, ErrField: field})
	})
}
