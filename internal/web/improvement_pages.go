package web

import (
	"net/http"
	"strconv"

	"manyi/internal/api"
	"manyi/internal/improvement"
	"manyi/internal/locale"
	"manyi/internal/meeting"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/target"
	"manyi/internal/workorder"
)

// The one improvement loop (docs/improvements.md): the tracking table of every source, an
// item's page, and raising an item from a source record's page.

func (s *Server) improvementRoutes() {
	m := s.mux
	m.HandleFunc("GET /improvements", s.page(s.improvementList))
	m.HandleFunc("GET /improvements/export", s.page(s.improvementExport))
	m.HandleFunc("GET /improvements/new", s.page(s.improvementNew))
	m.HandleFunc("POST /improvements", s.page(s.improvementCreate))
	m.HandleFunc("GET /improvements/{id}", s.page(s.improvementShow))
	m.HandleFunc("POST /improvements/{id}", s.page(s.improvementUpdate))
	m.HandleFunc("POST /improvements/{id}/report", s.page(s.improvementReport))
	m.HandleFunc("POST /improvements/{id}/verify", s.page(s.improvementVerify))
}

type improvementListData struct {
	Items    []improvement.Item
	PerUnit  []improvement.UnitCount
	Overdue  int
	Today    string
	Status   string
	Kind     string
	OnlyLate bool
	Query    string
	Statuses []improvement.Status
	Kinds    []improvement.Kind
	CanRaise bool
	Pager    pager
	// CanMeetings offers the meetings tab to those who read them.
	CanMeetings bool
}

// improvementFilter reads the list's filters, shared by the page and its XLSX.
func (s *Server) improvementFilter(r *http.Request) (improvement.Filter, string, error) {
	q := r.URL.Query()
	today := workorder.DayOf(s.db.Now())
	f := improvement.Filter{Status: improvement.Status(q.Get("status")), Kind: improvement.Kind(q.Get("source_kind"))}
	var err error
	if f.UnitID, err = idParam(r, "unit_id"); err != nil {
		return f, today, err
	}
	if q.Get("overdue") == "1" {
		f.Overdue = today
	}
	return f, today, nil
}

// improvementList is the tracking table (改善项目跟踪管理表), printable on A4.
// A page shows a page of the table; the summary per unit and the export cover all of it.
func (s *Server) improvementList(w http.ResponseWriter, r *http.Request) error {
	f, today, err := s.improvementFilter(r)
	if err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	items, err := improvement.List(r.Context(), s.db, principal(r), f)
	if err != nil {
		return err
	}
	items, next, prev := store.Cut(items, pg, improvement.PageKey)
	f.Page = nil
	perUnit, err := improvement.CountPerUnit(r.Context(), s.db, principal(r), f, today)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("before")
	q.Del("after")
	d := improvementListData{Items: items, PerUnit: perUnit, Today: today, Status: string(f.Status), Kind: string(f.Kind), Pager: pageLinks(r, next, prev),
		OnlyLate: f.Overdue != "", Query: q.Encode(), Statuses: improvement.Statuses, Kinds: improvement.Kinds, CanRaise: improvement.MayRaise(principal(r)), CanMeetings: meeting.MayRead(principal(r))}
	for _, u := range d.PerUnit {
		d.Overdue += u.Overdue
	}
	s.render(w, r, "improvements", http.StatusOK, d)
	return nil
}

// improvementExport is the same table as XLSX.
func (s *Server) improvementExport(w http.ResponseWriter, r *http.Request) error {
	f, today, err := s.improvementFilter(r)
	if err != nil {
		return err
	}
	items, err := improvement.List(r.Context(), s.db, principal(r), f)
	if err != nil {
		return err
	}
	lang := locale.FromContext(r.Context())
	data, err := improvement.XLSX(items, today, func(key string, args ...any) string { return locale.T(lang, key, args...) })
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="improvements-`+today+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}

type improvementFormData struct {
	Kind     string
	SourceID string
	In       improvement.Input
	Units    []org.Unit
	Error    string
	ErrField string
}

func (s *Server) improvementNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return s.renderImprovementForm(w, r, http.StatusOK, q.Get("source_kind"), q.Get("source_id"), improvement.Input{Title: q.Get("title")}, "", "")
}

