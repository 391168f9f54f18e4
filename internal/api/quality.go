package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/inspection"
)

// The quality work group's evidence of the quarterly department assessment (docs/policies.md §3):
// the quarter board of self-check reports, self-check reports, spot checks, callback-record
// audits and the complaint desk's direct deductions. The handlers call the same area
// functions as the pages.

func qualityRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/quality/reports", handler: a.qualityReports, id: "listQualityReports", tag: "quality",
			summary: "The quarter board: each department's monthly self-check report (on time, late, missing), spot score and penalty",
			query:   []param{{"unit_id", "integer", "int64", "The company whose departments are assessed (required)."}, {"quarter", "string", "", "The quarter, e.g. 2026-Q3 (required)."}},
			status:  200, result: "QualityReportList"},
		{method: "POST", path: "/api/v1/quality/self-checks", handler: a.qualitySelfCheck, id: "createSelfCheck", tag: "quality",
			summary: "File a department's monthly self-check report (月度自查自报) for an ended month of the quarter", body: "ScoredCheckInput", status: 201, result: "Inspection"},
		{method: "POST", path: "/api/v1/quality/spot-checks", handler: a.qualitySpotCheck, id: "createSpotCheck", tag: "quality",
			summary: "Record the work group's spot check (公司抽查) of a reported month", body: "ScoredCheckInput", status: 201, result: "Inspection"},
		{method: "POST", path: "/api/v1/quality/callback-audits", handler: a.qualityCallbackAudit, id: "createCallbackAudit", tag: "quality",
			summary: "Record a callback-record audit (回访记录抽查): each incomplete or untrue record with a deduction of 0.5–1", body: "CallbackAuditInput", status: 201, result: "Inspection"},
		{method: "GET", path: "/api/v1/quality/checks/{id}", handler: a.getCheck, id: "getQualityCheck", tag: "quality",
			summary: "One self-check, spot check or callback audit (an inspection) with its findings", status: 200, result: "Inspection"},
		{method: "GET", path: "/api/v1/quality/direct-deductions/{id}", handler: a.getDirect, id: "getDirectDeduction", tag: "quality",
			summary: "One direct deduction", status: 200, result: "DirectDeduction"},
		{method: "GET", path: "/api/v1/quality/direct-deductions", handler: a.listDirect, id: "listDirectDeductions", tag: "quality",
			summary: "Direct deductions (主业直接扣分) of the days from..to, by day",
			query:   []param{{"from", "string", "", "First day, YYYY-MM-DD (required)."}, {"to", "string", "", "Last day, YYYY-MM-DD (required)."}, pageParams[0], pageParams[1]}, status: 200, result: "DirectDeductionPage"},
		{method: "POST", path: "/api/v1/quality/direct-deductions", handler: a.createDirect, id: "createDirectDeduction", tag: "quality",
			summary: "Record a direct deduction from a department's complaint score", body: "DirectDeductionInput", status: 201, result: "DirectDeduction"},
	}
}

// ScoredCheckInput files a self-check report or a spot check: the month it is for, the score
// 0–100 (two decimals at most) and the evidence.
type ScoredCheckInput struct {
	UnitID      int64  `json:"unit_id"`
	Month       string `json:"month"`
	Quarter     string `json:"quarter"`
	Score       string `json:"score"`
	Note        string `json:"note"`
	InspectedAt string `json:"inspected_at"`
}

// CallbackAuditInput records a callback-record audit.
type CallbackAuditInput struct {
	UnitID      int64                `json:"unit_id"`
	ChecklistID int64                `json:"checklist_id"`
	Month       string               `json:"month"`
	InspectedAt string               `json:"inspected_at"`
	Note        string               `json:"note"`
	Findings    []CallbackFindingArg `json:"findings"`
}

// CallbackFindingArg is one callback record found incomplete or untrue.
type CallbackFindingArg struct {
	ItemID      int64  `json:"item_id"`
	Description string `json:"description"`
	Deduction   string `json:"deduction"`
}

