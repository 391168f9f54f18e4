package api

import (
	"net/http"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/workorder"
)

// The callback work queue of docs/policies.md §4: a dispatcher's or manager's callbacks, a
// foreman's self-evaluations, the rating of a call and the call nobody answered. The same
// area functions as the queue page, with the same refusals (only the assigned caller rates a
// callback, never the maintainer rated).

func callbackRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/callbacks/queue", handler: a.callbackQueue, id: "getCallbackQueue", tag: "callbacks",
			summary: "The caller's open tasks, fewest attempts and earliest deadline first; the first is the current call, with the reporter's number",
			query: []param{
				{"kind", "string", "", "callback (dispatchers, managers; the default) or self (foremen's self-evaluations)."},
				{"limit", "integer", "int32", "How many tasks, 1–200 (default 50)."},
			}, status: 200, result: "CallbackQueue"},
		{method: "POST", path: "/api/v1/callbacks/ratings", handler: a.rateCallback, id: "rateCallback", tag: "callbacks",
			summary: "Rate a closed work order (10 满意, 8 基本满意, 6 不满意) as its caller or its team's foreman", body: "RatingInput", status: 200, result: "CallbackTask"},
		{method: "POST", path: "/api/v1/callbacks/unreachable", handler: a.callbackUnreachable, id: "callbackUnreachable", tag: "callbacks",
			summary: "Record a call the reporter did not answer; the third settles the callback as unreachable", body: "UnreachableInput", status: 200, result: "CallbackTask"},
	}
}

// RatingInput is a rating of an order.
type RatingInput struct {
	OrderID      int64          `json:"order_id"`
	Kind         workorder.Kind `json:"kind"`
	Score        int            `json:"score"`
	NoteSpeed    string         `json:"note_speed"`
	NoteAttitude string         `json:"note_attitude"`
	NoteDevice   string         `json:"note_device"`
	Comment      string         `json:"comment"`
}

// UnreachableInput records an unanswered call.
type UnreachableInput struct {
	OrderID int64 `json:"order_id"`
}

// callbackTask is a task as the queue shows it. Phone is the reporter's number, given for the
// current call only (the first task of the queue), whose showing the area records.
type callbackTask struct {
	workorder.Task
	Phone string `json:"phone,omitempty"`
}

type callbackQueue struct {
	Items []callbackTask `json:"items"`
	Total int            `json:"total"`
}

func init() {
	docInput("RatingInput", RatingInput{}, "order_id", "score")
	docInput("UnreachableInput", UnreachableInput{}, "order_id")
	doc("CallbackTask", callbackTask{})
	docInput("CallbackQueue", callbackQueue{}, "items", "total")
}

// callbackQueue answers the head of a work queue, limit tasks and the total, without a
// cursor: a task leaves the queue when it is done, so the caller reads the head again rather
// than reading on.
func (a *API) callbackQueue(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	kind := workorder.Kind(r.URL.Query().Get("kind"))
	if kind == "" {
		kind = workorder.Callback
	}
	limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	tasks, total, err := workorder.MyQueue(r.Context(), a.db, p, kind, limit.Limit)
	if err != nil {
		return err
	}
	out := callbackQueue{Items: make([]callbackTask, len(tasks)), Total: total}
	for i, t := range tasks {
		out.Items[i].Task = t
		if i == 0 && kind == workorder.Callback {
			out.Items[i].Phone = t.Order.Phone
			if err := audit.RecordView(r.Context(), a.db, p, "work_order", t.Order.ID, t.Order.TeamID, "phone"); err != nil {
				return err
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) rateCallback(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in RatingInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = workorder.Callback
	}
	return a.evaluate(w, r, p, workorder.EvalInput{OrderID: in.OrderID, Kind: in.Kind, Score: in.Score,
		NoteSpeed: in.NoteSpeed, NoteAttitude: in.NoteAttitude, NoteDevice: in.NoteDevice, Comment: in.Comment})
}

func (a *API) callbackUnreachable(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in UnreachableInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	return a.evaluate(w, r, p, workorder.EvalInput{OrderID: in.OrderID, Kind: workorder.Callback, Unreachable: true})
}

func (a *API) evaluate(w http.ResponseWriter, r *http.Request, p access.Principal, in workorder.EvalInput) error {
	t, err := workorder.Evaluate(r.Context(), a.db, p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, callbackTask{Task: t})
	return nil
}
