package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/sampling"
)

// Weekly sampling (docs/policies.md §6): plans with their quotas, a week's reproducible draw
// with its seed, and the check of each sampled item. Plans cover the organisation, not a
// unit: drawing and checking are the quality supervision post's (clerks, administrators).

func samplingRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/sampling/plans", handler: a.samplingPlans, id: "listSamplingPlans", tag: "sampling",
			summary: "Active sampling plans with their quotas, by code", query: pageParams, status: 200, result: "SamplingPlanPage"},
		{method: "PUT", path: "/api/v1/sampling/plans", handler: a.saveSamplingPlan, id: "saveSamplingPlan", tag: "sampling",
			summary: "Create a plan, or change the plan with the same code (draws made keep their quota)", body: "SamplingPlanInput", status: 200, result: "SamplingPlan"},
		{method: "POST", path: "/api/v1/sampling/draws", handler: a.drawSample, id: "drawSample", tag: "sampling",
			summary: "Draw a plan's sample of a week; the seed is stored so anyone can redo the draw", body: "DrawInput", status: 201, result: "SamplingDraw"},
		{method: "GET", path: "/api/v1/sampling/draws/{id}", handler: a.getSample, id: "getSample", tag: "sampling",
			summary: "One draw with its items, checks and whether redrawing from its seed gives the same sample", status: 200, result: "SamplingDraw"},
		{method: "POST", path: "/api/v1/sampling/items/{id}/check", handler: a.checkSampleItem, id: "checkSampleItem", tag: "sampling",
			summary: "Record the check of a sampled item: ok or problem, with a note", body: "SampleCheckInput", status: 200, result: "SamplingDraw"},
	}
}

// SamplingPlanInput creates or changes a plan. min_bp is the quota as basis points of the
// population (500 = 5 %); strata is comma-separated (A,B,C,D).
type SamplingPlanInput struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	Source   sampling.Source `json:"source"`
	MinCount int             `json:"min_count"`
	MinBP    int             `json:"min_bp"`
	Strata   string          `json:"strata"`
}

// DrawInput asks for a week's draw. population is CSV "ref,label[,stratum]" for imported
// populations; size 0 draws the quota; seed absent draws a fresh one.
type DrawInput struct {
	PlanID     int64  `json:"plan_id"`
	Week       string `json:"week"`
	Population string `json:"population"`
	Size       int    `json:"size"`
	Seed       *int64 `json:"seed"`
}

// SampleCheckInput records an item's check.
type SampleCheckInput struct {
	Result string `json:"result"`
	Note   string `json:"note"`
}

// sampleView is a draw with its progress and the proof that it is reproducible.
type sampleView struct {
	sampling.Sample
	Checked  int  `json:"checked"`
	Problems int  `json:"problems"`
	Met      bool `json:"met"`
	Verified bool `json:"verified"`
}

func init() {
	doc("SamplingPlan", sampling.Plan{})
	doc("SamplingDraw", sampleView{})
	docInput("SamplingPlanInput", SamplingPlanInput{}, "code", "name", "source")
	docInput("DrawInput", DrawInput{}, "plan_id", "week")
	docInput("SampleCheckInput", SampleCheckInput{}, "result")
}

func (a *API) samplingPlans(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	ps, err := sampling.PlanPage(r.Context(), a.db, p, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(ps, pg, sampling.PlanKey))
	return nil
}

func (a *API) saveSamplingPlan(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in SamplingPlanInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	pl, err := sampling.SavePlan(r.Context(), a.db, p, sampling.PlanInput{Code: in.Code, Name: in.Name, Source: in.Source, MinCount: in.MinCount, MinBP: in.MinBP, Strata: in.Strata})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pl)
	return nil
}

func (a *API) writeSample(w http.ResponseWriter, r *http.Request, p access.Principal, status int, id int64) error {
	s, err := sampling.GetSample(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/sampling/draws/"+strconv.FormatInt(id, 10))
	}
	writeJSON(w, status, sampleView{Sample: s, Checked: s.Checked(), Problems: s.Problems(), Met: s.Met(), Verified: sampling.Verify(s)})
	return nil
}

func (a *API) drawSample(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in DrawInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	s, err := sampling.DrawWeek(r.Context(), a.db, p, sampling.DrawInput{PlanID: in.PlanID, Week: in.Week, Population: in.Population, Size: in.Size, Seed: in.Seed})
	if err != nil {
		return err
	}
	return a.writeSample(w, r, p, http.StatusCreated, s.ID)
}

func (a *API) getSample(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.writeSample(w, r, p, http.StatusOK, id)
}

func (a *API) checkSampleItem(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in SampleCheckInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := sampling.CheckItem(r.Context(), a.db, p, id, in.Result, in.Note); err != nil {
		return asField(asField(err, "sample_result", "result"), "sample_note", "note")
	}
	draw, err := sampling.DrawOf(r.Context(), a.db, id)
	if err != nil {
		return err
	}
	return a.writeSample(w, r, p, http.StatusOK, draw)
}