// DirectDeductionInput records a direct deduction.
type DirectDeductionInput struct {
	UnitID      int64  `json:"unit_id"`
	Day         string `json:"day"`
	Points      string `json:"points"`
	Reason      string `json:"reason"`
	ComplaintID int64  `json:"complaint_id"`
}

// qualityReports answers whole: one row per department of the company for one quarter.
func (a *API) qualityReports(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	unit, err := queryInt(r, "unit_id", 0)
	if err != nil {
		return err
	}
	rows, err := inspection.QuarterReports(r.Context(), a.db, p, unit, r.URL.Query().Get("quarter"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(rows))
	return nil
}

func instant(field, s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, errs.Field(field, "quality.bad_instant", s)
	}
	return t, nil
}

func (a *API) scoredCheck(w http.ResponseWriter, r *http.Request, p access.Principal, kind inspection.Kind) error {
	var in ScoredCheckInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	score, err := inspection.ParsePoints("check_score", in.Score)
	if err != nil {
		return err
	}
	at, err := instant("inspected_at", in.InspectedAt)
	if err != nil {
		return err
	}
	ins, err := inspection.File(r.Context(), a.db, p, inspection.Input{Kind: kind, UnitID: in.UnitID, Month: in.Month, Quarter: in.Quarter, Score: &score, Note: in.Note, InspectedAt: at})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/quality/checks/"+strconv.FormatInt(ins.ID, 10))
	writeJSON(w, http.StatusCreated, ins)
	return nil
}

func (a *API) qualitySelfCheck(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return a.scoredCheck(w, r, p, inspection.SelfCheck)
}

func (a *API) qualitySpotCheck(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return a.scoredCheck(w, r, p, inspection.SpotCheck)
}

func (a *API) qualityCallbackAudit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in CallbackAuditInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	at, err := instant("inspected_at", in.InspectedAt)
	if err != nil {
		return err
	}
	fs := make([]inspection.FindingInput, 0, len(in.Findings))
	for _, f := range in.Findings {
		fi := inspection.FindingInput{ItemID: f.ItemID, Description: f.Description}
		if strings.TrimSpace(f.Deduction) != "" {
			d, err := inspection.ParsePoints("deduction", f.Deduction)
			if err != nil {
				return err
			}
			fi.Deduction = &d
		}
		fs = append(fs, fi)
	}
	ins, err := inspection.File(r.Context(), a.db, p, inspection.Input{Kind: inspection.CallbackAudit, UnitID: in.UnitID, ChecklistID: in.ChecklistID, Month: in.Month, InspectedAt: at, Note: in.Note, Findings: fs})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/quality/checks/"+strconv.FormatInt(ins.ID, 10))
	writeJSON(w, http.StatusCreated, ins)
	return nil
}

func (a *API) listDirect(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	for _, d := range []struct{ field, v string }{{"from", from}, {"to", to}} {
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return errs.Field(d.field, "complaint.direct_bad_day", d.v)
		}
	}
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	rows, err := complaint.DirectPage(r.Context(), a.db, p, from, to, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(rows, pg, complaint.DirectKey))
	return nil
}

