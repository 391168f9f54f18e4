package web

import (
	"net/http"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/workorder"
)

// workorderRoutes lists the work-order pages (docs/policies.md §4).
func (s *Server) workorderRoutes() {
	m := s.mux
	m.HandleFunc("GET /workorders", s.page(s.workorderList))
	m.HandleFunc("GET /workorders/new", s.page(s.workorderNew))
	m.HandleFunc("POST /workorders", s.page(s.workorderCreate))
	m.HandleFunc("GET /workorders/{id}", s.page(s.workorderShow))
	m.HandleFunc("POST /workorders/{id}/close", s.page(s.workorderClose))
	m.HandleFunc("GET /workorders/queue", s.page(s.workorderQueue))
	m.HandleFunc("GET /workorders/self", s.page(s.workorderQueue))
	m.HandleFunc("POST /workorders/evaluate", s.page(s.workorderEvaluate))
	m.HandleFunc("POST /workorders/tasks/{id}/revise", s.page(s.workorderRevise))
	m.HandleFunc("POST /workorders/tasks/{id}/extend", s.page(s.workorderExtend))
	m.HandleFunc("GET /workorders/daily", s.page(s.workorderDaily))
	m.HandleFunc("POST /workorders/draw", s.page(s.workorderDraw))
	m.HandleFunc("GET /workorders/monthly", s.page(s.workorderMonthly))
	m.HandleFunc("GET /workorders/followups", s.page(s.workorderFollowUps))
	m.HandleFunc("POST /workorders/meetings", s.page(s.workorderMeeting))
	m.HandleFunc("GET /workorders/followups/{id}", s.page(s.workorderFollowUp))
	m.HandleFunc("POST /workorders/followups/{id}/file", s.page(s.workorderFollowUpFile))
	m.HandleFunc("POST /workorders/followups/{id}/decide", s.page(s.workorderFollowUpDecide))
	m.HandleFunc("GET /workorders/export.xlsx", s.page(s.workorderExport))
	m.HandleFunc("GET /workorders/followups/{id}/print", s.page(s.workorderFollowUpPrint))
	m.HandleFunc("GET /workorders/duty", s.page(s.workorderDuty))
	m.HandleFunc("POST /workorders/duty", s.page(s.workorderDutySave))
	m.HandleFunc("GET /workorders/import", s.page(s.workorderImports))
	m.HandleFunc("POST /workorders/import", s.page(s.workorderUpload))
	m.HandleFunc("GET /workorders/import/{id}", s.page(s.workorderImport))
	m.HandleFunc("POST /workorders/import/{id}/mapping", s.page(s.workorderImportMapping))
	m.HandleFunc("POST /workorders/import/{id}/commit", s.page(s.workorderImportCommit))
}

// workorderTabs are the area's tabs, offered by role.
func workorderTabs(r *http.Request) []navItem {
	p := principal(r)
	tabs := []navItem{{"/workorders", "wo.tab.orders", false}}
	if workorder.MayCall(p) {
		tabs = append(tabs, navItem{"/workorders/queue", "wo.tab.queue", false})
	}
	if workorder.MayEvaluateSelf(p) {
		tabs = append(tabs, navItem{"/workorders/self", "wo.tab.self", false})
	}
	tabs = append(tabs,
		navItem{"/workorders/daily", "wo.tab.daily", false},
		navItem{"/workorders/monthly", "wo.tab.monthly", false},
		navItem{"/workorders/followups", "wo.tab.followups", false},
		navItem{"/improvements?source_kind=workorder_followup", "wo.tab.improvements", false})
	// The roster concerns those who keep it and those on it.
	if workorder.MayKeepRoster(p) || workorder.MayCall(p) {
		tabs = append(tabs, navItem{"/workorders/duty", "wo.tab.duty", false})
	}
	for i := range tabs {
		h := tabs[i].Href
		tabs[i].Active = r.URL.Path == h || (h == "/workorders/followups" && strings.HasPrefix(r.URL.Path, h+"/"))
	}
	return tabs
}

// localTime reads a datetime-local input in the organisation's time zone; "" gives nil.
func localTime(r *http.Request, name string) (*time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, timeZone)
	if err != nil {
		return nil, errs.Field(name, "wo.bad_time")
	}
	return &t, nil
}

func localInput(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(timeZone).Format("2006-01-02T15:04")
}

type workorderListData struct {
	Tabs        []navItem
	Orders      []workorder.Order
	Total       int
	Teams       []org.Unit
	F           workorder.Filter
	CanRegister bool
	Pager       pager
}

func (s *Server) workorderList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	q := r.URL.Query()
	day, err := periodParam(r, "day", dayPeriod)
	if err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f := workorder.Filter{Day: day, Open: q.Get("open") == "1", Page: &pg}
	if f.TeamID, err = idParam(r, "team"); err != nil {
		return err
	}
	orders, total, err := workorder.List(r.Context(), s.db, p, f)
	if err != nil {
		return err
	}
	orders, next, prev := store.Cut(orders, pg, func(o workorder.Order) store.Key { return store.Key{At: o.ReportedAt, ID: o.ID} })
	teams, err := s.teams(r)
	if err != nil {
		return err
	}
	d := workorderListData{Tabs: workorderTabs(r), Orders: orders, Total: total, Teams: teams, F: f, CanRegister: workorder.MayRegister(p)}
	d.Pager = pageLinks(r, next, prev)
	s.render(w, r, "workorder_list", http.StatusOK, d)
	return nil
}

// teams lists the active teams the user may see.
func (s *Server) teams(r *http.Request) ([]org.Unit, error) {
	units, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{})
	if err != nil {
		return nil, err
	}
	var out []org.Unit
	for _, u := range units {
		if u.Kind == org.Team {
			out = append(out, u)
		}
	}
	return out, nil
}

