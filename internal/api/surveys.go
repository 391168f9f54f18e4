package api

import (
	"net/http"

	"manyi/internal/access"
	"manyi/internal/survey"
)

// Survey campaigns of docs/policies.md §2: templates, campaigns with the units they cover,
// the households' invitations (clerks only: a code lets anyone answer), response and
// satisfaction rates, and the follow-up of every opinion.

func surveyRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/surveys/templates", handler: a.surveyTemplates, id: "listSurveyTemplates", tag: "surveys",
			summary: "Questionnaire templates, every version: by code, newest version first", query: pageParams, status: 200, result: "SurveyTemplatePage"},
		{method: "GET", path: "/api/v1/surveys/campaigns", handler: a.surveyCampaigns, id: "listSurveyCampaigns", tag: "surveys",
			summary: "Campaigns covering units the caller may read, newest quarter first, each with those units", query: append(unitPeriodParams, pageParams...), status: 200, result: "SurveyCampaignPage"},
		{method: "GET", path: "/api/v1/surveys/campaigns/{id}", handler: a.surveyCampaign, id: "getSurveyCampaign", tag: "surveys",
			summary: "One campaign with its units", status: 200, result: "SurveyCampaign"},
		{method: "GET", path: "/api/v1/surveys/campaigns/{id}/invitations", handler: a.surveyInvitations, id: "listSurveyInvitations", tag: "surveys",
			summary: "A unit's household invitations of a campaign in sequence order, to print (clerks over the unit)",
			query: []param{
				{"unit_id", "integer", "int64", "The unit (required)."},
				{"unanswered", "boolean", "", "Only invitations not yet answered."},
				pageParams[0], pageParams[1],
			}, status: 200, result: "SurveyInvitationPage"},
		{method: "GET", path: "/api/v1/surveys/campaigns/{id}/rates", handler: a.surveyRates, id: "getSurveyRates", tag: "surveys",
			summary: "Each unit's response and satisfaction rates, counts and deduction",
			query:   []param{{"snapshot", "boolean", "", "As fixed on the snapshot day (the 28th of the quarter's last month) rather than now."}}, status: 200, result: "SurveyRatesPage"},
		{method: "GET", path: "/api/v1/surveys/followups", handler: a.surveyFollowups, id: "listSurveyFollowups", tag: "surveys",
			summary: "Follow-ups of answers with an opinion, newest first",
			query: append([]param{
				{"status", "string", "", "open, answered, escalated or closed."},
				{"overdue", "boolean", "", "Only open follow-ups past their due time."},
			}, append(unitPeriodParams, pageParams...)...), status: 200, result: "SurveyFollowupPage"},
		{method: "GET", path: "/api/v1/surveys/followups/{id}", handler: a.surveyFollowup, id: "getSurveyFollowup", tag: "surveys",
			summary: "One follow-up", status: 200, result: "SurveyFollowup"},
		{method: "PUT", path: "/api/v1/surveys/followups/{id}", handler: a.recordFollowup, id: "recordSurveyFollowup", tag: "surveys",
			summary: "Record the unit's follow-up (cause, action, outcome), or escalate it with a reason", body: "FollowupInput", status: 200, result: "SurveyFollowup"},
		{method: "POST", path: "/api/v1/surveys/paper-entries", handler: a.enterPaper, id: "enterSurveyPaper", tag: "surveys",
			summary: "Type a returned paper questionnaire by its code: two clerks each enter it blind; a second entry equal to the first stores the answer, a different one waits for resolve (quality clerks and administrators over the unit)",
			body:    "PaperEntryInput", status: 200, result: "PaperEntryResult"},
		{method: "POST", path: "/api/v1/surveys/followups/{id}/close", handler: a.closeFollowup, id: "closeSurveyFollowup", tag: "surveys",
			summary: "Close a follow-up after checking it was done (the quality department)", body: "FollowupClose", status: 200, result: "SurveyFollowup"},
	}
}

// FollowupInput records a follow-up.
type FollowupInput struct {
	Cause      string `json:"cause"`
	Action     string `json:"action"`
	Outcome    string `json:"outcome"`
	Escalate   bool   `json:"escalate"`
	Escalation string `json:"escalation"`
}

// FollowupClose closes a follow-up with the check's note.
type FollowupClose struct {
	Note string `json:"note"`
}

// unitRates is a unit's counts with the rates computed from them. ResponseRate is null when
// the unit has no households to divide by.
type unitRates struct {
	survey.UnitRates
	ResponseRate     *string `json:"response_rate"`
	ResponseOK       bool    `json:"response_ok"`
	SatisfactionRate string  `json:"satisfaction_rate"`
	SatisfactionOK   bool    `json:"satisfaction_ok"`
	BandMean         string  `json:"band_mean"`
	Score            string  `json:"score"`
	Deduction        int     `json:"deduction"`
}

func init() {
	doc("SurveyTemplate", survey.Template{})
	doc("SurveyCampaign", survey.Campaign{})
	doc("SurveyInvitation", survey.Invitation{})
	doc("SurveyRates", unitRates{})
	doc("SurveyFollowup", survey.Followup{})
	docInput("FollowupInput", FollowupInput{})
	docInput("FollowupClose", FollowupClose{})
	docInput("PaperEntryInput", PaperEntryInput{}, "code", "answers")
	doc("PaperEntryResult", paperEntryResult{})
}

