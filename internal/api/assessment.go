package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
)

// Period close through the API: the same assessment functions as the pages (start, recompute,
// decide, approve, lock, reopen, read a close and a subject's result with the records behind
// each fact), the ledger and the monthly payroll. Scope is the area's: a unit head reads only
// their units' results and ledger lines.

func assessmentRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/assessment/closes", handler: a.listCloses, id: "listCloses", tag: "assessment",
			summary: "The latest version of every close, newest period first", query: pageParams, status: 200, result: "ClosePage"},
		{method: "POST", path: "/api/v1/assessment/closes", handler: a.startClose, id: "startClose", tag: "assessment",
			summary: "Start the close of a scheme for an ended period over the subjects under a parent unit, and compute it (clerks)", body: "CloseStart", status: 201, result: "Close"},
		{method: "GET", path: "/api/v1/assessment/closes/{id}", handler: a.getClose, id: "getClose", tag: "assessment",
			summary: "A close with the results the caller may read, ranked, its versions, the difference from the previous version, the budget, the star and best teams, and its ledger lines",
			status:  200, result: "CloseView"},
		{method: "POST", path: "/api/v1/assessment/closes/{id}/recompute", handler: a.recomputeClose, id: "recomputeClose", tag: "assessment",
			summary: "Compute a draft close again from the evidence as it is now (clerks)", status: 200, result: "Close"},
		{method: "POST", path: "/api/v1/assessment/closes/{id}/decisions", handler: a.decideClose, id: "decideClose", tag: "assessment",
			summary: "Record the decision on an incomplete subject: award a fact a value, or no opinion, with a reason (clerks)", body: "CloseDecision", status: 201, result: "Decision"},
		{method: "POST", path: "/api/v1/assessment/closes/{id}/approve", handler: a.approveClose, id: "approveClose", tag: "assessment",
			summary: "Approve (审定) a draft close; writes its ledger lines (committee)", status: 200, result: "Close"},
		{method: "POST", path: "/api/v1/assessment/closes/{id}/lock", handler: a.lockClose, id: "lockClose", tag: "assessment",
			summary: "Lock an approved close", status: 200, result: "Close"},
		{method: "POST", path: "/api/v1/assessment/closes/{id}/reopen", handler: a.reopenClose, id: "reopenClose", tag: "assessment",
			summary: "Reopen an approved or locked close as its next version, with a reason; its ledger lines are superseded", body: "CloseReopen", status: 201, result: "Close"},
		{method: "GET", path: "/api/v1/assessment/closes/{id}/result", handler: a.getCloseResult, id: "getCloseResult", tag: "assessment",
			summary: "One subject's result with each component's facts and the records behind them (drill-down)",
			query:   []param{{"unit_id", "integer", "int64", "The subject's unit (required)."}, {"person_id", "integer", "int64", "The person, for person and unit-head subjects."}},
			status:  200, result: "ResultView"},
		{method: "GET", path: "/api/v1/assessment/ledger", handler: a.listLedger, id: "listLedger", tag: "assessment",
			summary: "Ledger lines (money and pay consequences of approved results) the caller may read, by payroll month, then in the order written",
			query: []param{{"month", "string", "", "Payroll month, YYYY-MM."}, {"year", "string", "", "Payroll year, YYYY."}, {"scheme", "string", "", "Scheme code."},
				{"superseded", "boolean", "", "Include the superseded lines of reopened closes."}, pageParams[0], pageParams[1]},
			status: 200, result: "LedgerPage"},
		{method: "GET", path: "/api/v1/assessment/payroll", handler: a.getPayroll, id: "getPayroll", tag: "assessment",
			summary: "The month's payroll lines; refused while a close whose consequences fall in the month is not approved",
			query:   []param{{"month", "string", "", "Payroll month, YYYY-MM (required)."}}, status: 200, result: "Payroll"},
	}
}

// CloseStart starts a close.
type CloseStart struct {
	SchemeCode   string `json:"scheme_code"`
	Period       string `json:"period"`
	ParentUnitID int64  `json:"parent_unit_id"`
}

