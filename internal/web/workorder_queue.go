package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/workorder"
)

type workorderQueueData struct {
	Tabs     []navItem
	Kind     workorder.Kind
	Current  *workorder.Task
	Next     []workorder.Task
	Total    int
	Scores   []int
	Error    string
	ErrField string
	Max      int
	Now      time.Time
}

// workorderQueue is the callback queue of a dispatcher or manager (/workorders/queue) and the
// self-evaluation queue of a foreman (/workorders/self): the next task in full, the rest listed.
func (s *Server) workorderQueue(w http.ResponseWriter, r *http.Request) error {
	return s.renderQueue(w, r, http.StatusOK, "", "")
}

func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	kind := workorder.Callback
	if strings.HasSuffix(r.URL.Path, "/self") || r.PostFormValue("kind") == string(workorder.SelfEvaluation) {
		kind = workorder.SelfEvaluation
	}
	tasks, total, err := workorder.MyQueue(r.Context(), s.db, principal(r), kind, 30)
	if err != nil {
		return err
	}
	d := workorderQueueData{Tabs: workorderTabs(r), Kind: kind, Total: total, Scores: []int{workorder.Satisfied, workorder.Basic, workorder.Dissatisfied},
		Error: msg, ErrField: field, Max: workorder.MaxAttempts, Now: s.db.Now()}
	if len(tasks) > 0 {
		d.Current, d.Next = &tasks[0], tasks[1:]
	}
	s.render(w, r, "workorder_queue", status, d)
	return nil
}

// evalInput reads the rating form shared by the queue and the revision form.
func evalInput(r *http.Request) (workorder.EvalInput, error) {
	in := workorder.EvalInput{Kind: workorder.Kind(r.PostFormValue("kind")), NoteSpeed: r.PostFormValue("note_speed"), NoteAttitude: r.PostFormValue("note_attitude"),
		NoteDevice: r.PostFormValue("note_device"), Comment: r.PostFormValue("comment"), Reason: r.PostFormValue("reason"), Unreachable: r.PostFormValue("unreachable") == "1"}
	var err error
	if in.OrderID, err = formID(r, "order_id"); err != nil {
		return in, err
	}
	if !in.Unreachable {
		v := strings.TrimSpace(r.PostFormValue("score"))
		if v == "" {
			return in, errs.Field("score", "wo.choose_score")
		}
		if in.Score, err = strconv.Atoi(v); err != nil {
			return in, errs.Field("score", "wo.bad_score")
		}
	}
	return in, nil
}

func (s *Server) workorderEvaluate(w http.ResponseWriter, r *http.Request) error {
	in, err := evalInput(r)
	if err == nil {
		var k workorder.Task
		if k, err = workorder.Evaluate(r.Context(), s.db, principal(r), in); err == nil {
			back := "/workorders/queue"
			if k.Kind == workorder.SelfEvaluation {
				back = "/workorders/self"
			}
			switch {
			case k.Done() && k.Unreachable():
				s.redirect(w, r, back, "wo.saved_unreachable", k.Order.ID)
			case k.Done():
				s.redirect(w, r, back, "wo.saved", k.Order.ID, k.Score)
			default:
				s.redirect(w, r, back, "wo.saved_attempt", k.Order.ID, k.Attempts, workorder.MaxAttempts)
			}
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderQueue(w, r, status, msg, field)
	})
}

func (s *Server) workorderRevise(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	orderID, _ := formID(r, "order_id")
	in, err := evalInput(r)
	if err == nil {
		if _, err = workorder.Revise(r.Context(), s.db, principal(r), id, in); err == nil {
			s.redirect(w, r, "/workorders/"+itoa(orderID), "wo.revised", orderID)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		r.SetPathValue("id", itoa(orderID))
		return s.renderWorkorderShow(w, r, status, msg, field)
	})
}

// monthOrDefault reads ?month=, defaulting to the current month.
func (s *Server) monthOrDefault(r *http.Request) (string, error) {
	return periodParamOr(r, "month", monthPeriod, s.db.Now().In(timeZone).Format("2006-01"))
}

func query(pairs ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	return q.Encode()
}

// workorderExtend moves the current task's deadline by a day for a special case.
func (s *Server) workorderExtend(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	k, err := workorder.ExtendTask(r.Context(), s.db, principal(r), id, r.PostFormValue("extension_reason"))
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderQueue(w, r, status, msg, field) })
	}
	back := "/workorders/queue"
	if k.Kind == workorder.SelfEvaluation {
		back = "/workorders/self"
	}
	s.redirect(w, r, back, "wo.extended", k.Order.ID, k.DueDay())
	return nil
}