type workorderFormData struct {
	Tabs        []navItem
	In          workorder.Input
	Reported    string
	Contacted   string
	Arrived     string
	Teams       []org.Unit
	Maintainers []org.Person
	Error       string
	ErrField    string
}

func (s *Server) workorderNew(w http.ResponseWriter, r *http.Request) error {
	now := s.db.Now()
	d := workorderFormData{In: workorder.Input{Source: workorder.Hotline}, Reported: localInput(&now)}
	var err error
	if d.In.TeamID, err = idParam(r, "team"); err != nil {
		return err
	}
	return s.renderWorkorderForm(w, r, http.StatusOK, d)
}

// renderWorkorderForm shows the form with the teams the user registers for and the
// maintainers of the chosen team only (the one team of a foreman is chosen for him).
func (s *Server) renderWorkorderForm(w http.ResponseWriter, r *http.Request, status int, d workorderFormData) error {
	p := principal(r)
	if !workorder.MayRegister(p) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	var err error
	if d.Teams, err = workorder.RegisterTeams(r.Context(), s.db, p); err != nil {
		return err
	}
	if d.In.TeamID == 0 && len(d.Teams) == 1 {
		d.In.TeamID = d.Teams[0].ID
	}
	// A team not offered (mistyped in the address) lists nobody, and registering for it is refused.
	for _, t := range d.Teams {
		if t.ID == d.In.TeamID {
			if d.Maintainers, err = workorder.Maintainers(r.Context(), s.db, p, t.ID); err != nil {
				return err
			}
		}
	}
	d.Tabs = workorderTabs(r)
	s.render(w, r, "workorder_new", status, d)
	return nil
}

func (s *Server) workorderCreate(w http.ResponseWriter, r *http.Request) error {
	in := workorder.Input{Source: workorder.Source(r.PostFormValue("wo_source")), Reporter: r.PostFormValue("reporter"), Phone: r.PostFormValue("phone"),
		Location: r.PostFormValue("location"), Device: r.PostFormValue("device"), Fault: r.PostFormValue("fault")}
	d := workorderFormData{Reported: r.PostFormValue("reported_at"), Contacted: r.PostFormValue("contacted_at"), Arrived: r.PostFormValue("arrived_at")}
	if r.PostFormValue("pick") != "" {
		// The team's "choose" button, without scripts: the form comes back with what was typed
		// and the chosen team's maintainers, and registers nothing.
		in.TeamID, _ = formID(r, "team")
		d.In = in
		return s.renderWorkorderForm(w, r, http.StatusOK, d)
	}
	err := func() error {
		var err error
		if in.TeamID, err = formID(r, "team"); err != nil {
			return err
		}
		if in.MaintainerID, err = formID(r, "maintainer"); err != nil {
			return err
		}
		rep, err := localTime(r, "reported_at")
		if err != nil {
			return err
		}
		if rep != nil {
			in.ReportedAt = *rep
		}
		if in.ContactedAt, err = localTime(r, "contacted_at"); err != nil {
			return err
		}
		in.ArrivedAt, err = localTime(r, "arrived_at")
		return err
	}()
	if err == nil {
		var o workorder.Order
		if o, err = workorder.Register(r.Context(), s.db, principal(r), in); err == nil {
			if o.RepeatOf != 0 {
				s.redirect(w, r, "/workorders/"+itoa(o.ID), "wo.created_repeat", o.ID, o.RepeatOf)
			} else {
				s.redirect(w, r, "/workorders/"+itoa(o.ID), "wo.created", o.ID)
			}
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d.In, d.Error, d.ErrField = in, msg, field
		return s.renderWorkorderForm(w, r, status, d)
	})
}

type workorderShowData struct {
	Tabs      []navItem
	Order     workorder.Order
	Tasks     []workorder.Task
	History   map[int64][]workorder.Evaluation
	CanClose  bool
	CanRevise map[int64]bool // by task: whom the revise form is offered to (workorder.MayRevise)
	Closed    string
	Now       time.Time
	Error     string
	ErrField  string
}

func (s *Server) workorderShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderWorkorderShow(w, r, http.StatusOK, "", "")
}

func (s *Server) renderWorkorderShow(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	o, err := workorder.Get(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	tasks, hist, err := workorder.OrderTasks(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	now := s.db.Now()
	d := workorderShowData{Tabs: workorderTabs(r), Order: o, Tasks: tasks, History: hist, CanClose: !o.Closed() && workorder.MayRegister(p),
		CanRevise: map[int64]bool{}, Closed: localInput(&now), Now: now, Error: msg, ErrField: field}
	for _, k := range tasks {
		d.CanRevise[k.ID] = workorder.MayRevise(p, k)
	}
	s.render(w, r, "workorder_show", status, d)
	return nil
}

func (s *Server) workorderClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = func() error {
		in := workorder.CloseInput{Cause: r.PostFormValue("cause"), Measures: r.PostFormValue("measures")}
		closed, err := localTime(r, "closed_at")
		if err != nil {
			return err
		}
		if closed != nil {
			in.ClosedAt = *closed
		}
		if in.ContactedAt, err = localTime(r, "contacted_at"); err != nil {
			return err
		}
		if in.ArrivedAt, err = localTime(r, "arrived_at"); err != nil {
			return err
		}
		_, err = workorder.Close(r.Context(), s.db, principal(r), id, in)
		return err
	}()
	if err == nil {
		s.redirect(w, r, "/workorders/"+itoa(id), "wo.closed", id)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderWorkorderShow(w, r, status, msg, field)
	})
}
