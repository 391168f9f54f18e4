package api

import (
	"net/http"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/complaint"
	"manyi/internal/org"
)

// The complaint desk (docs/complaints.md). Every handler calls the area function the desk's
// pages call, with the same scope checks: reading a complaint outside the caller's units
// answers 404 (its existence is not confirmed), acting on one the caller may read but not
// handle answers 403.

func complaintRoutes(a *API) []route {
	filters := append([]param{
		{"status", "string", "", "Only complaints in this status: registered, replied, in_progress, resolved, confirmed, closed, reopened."},
		{"channel", "string", "", "Only complaints from this channel: phone, email, web, box, survey, callback."},
		{"category", "string", "", "Only complaints of this category: process, attitude, delay, other."},
		{"classification", "string", "", "Only complaints classified so: unclassified, invalid, valid, major."},
		{"open", "boolean", "", "Only complaints not yet confirmed or closed."},
	}, unitPeriodParams...)
	return []route{
		{method: "GET", path: "/api/v1/complaints", handler: a.listComplaints, id: "listComplaints", tag: "complaints",
			summary: "Complaints the caller may read, newest first, with their SLA clocks", query: append(filters, pageParams...), status: 200, result: "ComplaintRowPage"},
		{method: "POST", path: "/api/v1/complaints", handler: a.registerComplaint, id: "registerComplaint", tag: "complaints",
			summary: "Register a complaint; the answer holds the response code for the complainant, once", body: "ComplaintInput", status: 201, result: "Complaint", once: []string{"response_code"}},
		{method: "GET", path: "/api/v1/complaints/sla", handler: a.complaintSLA, id: "getComplaintSLA", tag: "complaints",
			summary: "The SLA state of the open complaints the caller may read: breached, due soon, paused", status: 200, result: "ComplaintDashboard"},
		{method: "GET", path: "/api/v1/complaints/stats", handler: a.complaintStats, id: "getComplaintStats", tag: "complaints",
			summary: "Complaint statistics by unit, channel, category and month, with on-time rates and repeat complainants",
			query: append(filters[:4:4], param{"unit_id", "integer", "int64", "Only complaints of this unit and its sub-units."},
				param{"period", "string", "", "The period: a year (2026), a month (2026-03) or a quarter (2026-Q1); default the current year."}), status: 200, result: "ComplaintStats"},
		{method: "GET", path: "/api/v1/complaints/{id}", handler: a.getComplaint, id: "getComplaint", tag: "complaints",
			summary: "One complaint with its clocks, timeline, pauses, attachments and reminders", status: 200, result: "ComplaintDetail"},
		{method: "POST", path: "/api/v1/complaints/{id}/actions", handler: a.actOnComplaint, id: "actOnComplaint", tag: "complaints",
			summary: "Act on a complaint as the desk does: reply, start, pause, resume, resolve, confirm, close, reopen, reassign, root_cause, classify", body: "ComplaintAction", status: 200, result: "ComplaintRow"},
		{method: "PUT", path: "/api/v1/complaints/{id}/classification", handler: a.classifyComplaint, id: "classifyComplaint", tag: "complaints",
			summary: "Classify a complaint (invalid, valid, major) with a reason (clerks)", body: "ComplaintClassification", status: 200, result: "ComplaintRow"},
	}
}

// ComplaintInput registers a complaint. received_at defaults to now.
type ComplaintInput struct {
	UnitID      int64              `json:"unit_id"`
	Channel     complaint.Channel  `json:"channel"`
	Category    complaint.Category `json:"category"`
	Complainant string             `json:"complainant"`
	Contact     string             `json:"contact"`
	Description string             `json:"description"`
	SourceRef   string             `json:"source_ref"`
	ReceivedAt  string             `json:"received_at"`
}

// ComplaintAction is a verb with its input.
type ComplaintAction struct {
	Verb           complaint.Verb  `json:"verb"`
	Text           string          `json:"text"`
	Classification complaint.Class `json:"classification"`
	UnitID         int64           `json:"unit_id"`
}

// ComplaintClassification is the clerk's classification with its reason.
type ComplaintClassification struct {
	Classification complaint.Class `json:"classification"`
	Reason         string          `json:"reason"`
}

// complaintDetail is a complaint with its clocks and everything its page shows.
type complaintDetail struct {
	complaint.Detail
	ReplyClk    complaint.Clock `json:"reply_clock"`
	SolutionClk complaint.Clock `json:"solution_clock"`
}

