package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/improvement"
	"manyi/internal/target"
)

// The one improvement loop (改善项目, docs/improvements.md): items from every source in one
// list, raised from a source record, carried out and verified.

func improvementRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/improvements", handler: a.listImprovements, id: "listImprovements", tag: "improvements",
			summary: "Improvement items (改善项目跟踪管理表) of the units the caller may see, newest first",
			query: append([]param{
				{"unit_id", "integer", "int64", "Only items of this unit and its sub-units."},
				{"status", "string", "", "open, done, verified or reopened."},
				{"source_kind", "string", "", "workorder_followup, survey_opinion, survey_followup, complaint, inspection_finding, target_breach, meeting_remedy or direct."},
				{"overdue", "boolean", "", "Only items past their due day and not done (true)."},
			}, pageParams...), status: 200, result: "ImprovementPage"},
		{method: "POST", path: "/api/v1/improvements", handler: a.raiseImprovement, id: "raiseImprovement", tag: "improvements",
			summary: "Raise an item from a source record (source_kind and source_id), or directly for a unit (source_kind direct, unit_id); one item per source record",
			body:    "ImprovementInput", status: 201, result: "Improvement"},
		{method: "GET", path: "/api/v1/improvements/{id}", handler: a.getImprovementItem, id: "getImprovement", tag: "improvements",
			summary: "One improvement item", status: 200, result: "Improvement"},
		{method: "PATCH", path: "/api/v1/improvements/{id}", handler: a.updateImprovement, id: "updateImprovement", tag: "improvements",
			summary: "Change the owner, cause, measures, due day or evidence of an item not yet verified", body: "ImprovementPatch", status: 200, result: "Improvement"},
		{method: "POST", path: "/api/v1/improvements/{id}/report", handler: a.reportImprovement, id: "reportImprovement", tag: "improvements",
			summary: "The owner reports the item done, with its evidence", body: "ImprovementReport", status: 200, result: "Improvement"},
		{method: "POST", path: "/api/v1/improvements/{id}/verify", handler: a.verifyImprovement, id: "verifyImprovement", tag: "improvements",
			summary: "The clerk verifies an item reported done, or sends it back with the decision", body: "ImprovementVerification", status: 200, result: "Improvement"},
	}
}

// ImprovementInput raises an item.
type ImprovementInput struct {
	SourceKind string `json:"source_kind"`
	SourceID   string `json:"source_id"`
	UnitID     int64  `json:"unit_id"`
	Title      string `json:"title"`
	Problem    string `json:"problem"`
	Cause      string `json:"cause"`
	Measures   string `json:"measures"`
	Owner      string `json:"owner"`
	DueOn      string `json:"due_on"`
}

// ImprovementPatch changes an item; absent fields stay.
type ImprovementPatch struct {
	Owner    *string `json:"owner"`
	Cause    *string `json:"cause"`
	Measures *string `json:"measures"`
	DueOn    *string `json:"due_on"`
	Evidence *string `json:"evidence"`
}

// ImprovementReport reports an item done.
type ImprovementReport struct {
	Evidence string `json:"evidence"`
}

// ImprovementVerification is the clerk's check.
type ImprovementVerification struct {
	Accept   bool   `json:"accept"`
	Decision string `json:"decision"`
}

func init() {
	doc("Improvement", improvement.Item{})
	docInput("ImprovementInput", ImprovementInput{}, "source_kind", "title", "owner", "due_on")
	docInput("ImprovementPatch", ImprovementPatch{})
	docInput("ImprovementReport", ImprovementReport{}, "evidence")
	docInput("ImprovementVerification", ImprovementVerification{}, "accept")
}

// improvementField names the area's fields as the API's body does.
func improvementField(err error) error {
	for from, to := range map[string]string{"item_title": "title", "item_problem": "problem", "item_cause": "cause", "item_measures": "measures",
		"item_owner": "owner", "item_due_on": "due_on", "item_evidence": "evidence", "item_decision": "decision"} {
		err = asField(err, from, to)
	}
	return err
}

func (a *API) listImprovements(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := pageQuery(r)
	if err != nil {
		return err
	}
	unit, err := queryInt(r, "unit_id", 0)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := improvement.Filter{UnitID: unit, Status: improvement.Status(q.Get("status")), Kind: improvement.Kind(q.Get("source_kind")), Before: pg.Before, Limit: pg.fetch()}
	overdue, err := queryBool(r, "overdue")
	if err != nil {
		return err
	}
	if overdue {
		f.Overdue = a.db.Now().In(chinaTime).Format("2006-01-02")
	}
	items, err := improvement.List(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(items, pg, func(i improvement.Item) int64 { return i.ID }))
	return nil
}

func (a *API) raiseImprovement(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in ImprovementInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	item := improvement.Input{UnitID: in.UnitID, Title: in.Title, Problem: in.Problem, Cause: in.Cause, Measures: in.Measures, Owner: in.Owner, DueOn: in.DueOn}
	var it improvement.Item
	var err error
	switch kind := improvement.Kind(in.SourceKind); kind {
	case improvement.Direct:
		it, err = improvement.RaiseDirect(r.Context(), a.db, p, item)
	case improvement.TargetBreach:
		// A breach is computed, not stored: the target area computes it again.
		it, err = target.NewEngine(a.db, TargetMeasures()...).RaiseFromBreach(r.Context(), p, in.SourceID, item, chinaTime)
	default:
		it, err = improvement.Raise(r.Context(), a.db, p, kind, in.SourceID, item)
	}
	if err != nil {
		return improvementField(err)
	}
	w.Header().Set("Location", "/api/v1/improvements/"+strconv.FormatInt(it.ID, 10))
	writeJSON(w, http.StatusCreated, it)
	return nil
}

func (a *API) getImprovementItem(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, func(id int64) (improvement.Item, error) { return improvement.Get(r.Context(), a.db, p, id) })
}

// improvementAction applies an action with a JSON body and answers the item as it now is.
func improvementAction[In any](w http.ResponseWriter, r *http.Request, act func(id int64, in In) (improvement.Item, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in In
	if err := decode(w, r, &in); err != nil {
		return err
	}
	it, err := act(id, in)
	if err != nil {
		return improvementField(err)
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}

func (a *API) updateImprovement(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return improvementAction(w, r, func(id int64, in ImprovementPatch) (improvement.Item, error) {
		return improvement.Update(r.Context(), a.db, p, id, improvement.Patch{Owner: in.Owner, Cause: in.Cause, Measures: in.Measures, DueOn: in.DueOn, Evidence: in.Evidence})
	})
}

func (a *API) reportImprovement(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return improvementAction(w, r, func(id int64, in ImprovementReport) (improvement.Item, error) {
		return improvement.Report(r.Context(), a.db, p, id, in.Evidence)
	})
}

func (a *API) verifyImprovement(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return improvementAction(w, r, func(id int64, in ImprovementVerification) (improvement.Item, error) {
		return improvement.Verify(r.Context(), a.db, p, id, improvement.Verification{Accept: in.Accept, Decision: in.Decision})
	})
}
