package api

import (
	"errors"
	"net/http"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
)

// What the assessment pages record beside the closes, through the API: the reward budget's
// expenses (clerks) and HR's decisions on dismissal reviews (an administrator or the unit
// head over the person). assessment.RecordExpense and RecordHRDecision hold the rules.

func assessmentRecordRoutes(a *API) []route {
	return []route{
		{method: "POST", path: "/api/v1/assessment/expenses", handler: a.recordExpense, id: "recordExpense", tag: "assessment",
			summary: "Record an expense against the year's reward budget (clerks)", body: "ExpenseInput", status: 200, result: "Expense"},
		{method: "POST", path: "/api/v1/assessment/hr-decisions", handler: a.recordHRDecision, id: "recordHRDecision", tag: "assessment",
			summary: "Record (or replace) HR's decision on a dismissal review of an approved period: kept or dismissed, with a reason", body: "HRInput", status: 200, result: "HRDecision"},
	}
}

func init() {
	doc("Expense", assessment.Expense{})
	doc("HRDecision", assessment.HRDecision{})
	docInput("ExpenseInput", assessment.ExpenseInput{}, "spent_on", "amount", "note")
	docInput("HRInput", assessment.HRInput{}, "scheme_code", "period", "person_id", "outcome", "reason")
}

// renamed names the area's form fields by the body's keys.
func renamed(err error, names map[string]string) error {
	var e *errs.Error
	if errors.As(err, &e) && names[e.Field] != "" {
		return &fieldError{err: e, field: names[e.Field]}
	}
	return err
}

func (a *API) recordExpense(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in assessment.ExpenseInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	x, err := assessment.RecordExpense(r.Context(), a.db, p, in)
	if err != nil {
		return renamed(err, map[string]string{"budget_spent_on": "spent_on", "budget_amount": "amount", "budget_note": "note"})
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (a *API) recordHRDecision(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in assessment.HRInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := assessment.RecordHRDecision(r.Context(), a.db, p, in)
	if err != nil {
		return renamed(err, map[string]string{"hr_decision": "outcome", "assessment_reason": "reason", "assessment_person": "person_id"})
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