func init() {
	docInput("ComplaintInput", ComplaintInput{}, "unit_id", "channel", "category", "complainant", "description")
	docInput("ComplaintAction", ComplaintAction{}, "verb")
	docInput("ComplaintClassification", ComplaintClassification{}, "classification", "reason")
	doc("Complaint", complaint.Complaint{})
	doc("ComplaintRow", complaint.Clocked{})
	doc("ComplaintDetail", complaintDetail{})
	doc("ComplaintDashboard", complaint.Dashboard{})
	doc("ComplaintStats", complaint.Stats{})
}

// complaintFilter reads the list filters shared by the list and the statistics.
func complaintFilter(r *http.Request) (complaint.Filter, error) {
	q := r.URL.Query()
	f := complaint.Filter{Status: complaint.Status(q.Get("status")), Channel: complaint.Channel(q.Get("channel")),
		Category: complaint.Category(q.Get("category")), Class: complaint.Class(q.Get("classification"))}
	var err error
	if f.Open, err = queryBool(r, "open"); err != nil {
		return f, err
	}
	unit, per, err := unitPeriod(r)
	f.UnitID, f.From, f.To = unit, per.From, per.To
	return f, err
}

func (a *API) listComplaints(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pg, err := pageQuery(r)
	if err != nil {
		return err
	}
	f, err := complaintFilter(r)
	if err != nil {
		return err
	}
	f.Keyset, f.BeforeID, f.Limit = true, pg.Before, pg.fetch()
	cs, _, err := complaint.List(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	pol, cal, err := complaint.LoadSLA(r.Context(), a.db)
	if err != nil {
		return err
	}
	rows := complaint.WithClocks(cs, pol, cal, a.db.Now())
	for i := range rows {
		rows[i].Contact = org.MaskPhone(rows[i].Contact) // a list is not where a number is needed (issue 13)
	}
	writeJSON(w, http.StatusOK, newPage(rows, pg, func(c complaint.Clocked) int64 { return c.ID }))
	return nil
}

func (a *API) registerComplaint(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in ComplaintInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	received, err := instant("received_at", in.ReceivedAt)
	if err != nil {
		return err
	}
	c, err := complaint.Register(r.Context(), a.db, p, complaint.Input{UnitID: in.UnitID, Channel: in.Channel, Category: in.Category,
		Complainant: in.Complainant, Contact: in.Contact, Description: in.Description, SourceRef: in.SourceRef, ReceivedAt: received})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/complaints/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) getComplaint(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := complaint.Show(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	pol, cal, err := complaint.LoadSLA(r.Context(), a.db)
	if err != nil {
		return err
	}
	now := a.db.Now()
	writeJSON(w, http.StatusOK, complaintDetail{Detail: d, ReplyClk: complaint.ReplyClock(&d.Complaint, pol, now), SolutionClk: complaint.SolutionClock(&d.Complaint, pol, cal, now)})
	return nil
}

// act applies an action and answers the complaint with its clocks.
func (a *API) act(w http.ResponseWriter, r *http.Request, p access.Principal, act complaint.Action) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := complaint.Act(r.Context(), a.db, p, id, act)
	if err != nil {
		return err
	}
	pol, cal, err := complaint.LoadSLA(r.Context(), a.db)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, complaint.WithClocks([]complaint.Complaint{c}, pol, cal, a.db.Now())[0])
	return nil
}

func (a *API) actOnComplaint(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in ComplaintAction
	if err := decode(w, r, &in); err != nil {
		return err
	}
	// The area names the verb field "action", after the desk's form.
	return asField(a.act(w, r, p, complaint.Action{Verb: in.Verb, Text: in.Text, Class: in.Classification, UnitID: in.UnitID}), "action", "verb")
}

func (a *API) classifyComplaint(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in ComplaintClassification
	if err := decode(w, r, &in); err != nil {
		return err
	}
	return a.act(w, r, p, complaint.Action{Verb: complaint.Classify, Text: in.Reason, Class: in.Classification})
}

func (a *API) complaintSLA(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	pol, cal, err := complaint.LoadSLA(r.Context(), a.db)
	if err != nil {
		return err
	}
	d, err := complaint.SLAState(r.Context(), a.db, p, pol, cal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (a *API) complaintStats(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	f, err := complaintFilter(r)
	if err != nil {
		return err
	}
	if f.From.IsZero() {
		// As the statistics page: the current year.
		y := time.Date(a.db.Now().In(chinaTime).Year(), 1, 1, 0, 0, 0, 0, chinaTime)
		f.From, f.To = y.UTC(), y.AddDate(1, 0, 0).UTC()
	}
	st, err := complaint.Statistics(r.Context(), a.db, p, f, chinaTime)
	if err != nil {
		return err
	}
	for i := range st.RootCauses {
		st.RootCauses[i].Contact = org.MaskPhone(st.RootCauses[i].Contact)
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
