package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/meeting"
)

// The quarterly quality analysis meeting (质量分析会, docs/improvements.md): the agenda of a
// quarter's records, the minutes, remedies made improvement items, items verified.

func meetingRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/meetings", handler: a.listMeetings, id: "listMeetings", tag: "improvements",
			summary: "Quality analysis meetings the caller may read (clerks, the committee), newest quarter first", query: pageParams, status: 200, result: "MeetingPage"},
		{method: "POST", path: "/api/v1/meetings", handler: a.openMeeting, id: "openMeeting", tag: "improvements",
			summary: "Open an organisation's meeting for a quarter that has begun (one per quarter)", body: "MeetingInput", status: 201, result: "Meeting"},
		{method: "GET", path: "/api/v1/meetings/{id}", handler: a.getMeeting, id: "getMeeting", tag: "improvements",
			summary: "A meeting with its agenda, its problems, causes and remedies, and the items they became", status: 200, result: "Meeting"},
		{method: "POST", path: "/api/v1/meetings/{id}/findings", handler: a.addMeetingFinding, id: "addMeetingFinding", tag: "improvements",
			summary: "Record a problem, its cause and the remedy; raise makes the remedy an improvement item", body: "MeetingFindingInput", status: 201, result: "MeetingFinding"},
		{method: "POST", path: "/api/v1/meetings/{id}/verify", handler: a.verifyAtMeeting, id: "verifyAtMeeting", tag: "improvements",
			summary: "The meeting verifies items reported done", body: "MeetingVerifyInput", status: 200, result: "Meeting"},
	}
}

// MeetingInput opens a meeting.
type MeetingInput struct {
	OrgID     int64  `json:"org_id"`
	Quarter   string `json:"quarter"`
	HeldOn    string `json:"held_on"`
	Attendees string `json:"attendees"`
}

// MeetingFindingInput is a line of the minutes.
type MeetingFindingInput struct {
	UnitID  int64  `json:"unit_id"`
	Problem string `json:"problem"`
	Cause   string `json:"cause"`
	Remedy  string `json:"remedy"`
	Raise   bool   `json:"raise"`
	Title   string `json:"title"`
	Owner   string `json:"owner"`
	DueOn   string `json:"due_on"`
}

// MeetingVerifyInput names the items the meeting verified.
type MeetingVerifyInput struct {
	ItemIDs []int64 `json:"item_ids"`
}

func init() {
	doc("Meeting", meeting.Meeting{})
	doc("MeetingFinding", meeting.Finding{})
	docInput("MeetingInput", MeetingInput{}, "org_id", "quarter")
	docInput("MeetingFindingInput", MeetingFindingInput{}, "unit_id", "problem", "cause", "remedy")
	docInput("MeetingVerifyInput", MeetingVerifyInput{}, "item_ids")
}

func meetingField(err error) error {
	for from, to := range map[string]string{"meet_problem": "problem", "meet_cause": "cause", "meet_remedy": "remedy"} {
		err = asField(err, from, to)
	}
	return improvementField(err)
}

func (a *API) listMeetings(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	ms, err := meeting.ListPage(r.Context(), a.db, p, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(ms, pg, meeting.PageKey))
	return nil
}

func (a *API) openMeeting(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in MeetingInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := meeting.Open(r.Context(), a.db, p, meeting.Input{OrgID: in.OrgID, Quarter: in.Quarter, HeldOn: in.HeldOn, Attendees: in.Attendees})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/meetings/"+strconv.FormatInt(m.ID, 10))
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (a *API) getMeeting(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, func(id int64) (meeting.Meeting, error) { return meeting.Get(r.Context(), a.db, p, id) })
}

func (a *API) addMeetingFinding(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in MeetingFindingInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := meeting.AddFinding(r.Context(), a.db, p, id, meeting.FindingInput{UnitID: in.UnitID, Problem: in.Problem, Cause: in.Cause, Remedy: in.Remedy,
		Raise: in.Raise, Title: in.Title, Owner: in.Owner, DueOn: in.DueOn})
	if err != nil {
		return meetingField(err)
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (a *API) verifyAtMeeting(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return actOn(w, r, func(id int64, in MeetingVerifyInput) error {
		return meetingField(meeting.VerifyItems(r.Context(), a.db, p, id, in.ItemIDs))
	}, func(id int64) (meeting.Meeting, error) { return meeting.Get(r.Context(), a.db, p, id) })
}