// PaperEntryInput is one clerk's typing of a returned paper questionnaire, as on the entry
// page: the code printed on it, the answers, the day the household filled it in, and
// resolve when the entries differed and this one is what the paper says.
type PaperEntryInput struct {
	Code       string             `json:"code"`
	Answers    survey.AnswerInput `json:"answers"`
	AnsweredOn string             `json:"answered_on"`
	Resolve    bool               `json:"resolve"`
}

// paperEntryResult says where the questionnaire stands after an entry.
type paperEntryResult struct {
	Pass     int   `json:"pass,omitempty"`      // 1 or 2; absent after a resolution
	AnswerID int64 `json:"answer_id,omitempty"` // the stored answer, once the entries agree or are resolved
	Mismatch bool  `json:"mismatch"`            // the second entry differs from the first: resolve it
}

func (a *API) surveyTemplates(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	ts, err := survey.TemplatePage(r.Context(), a.db, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(ts, pg, survey.TemplateKey))
	return nil
}

func (a *API) surveyCampaigns(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	unit, per, err := unitPeriod(r)
	if err != nil {
		return err
	}
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	cs, err := survey.ListCampaigns(r.Context(), a.db, p, survey.CampaignFilter{UnitID: unit, FromMonth: per.FromMonth, ToMonth: per.ToMonth, Page: &pg})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(cs, pg, survey.CampaignKey))
	return nil
}

func (a *API) surveyCampaign(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, func(id int64) (survey.Campaign, error) { return survey.GetCampaign(r.Context(), a.db, p, id) })
}

// surveyInvitations pages by sequence number, the invitations' own order: the cursor is the
// last sequence number shown.
func (a *API) surveyInvitations(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pg, err := pageQuery(r)
	if err != nil {
		return err
	}
	unit, err := queryInt(r, "unit_id", 0)
	if err != nil {
		return err
	}
	unanswered, err := queryBool(r, "unanswered")
	if err != nil {
		return err
	}
	invs, err := survey.ListInvitations(r.Context(), a.db, p, id, survey.InvitationFilter{UnitID: unit, Unanswered: unanswered, From: int(pg.Before) + 1, Limit: pg.fetch()})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(invs, pg, func(i survey.Invitation) int64 { return int64(i.Seq) }))
	return nil
}

// surveyRates answers whole: a row for each unit the campaign covers, computed together (the
// snapshot is one computation), as the campaign page shows them.
func (a *API) surveyRates(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	snap, err := queryBool(r, "snapshot")
	if err != nil {
		return err
	}
	rates, err := survey.Rates(r.Context(), a.db, p, id, snap)
	if err != nil {
		return err
	}
	out := make([]unitRates, len(rates))
	for i, u := range rates {
		out[i] = unitRates{UnitRates: u, ResponseOK: u.ResponseOK(), SatisfactionRate: u.SatisfactionRate(), SatisfactionOK: u.SatisfactionOK(),
			BandMean: u.BandMean(), Score: u.Score(), Deduction: u.Deduction()}
		if rate, err := u.ResponseRate(); err == nil {
			out[i].ResponseRate = &rate
		}
	}
	writeJSON(w, http.StatusOK, wholePage(out))
	return nil
}

func (a *API) surveyFollowups(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := pageQuery(r)
	if err != nil {
		return err
	}
	unit, per, err := unitPeriod(r)
	if err != nil {
		return err
	}
	overdue, err := queryBool(r, "overdue")
	if err != nil {
		return err
	}
	fs, err := survey.ListFollowups(r.Context(), a.db, p, survey.FollowupFilter{UnitID: unit, SubUnits: true, Status: r.URL.Query().Get("status"), Overdue: overdue,
		From: per.From, To: per.To, Keyset: true, BeforeID: pg.Before, Limit: pg.fetch()})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(fs, pg, func(f survey.Followup) int64 { return f.ID }))
	return nil
}

func (a *API) getSurveyFollowup(r *http.Request, p access.Principal) func(int64) (survey.Followup, error) {
	return func(id int64) (survey.Followup, error) { return survey.GetFollowup(r.Context(), a.db, p, id) }
}

func (a *API) surveyFollowup(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, a.getSurveyFollowup(r, p))
}

func (a *API) recordFollowup(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return actOn(w, r, func(id int64, in FollowupInput) error {
		return survey.RecordFollowup(r.Context(), a.db, p, id, survey.FollowupInput{Cause: in.Cause, Action: in.Action, Outcome: in.Outcome, Escalate: in.Escalate, Escalation: in.Escalation})
	}, a.getSurveyFollowup(r, p))
}

func (a *API) closeFollowup(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return actOn(w, r, func(id int64, in FollowupClose) error {
		return survey.CloseFollowup(r.Context(), a.db, p, id, in.Note)
	}, a.getSurveyFollowup(r, p))
}

func (a *API) enterPaper(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in PaperEntryInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Resolve {
		id, err := survey.Resolve(r.Context(), a.db, p, in.Code, in.Answers, in.AnsweredOn)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, paperEntryResult{AnswerID: id})
		return nil
	}
	res, err := survey.Enter(r.Context(), a.db, p, in.Code, in.Answers, in.AnsweredOn)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, paperEntryResult{Pass: res.Pass, AnswerID: res.AnswerID, Mismatch: res.Mismatch})
	return nil
}