// CloseDecision is a decision on an incomplete subject.
type CloseDecision struct {
	UnitID   int64  `json:"unit_id"`
	PersonID int64  `json:"person_id"`
	Kind     string `json:"kind"`
	Fact     string `json:"fact"`
	Value    string `json:"value"`
	Reason   string `json:"reason"`
}

// CloseReopen reopens a close.
type CloseReopen struct {
	Reason string `json:"reason"`
}

func (a *API) listCloses(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	cs, err := a.assess.ClosePage(r.Context(), p, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(cs, pg, assessment.CloseKey))
	return nil
}

func (a *API) closeCreated(w http.ResponseWriter, c assessment.Close) {
	w.Header().Set("Location", "/api/v1/assessment/closes/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, c)
}

func (a *API) startClose(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in CloseStart
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.assess.Start(r.Context(), p, assessment.StartInput{SchemeCode: in.SchemeCode, Period: in.Period, ParentUnitID: in.ParentUnitID})
	if err != nil {
		return err
	}
	a.closeCreated(w, c)
	return nil
}

// closeJSON is a close view as the API shows it.
type closeJSON struct {
	Close     assessment.Close        `json:"close"`
	Versions  []assessment.Close      `json:"versions"`
	Results   []resultJSON            `json:"results"`
	Undecided int                     `json:"undecided"`
	Hidden    int                     `json:"hidden"`
	Diff      []diffJSON              `json:"diff,omitempty"`
	Budget    *assessment.BudgetView  `json:"budget,omitempty"`
	Star      *resultJSON             `json:"star,omitempty"`
	Teams     []assessment.TeamScore  `json:"teams,omitempty"`
	Ledger    []assessment.LedgerLine `json:"ledger"`
}

type resultJSON struct {
	assessment.Result
	UnitName   string `json:"unit_name"`
	PersonName string `json:"person_name,omitempty"`
}

type diffJSON struct {
	UnitID   int64  `json:"unit_id"`
	PersonID int64  `json:"person_id,omitempty"`
	Before   string `json:"before"`
	After    string `json:"after"`
	Changed  bool   `json:"changed"`
}

func summaryOf(r *assessment.Result) string {
	if r == nil {
		return ""
	}
	s := string(r.Result.Status)
	if r.Result.Total != nil {
		s += " " + r.Result.Total.String()
	}
	return s
}

func (a *API) getClose(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := a.assess.GetClose(r.Context(), p, id)
	if err != nil {
		return err
	}
	named := func(x assessment.Result) resultJSON {
		return resultJSON{Result: x, UnitName: v.Units[x.UnitID].Name, PersonName: v.People[x.PersonID].Name}
	}
	out := closeJSON{Close: v.Close, Versions: v.Versions, Undecided: v.Undecided, Hidden: v.Hidden, Budget: v.Budget, Teams: v.Teams, Ledger: v.Ledger, Results: []resultJSON{}}
	if out.Ledger == nil {
		out.Ledger = []assessment.LedgerLine{}
	}
	for _, x := range v.Results {
		out.Results = append(out.Results, named(x))
	}
	for _, d := range v.Diff {
		out.Diff = append(out.Diff, diffJSON{UnitID: d.UnitID, PersonID: d.PersonID, Before: summaryOf(d.Before), After: summaryOf(d.After), Changed: d.Changed})
	}
	if v.Star != nil {
		s := named(*v.Star)
		out.Star = &s
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// closeAction runs one step of the workflow on the close of the path.
func (a *API) closeAction(w http.ResponseWriter, r *http.Request, act func(id int64) (assessment.Close, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := act(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) recomputeClose(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return a.closeAction(w, r, func(id int64) (assessment.Close, error) { return a.assess.Recompute(r.Context(), p, id) })
}

func (a *API) approveClose(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return a.closeAction(w, r, func(id int64) (assessment.Close, error) { return a.assess.Approve(r.Context(), p, id) })
}

func (a *API) lockClose(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return a.closeAction(w, r, func(id int64) (assessment.Close, error) { return a.assess.Lock(r.Context(), p, id) })
}

func (a *API) decideClose(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in CloseDecision
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.assess.Decide(r.Context(), p, id, assessment.DecisionInput{UnitID: in.UnitID, PersonID: in.PersonID, Kind: assessment.DecisionKind(in.Kind),
		Fact: in.Fact, Value: in.Value, Reason: in.Reason})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/assessment/closes/"+strconv.FormatInt(id, 10)+"/decisions/"+strconv.FormatInt(d.ID, 10))
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (a *API) reopenClose(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in CloseReopen
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.assess.Reopen(r.Context(), p, id, in.Reason)
	if err != nil {
		return err
	}
	a.closeCreated(w, c)
	return nil
}

func (a *API) getCloseResult(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	unit, err := queryInt(r, "unit_id", 0)
	if err != nil {
		return err
	}
	if unit <= 0 {
		return errs.Required("unit_id")
	}
	person, err := queryInt(r, "person_id", 0)
	if err != nil {
		return err
	}
	v, err := a.assess.GetResult(r.Context(), p, id, assessment.Subject{UnitID: unit, PersonID: person})
	if err != nil {
		return err
	}
	out := map[string]any{"close": v.Close, "unit": v.Unit, "result": v.Result, "components": v.Components}
	if v.Person != nil {
		out["person"] = map[string]any{"id": v.Person.ID, "name": v.Person.Name, "unit_id": v.Person.UnitID}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listLedger(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	sup, err := queryBool(r, "superseded")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	lines, err := assessment.LedgerPage(r.Context(), a.db, p, assessment.LedgerFilter{Month: q.Get("month"), Year: q.Get("year"), SchemeCode: q.Get("scheme"), IncludeSuperseded: sup}, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(lines, pg, assessment.LedgerKey))
	return nil
}

func (a *API) getPayroll(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pr, err := assessment.GetPayroll(r.Context(), a.db, p, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	lines := pr.Lines
	if lines == nil {
		lines = []assessment.LedgerLine{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"month": pr.Month, "lines": lines})
	return nil
}

var (
	sDec  = schema{"type": "string", "description": "a decimal as a string, e.g. \"89.8\", \"-5000\""}
	sTime = schema{"type": "string", "format": "date-time"}
)

func init() {
	closeObj := obj([]string{"id", "scheme_code", "scheme_version", "period", "parent_unit_id", "version", "status", "superseded"}, schema{
		"id": sInt, "scheme_code": sStr, "scheme_version": schema{"type": "integer"}, "period": sStr, "parent_unit_id": sInt, "version": schema{"type": "integer"},
		"status": schema{"type": "string", "enum": []string{"draft", "approved", "locked"}}, "superseded": schema{"type": "boolean"},
		"missing_facts": schema{"type": "array", "items": sStr}, "missing_reason": sStr, "missing_by": sStr, "reopen_reason": sStr,
		"created_by": sStr, "created_at": sTime, "computed_at": sTime, "approved_by": sStr, "approved_at": sTime, "locked_by": sStr, "locked_at": sTime,
		"budget_over": schema{"type": "string", "description": "yuan by which the approval took the work group's yearly budget over"},
	})
	line := obj([]string{"id", "close_id", "result_id", "scheme_code", "period", "pay_month", "unit_id", "kind", "amount", "measure", "superseded"}, schema{
		"id": sInt, "close_id": sInt, "result_id": sInt, "scheme_code": sStr, "period": sStr, "close_version": schema{"type": "integer"}, "pay_month": sMonth,
		"unit_id": sInt, "unit_name": sStr, "person_id": sInt, "person_name": sStr,
		"scheme_name": obj([]string{"zh", "en"}, schema{"zh": sStr, "en": sStr}),
		"kind":        schema{"type": "string", "enum": []string{assessment.LedgerReward, assessment.LedgerPenalty, assessment.LedgerFine, assessment.LedgerPayDeduction, assessment.LedgerBaseSalaryOnly, assessment.LedgerHeadDeduction, assessment.LedgerStarPoints}},
		"amount":      sDec, "measure": schema{"type": "string", "enum": []string{assessment.Yuan, assessment.Points, assessment.Flag}},
		"superseded": schema{"type": "boolean"}, "created_at": sTime,
	})
	result := obj([]string{"id", "close_id", "unit_id", "result"}, schema{
		"id": sInt, "close_id": sInt, "unit_id": sInt, "person_id": sInt, "unit_name": sStr, "person_name": sStr,
		"result":  schema{"type": "object", "description": "the scheme's result: status, components with explanations, total, grade, flags, money (decimals as strings)"},
		"facts":   schema{"type": "object"},
		"records": schema{"type": "object", "description": "fact → the records behind it (kind, id, at, summary, url)"},
		"rank":    schema{"type": "integer"}, "decision": schema{"type": "object"},
	})
	for name, sch := range map[string]schema{
		"Close":     closeObj,
		"ClosePage": pageSchema("Close"),
		"CloseStart": obj([]string{"scheme_code", "period", "parent_unit_id"}, schema{
			"scheme_code": sStr, "period": schema{"type": "string", "description": "2026-10 (month), 2026-Q3 (quarter), 2026-W05 (week), 2026 (year)"}, "parent_unit_id": sInt,
		}),
		"CloseDecision": obj([]string{"unit_id", "kind", "reason"}, schema{
			"unit_id": sInt, "person_id": sInt, "kind": schema{"type": "string", "enum": []string{"award", "exclude"}}, "fact": sStr, "value": sDec, "reason": sStr,
		}),
		"CloseReopen": obj([]string{"reason"}, schema{"reason": sStr}),
		"Decision": obj([]string{"id", "close_id", "unit_id", "kind", "reason"}, schema{
			"id": sInt, "close_id": sInt, "unit_id": sInt, "person_id": sInt, "kind": sStr, "fact": sStr, "value": sStr, "reason": sStr, "decided_by": sStr, "decided_at": sTime,
		}),
		"CloseResult": result,
		"CloseView": obj([]string{"close", "versions", "results", "ledger"}, schema{
			"close": schema{"$ref": "#/components/schemas/Close"}, "versions": schema{"type": "array", "items": schema{"$ref": "#/components/schemas/Close"}},
			"results":   schema{"type": "array", "items": schema{"$ref": "#/components/schemas/CloseResult"}},
			"undecided": schema{"type": "integer"}, "hidden": schema{"type": "integer"},
			"diff":   schema{"type": "array", "items": schema{"type": "object"}},
			"budget": schema{"type": "object", "description": "year, limit, rewards, expenses, remaining, this_close, after (decimals) and exceeds"},
			"star":   schema{"$ref": "#/components/schemas/CloseResult"}, "teams": schema{"type": "array", "items": schema{"type": "object"}},
			"ledger": schema{"type": "array", "items": schema{"$ref": "#/components/schemas/LedgerLine"}},
		}),
		"ResultView": obj([]string{"close", "unit", "result", "components"}, schema{
			"close": schema{"$ref": "#/components/schemas/Close"}, "unit": schema{"type": "object"}, "person": schema{"type": "object"},
			"result":     schema{"$ref": "#/components/schemas/CloseResult"},
			"components": schema{"type": "array", "items": schema{"type": "object", "description": "value, max, explanation and Facts: each fact's name, value and records"}},
		}),
		"LedgerLine": line,
		"LedgerPage": pageSchema("LedgerLine"),
		"Payroll": obj([]string{"month", "lines"}, schema{
			"month": sMonth, "lines": schema{"type": "array", "items": schema{"$ref": "#/components/schemas/LedgerLine"}},
		}),
	} {
		extraSchemas[name] = sch
	}
}