func (a *API) createDirect(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in DirectDeductionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := complaint.AddDirect(r.Context(), a.db, p, complaint.DirectInput{UnitID: in.UnitID, Day: in.Day, Points: in.Points, Reason: in.Reason, ComplaintID: in.ComplaintID})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/quality/direct-deductions/"+strconv.FormatInt(d.ID, 10))
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (a *API) getDirect(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := complaint.GetDirect(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// checkView is an inspection with its findings, as the API shows a quality check.
type checkView struct {
	inspection.Inspection
	Findings []inspection.Finding `json:"findings"`
}

func (a *API) getCheck(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := inspection.Get(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	fs := d.Findings
	if fs == nil {
		fs = []inspection.Finding{}
	}
	writeJSON(w, http.StatusOK, checkView{d.Inspection, fs})
	return nil
}

type schema = map[string]any

func obj(required []string, props schema) schema {
	return schema{"type": "object", "required": required, "properties": props}
}

var (
	sInt   = schema{"type": "integer", "format": "int64"}
	sStr   = schema{"type": "string"}
	sDay   = schema{"type": "string", "description": "YYYY-MM-DD, China time"}
	sMonth = schema{"type": "string", "description": "YYYY-MM"}
	sPts   = schema{"type": "string", "description": "points as a decimal with at most two places, e.g. \"0.5\""}
)

func listOf(item string) schema {
	return obj([]string{"items", "total"}, schema{"items": schema{"type": "array", "items": ref(item)}, "total": schema{"type": "integer"}})
}

// extraSchemas are the component schemas of the quality routes.
var extraSchemas = map[string]any{
	"ScoredCheckInput": obj([]string{"unit_id", "month", "score"}, schema{
		"unit_id": sInt, "month": sMonth, "quarter": schema{"type": "string", "description": "The quarter the report is filed for (e.g. 2026-Q3); the month must lie in it"},
		"score": sPts, "note": schema{"type": "string", "description": "Evidence: what was checked (台账, 单据, 系统数据)"},
		"inspected_at": schema{"type": "string", "format": "date-time", "description": "When the check was made; default now"},
	}),
	"CallbackAuditInput": obj([]string{"unit_id", "checklist_id"}, schema{
		"unit_id": sInt, "checklist_id": sInt, "month": schema{"type": "string", "description": "YYYY-MM of the callback records sampled (the quarter they count in); default the month of inspected_at"},
		"inspected_at": schema{"type": "string", "format": "date-time"}, "note": sStr,
		"findings": schema{"type": "array", "items": obj([]string{"item_id", "description"}, schema{"item_id": sInt, "description": sStr, "deduction": sPts})},
	}),
	"Inspection": obj([]string{"id", "kind", "unit_id", "month", "day"}, schema{
		"id": sInt, "kind": sStr, "unit_id": sInt, "unit_name": sStr, "checklist_id": sInt, "checklist_name": sStr, "inspector_id": sInt, "inspector": sStr,
		"items_checked": schema{"type": "integer"}, "created_by": sStr, "created_at": schema{"type": "string", "format": "date-time"},
		"inspected_at": schema{"type": "string", "format": "date-time"}, "month": sMonth, "day": sDay,
		"score": schema{"type": "integer", "description": "hundredths of a point"}, "note": sStr, "inspection_findings": schema{"type": "integer"},
		"deducted": schema{"type": "integer", "description": "hundredths of a point"},
		"findings": schema{"type": "array", "description": "The findings (GET only), each with its deduction in hundredths of a point", "items": schema{"type": "object"}},
	}),
	"QualityReport": obj([]string{"unit_id", "unit_name", "months", "late", "missing"}, schema{
		"unit_id": sInt, "unit_name": sStr, "late": schema{"type": "integer"}, "missing": schema{"type": "integer"},
		"months": schema{"type": "array", "items": obj([]string{"month", "state", "due", "penalty"}, schema{
			"month": sMonth, "state": schema{"type": "string", "enum": []string{"on_time", "late", "missing", "due", "open"}}, "due": sDay, "filed": sDay,
			"self": schema{"type": "integer", "description": "hundredths of a point"}, "self_id": sInt,
			"spot": schema{"type": "integer", "description": "hundredths of a point"}, "spot_id": sInt,
			"penalty": schema{"type": "integer", "description": "max(0, self − spot) in hundredths (the template's default, to be confirmed)"},
		})},
	}),
	"QualityReportList": listOf("QualityReport"),
	"DirectDeductionInput": obj([]string{"unit_id", "day", "points", "reason"}, schema{
		"unit_id": sInt, "day": sDay, "points": sPts, "reason": sStr, "complaint_id": sInt,
	}),
	"DirectDeduction": obj([]string{"id", "unit_id", "day", "points", "reason"}, schema{
		"id": sInt, "unit_id": sInt, "unit_name": sStr, "day": sDay, "points": sPts, "reason": sStr, "complaint_id": sInt,
		"created_by": sStr, "created_at": schema{"type": "string", "format": "date-time"},
	}),
	"DirectDeductionPage": pageSchema("DirectDeduction"),
}
