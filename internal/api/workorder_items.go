package api

import (
	"net/http"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/workorder"
)

// The work-order loop after the callback (docs/policies.md §4): an order's evaluation tasks
// with their histories, the dissatisfaction follow-up form a 不满意 callback opens, and the
// improvement item a rectification becomes (internal/improvement, api/improvements.go).

func workorderItemRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/workorders/orders/{id}/tasks", handler: a.orderTasks, id: "listOrderTasks", tag: "workorders",
			summary: "A work order's evaluation tasks (self-evaluation, callback), each with its saved versions", status: 200, result: "OrderTaskPage"},
		{method: "GET", path: "/api/v1/workorders/followups", handler: a.woFollowUps, id: "listWorkOrderFollowUps", tag: "workorders",
			summary: "A month's dissatisfaction follow-ups (评价不满意回访表) of the teams the caller may see, by status, then oldest first",
			query:   []param{{"month", "string", "", "The month the orders closed, YYYY-MM (default this month)."}, pageParams[0], pageParams[1]}, status: 200, result: "WorkOrderFollowUpPage"},
		{method: "GET", path: "/api/v1/workorders/followups/{id}", handler: a.woFollowUp, id: "getWorkOrderFollowUp", tag: "workorders",
			summary: "One dissatisfaction follow-up", status: 200, result: "WorkOrderFollowUp"},
		{method: "PUT", path: "/api/v1/workorders/followups/{id}", handler: a.fileWOFollowUp, id: "fileWorkOrderFollowUp", tag: "workorders",
			summary: "File the foreman's visit, findings and rectification; item_title makes the rectification an improvement item", body: "WorkOrderFollowUpInput", status: 200, result: "WorkOrderFollowUp"},
		{method: "POST", path: "/api/v1/workorders/followups/{id}/decision", handler: a.decideWOFollowUp, id: "decideWorkOrderFollowUp", tag: "workorders",
			summary: "The fault analysis meeting confirms a filed follow-up or sends it back (clerks)", body: "Decision", status: 200, result: "WorkOrderFollowUp"},
	}
}

// orderTask is a task with its saved versions, oldest first.
type orderTask struct {
	workorder.Task
	History []workorder.Evaluation `json:"history"`
}

// WorkOrderFollowUpInput is the foreman's filing.
type WorkOrderFollowUpInput struct {
	VisitedOn     string `json:"visited_on"`
	Findings      string `json:"findings"`
	Rectification string `json:"rectification"`
	ItemTitle     string `json:"item_title"`
}

// Decision is a meeting's decision: confirm, or send back (with the decision's text where
// the record keeps one).
type Decision struct {
	Confirm  bool   `json:"confirm"`
	Decision string `json:"decision"`
}

func init() {
	doc("OrderTask", orderTask{})
	doc("WorkOrderFollowUp", workorder.FollowUp{})
	docInput("WorkOrderFollowUpInput", WorkOrderFollowUpInput{}, "visited_on", "findings", "rectification")
	docInput("Decision", Decision{}, "confirm")
}

// orderTasks answers an order's tasks whole, in the paged envelope: an order has at most one
// task of each kind (self-evaluation, callback; UNIQUE (order_id, kind)), so two at most.
func (a *API) orderTasks(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	tasks, hist, err := workorder.OrderTasks(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	out := make([]orderTask, len(tasks))
	for i, t := range tasks {
		out[i] = orderTask{Task: t, History: hist[t.ID]}
	}
	writeJSON(w, http.StatusOK, wholePage(out))
	return nil
}

func (a *API) woFollowUps(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = a.db.Now().In(chinaTime).Format("2006-01")
	} else if _, err := time.Parse("2006-01", month); err != nil {
		// As the page: another month's forms are not answered for a month mistyped.
		return errs.Param("month", "err.bad_month", month)
	}
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	fs, err := workorder.FollowUpPage(r.Context(), a.db, p, month, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(fs, pg, workorder.FollowUpKey))
	return nil
}

func (a *API) woFollowUp(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, a.getWOFollowUp(r, p))
}

func (a *API) getWOFollowUp(r *http.Request, p access.Principal) func(int64) (workorder.FollowUp, error) {
	return func(id int64) (workorder.FollowUp, error) { return workorder.GetFollowUp(r.Context(), a.db, p, id) }
}

func (a *API) fileWOFollowUp(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return actOn(w, r, func(id int64, in WorkOrderFollowUpInput) error {
		return workorder.FileFollowUp(r.Context(), a.db, p, id, workorder.FollowUpInput{VisitedOn: in.VisitedOn, Findings: in.Findings, Rectification: in.Rectification, Improvement: in.ItemTitle})
	}, a.getWOFollowUp(r, p))
}

func (a *API) decideWOFollowUp(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return actOn(w, r, func(id int64, in Decision) error {
		return workorder.DecideFollowUp(r.Context(), a.db, p, id, in.Confirm)
	}, a.getWOFollowUp(r, p))
}