func (s *Server) renderImprovementForm(w http.ResponseWriter, r *http.Request, status int, kind, source string, in improvement.Input, msg, field string) error {
	d := improvementFormData{Kind: kind, SourceID: source, In: in, Error: msg, ErrField: field}
	if kind == "" || kind == string(improvement.Direct) {
		units, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{})
		if err != nil {
			return err
		}
		d.Kind, d.Units = string(improvement.Direct), units
	}
	s.render(w, r, "improvement_new", status, d)
	return nil
}

func (s *Server) improvementCreate(w http.ResponseWriter, r *http.Request) error {
	kind, source := improvement.Kind(r.PostFormValue("source_kind")), r.PostFormValue("source_id")
	unit, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	in := improvement.Input{UnitID: unit, Title: r.PostFormValue("item_title"), Problem: r.PostFormValue("item_problem"), Cause: r.PostFormValue("item_cause"),
		Measures: r.PostFormValue("item_measures"), Owner: r.PostFormValue("item_owner"), DueOn: r.PostFormValue("item_due_on")}
	var item improvement.Item
	var err error
	p := principal(r)
	switch kind {
	case improvement.Direct, "":
		item, err = improvement.RaiseDirect(r.Context(), s.db, p, in)
	case improvement.TargetBreach:
		item, err = target.NewEngine(s.db, api.TargetMeasures()...).RaiseFromBreach(r.Context(), p, source, in, timeZone)
	default:
		item, err = improvement.Raise(r.Context(), s.db, p, kind, source, in)
	}
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderImprovementForm(w, r, status, string(kind), source, in, msg, field)
		})
	}
	s.redirect(w, r, "/improvements/"+itoa(item.ID), "imp.raised_flash")
	return nil
}

type improvementData struct {
	Item      improvement.Item
	Today     string
	CanAct    bool
	CanVerify bool
	Error     string
	ErrField  string
}

func (s *Server) improvementShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderImprovement(w, r, http.StatusOK, "", "")
}

func (s *Server) renderImprovement(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	item, err := improvement.Get(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	d := improvementData{Item: item, Today: workorder.DayOf(s.db.Now()), Error: msg, ErrField: field,
		CanAct: item.Status != improvement.Verified && improvement.MayRaise(p), CanVerify: item.Status == improvement.Done && improvement.MayVerify(p)}
	s.render(w, r, "improvement", status, d)
	return nil
}

// improvementAct runs an action on the path's item and answers its page again on a refusal.
func (s *Server) improvementAct(w http.ResponseWriter, r *http.Request, act func(id int64) (string, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	flash, err := act(id)
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderImprovement(w, r, status, msg, field) })
	}
	s.redirect(w, r, "/improvements/"+itoa(id), flash)
	return nil
}

func formPtr(r *http.Request, name string) *string {
	if _, ok := r.PostForm[name]; !ok {
		return nil
	}
	v := r.PostFormValue(name)
	return &v
}

func (s *Server) improvementUpdate(w http.ResponseWriter, r *http.Request) error {
	return s.improvementAct(w, r, func(id int64) (string, error) {
		_ = r.ParseForm()
		_, err := improvement.Update(r.Context(), s.db, principal(r), id, improvement.Patch{Owner: formPtr(r, "item_owner"), Cause: formPtr(r, "item_cause"),
			Measures: formPtr(r, "item_measures"), DueOn: formPtr(r, "item_due_on"), Evidence: formPtr(r, "item_evidence")})
		return "imp.updated_flash", err
	})
}

func (s *Server) improvementReport(w http.ResponseWriter, r *http.Request) error {
	return s.improvementAct(w, r, func(id int64) (string, error) {
		_, err := improvement.Report(r.Context(), s.db, principal(r), id, r.PostFormValue("item_evidence"))
		return "imp.reported_flash", err
	})
}

func (s *Server) improvementVerify(w http.ResponseWriter, r *http.Request) error {
	return s.improvementAct(w, r, func(id int64) (string, error) {
		accept := r.PostFormValue("verdict") == "accept"
		_, err := improvement.Verify(r.Context(), s.db, principal(r), id, improvement.Verification{Accept: accept, Decision: r.PostFormValue("item_decision")})
		if accept {
			return "imp.verified_flash", err
		}
		return "imp.reopened_flash", err
	})
}
