package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"manyi/internal/api"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/project"
	"manyi/internal/store"
	"manyi/internal/target"
	"manyi/internal/workorder"
)

func (s *Server) targetRoutes() {
	m := s.mux
	m.HandleFunc("GET /targets", s.page(s.targetsPage))
	m.HandleFunc("POST /targets/{code}", s.page(s.targetSave))
	m.HandleFunc("GET /projects", s.page(s.projectList))
	m.HandleFunc("GET /projects/new", s.page(s.projectNew))
	m.HandleFunc("POST /projects", s.page(s.projectCreate))
	m.HandleFunc("POST /projects/import", s.page(s.projectImport))
	m.HandleFunc("GET /projects/{id}", s.page(s.projectShow))
	m.HandleFunc("POST /projects/{id}/acceptances", s.page(s.projectAcceptance))
}

func targetTabs(r *http.Request) []navItem {
	tabs := []navItem{{"/targets", "target.title", false}, {"/projects", "project.title", false}, {"/bookings", "booking.title", false}}
	for i := range tabs {
		tabs[i].Active = r.URL.Path == tabs[i].Href || (tabs[i].Href != "/targets" && strings.HasPrefix(r.URL.Path, tabs[i].Href+"/"))
	}
	return tabs
}

type targetsData struct {
	Tabs    []navItem
	Month   string
	Rows    []target.Attainment
	Open    string // the target whose records are shown
	OpenFor int64  // and the unit
	CanEdit bool
	Error   string
}

// targetsPage is the attainment of every target in a month, per unit, each with its
// definition; a target's records open beneath it.
func (s *Server) targetsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTargets(w, r, http.StatusOK, "")
}

func (s *Server) renderTargets(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	q := r.URL.Query()
	month, err := periodParam(r, "month", monthPeriod)
	if err != nil {
		return err
	}
	if month == "" {
		// The last whole month: the current one is still filling up.
		local := s.db.Now().In(timeZone)
		month = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, timeZone).AddDate(0, -1, 0).Format("2006-01")
	}
	rows, err := target.NewEngine(s.db, api.TargetMeasures()...).Month(r.Context(), principal(r), month, timeZone)
	if err != nil {
		return err
	}
	d := targetsData{Tabs: targetTabs(r), Month: month, Rows: rows, Open: q.Get("target"), CanEdit: target.MayEdit(principal(r)), Error: msg}
	if d.OpenFor, err = idParam(r, "unit"); err != nil {
		return err
	}
	s.render(w, r, "targets", status, d)
	return nil
}

func (s *Server) targetSave(w http.ResponseWriter, r *http.Request) error {
	unit, err := formID(r, "target_unit")
	if err != nil {
		return err
	}
	in := target.Input{Code: r.PathValue("code"), Comparison: target.Comparison(r.PostFormValue("target_comparison")),
		Threshold: r.PostFormValue("target_threshold"), UnitID: unit}
	if _, err := target.NewEngine(s.db, api.TargetMeasures()...).Save(r.Context(), principal(r), in); err != nil {
		return s.formError(w, r, err, func(status int, msg, _ string) error { return s.renderTargets(w, r, status, msg) })
	}
	s.redirect(w, r, "/targets?month="+r.URL.Query().Get("month"), "target.saved")
	return nil
}

type projectListData struct {
	Tabs     []navItem
	Projects []projectRow
	Year     string
	CanEdit  bool
	Today    string
	Error    string
	Problems []project.RowProblem
	Pager    pager
}

// projectRow is a project with what the register shows about it.
type projectRow struct {
	project.Project
	Plan      project.PlanStatus
	Deadline  string
	FirstPass string // passed, failed, or "" when not inspected
}

func rowOf(p project.Project, today string) projectRow {
	row := projectRow{Project: p, Plan: project.Plan(p.Major, p.Tendered, p.PlannedStart, p.PlanFiledOn, today),
		Deadline: project.PlanDeadline(p.Major, p.Tendered, p.PlannedStart)}
	if passed, inspected := project.FirstPass(p.Acceptances); inspected {
		row.FirstPass = "failed"
		if passed {
			row.FirstPass = "passed"
		}
	}
	return row
}

func (s *Server) projectList(w http.ResponseWriter, r *http.Request) error {
	return s.renderProjects(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderProjects(w http.ResponseWriter, r *http.Request, status int, msg string, problems []project.RowProblem) error {
	year := r.URL.Query().Get("year")
	f := project.Filter{}
	if year != "" {
		if _, err := strconv.Atoi(year); err != nil || len(year) != 4 {
			return errs.Field("year", "err.invalid_choice", year)
		}
		f.From, f.To = year+"-01-01", year+"-12-31"
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	list, err := project.List(r.Context(), s.db, principal(r), f)
	if err != nil {
		return err
	}
	list, next, prev := store.Cut(list, pg, project.PageKey)
	today := s.db.Now().In(timeZone).Format(time.DateOnly)
	d := projectListData{Tabs: targetTabs(r), Pager: pageLinks(r, next, prev), Year: year, CanEdit: project.MayEdit(principal(r)), Today: today, Error: msg, Problems: problems}
	for _, p := range list {
		d.Projects = append(d.Projects, rowOf(p, today))
	}
	s.render(w, r, "projects", status, d)
	return nil
}

type projectFormData struct {
	Tabs  []navItem
	In    project.Input
	Units []org.Unit
	Error string
	Field string
}

func (s *Server) projectNew(w http.ResponseWriter, r *http.Request) error {
	if !project.MayEdit(principal(r)) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	return s.renderProjectForm(w, r, http.StatusOK, project.Input{}, "", "")
}

func (s *Server) renderProjectForm(w http.ResponseWriter, r *http.Request, status int, in project.Input, msg, field string) error {
	units, err := org.ListUnits(r.Context(), s.db, principal(r), org.UnitFilter{})
	if err != nil {
		return err
	}
	s.render(w, r, "project_form", status, projectFormData{Tabs: targetTabs(r), In: in, Units: units, Error: msg, Field: field})
	return nil
}

// formYesNo reads an optional yes/no select: "" is unknown.
func formYesNo(r *http.Request, name string) *bool {
	switch r.PostFormValue(name) {
	case "yes":
		v := true
		return &v
	case "no":
		v := false
		return &v
	}
	return nil
}

func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) error {
	if !project.MayEdit(principal(r)) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	unit, err := formID(r, "project_unit")
	if err != nil {
		return err
	}
	in := project.Input{Code: r.PostFormValue("project_code"), Name: r.PostFormValue("project_name"), ContractNo: r.PostFormValue("project_contract_no"),
		Customer: r.PostFormValue("project_customer"), UnitID: unit, Major: r.PostFormValue("project_major") == "yes", Tendered: r.PostFormValue("project_tendered") == "yes",
		PlannedStart: r.PostFormValue("project_planned_start"), PlanFiledOn: r.PostFormValue("project_plan_filed_on"), PlanApprovedOn: r.PostFormValue("project_plan_approved_on"),
		MaterialsPlan: r.PostFormValue("project_materials_plan"), HandedOverOn: r.PostFormValue("project_handed_over_on"),
		Fulfilled: formYesNo(r, "project_fulfilled"), CustomerSatisfied: formYesNo(r, "project_customer_satisfied")}
	p, err := project.Save(r.Context(), s.db, principal(r), in)
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderProjectForm(w, r, status, in, msg, field) })
	}
	s.redirect(w, r, "/projects/"+itoa(p.ID), "project.saved")
	return nil
}

func (s *Server) projectImport(w http.ResponseWriter, r *http.Request) error {
	if !project.MayEdit(principal(r)) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	lang := locale.FromContext(r.Context())
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return s.renderProjects(w, r, http.StatusUnprocessableEntity, errs.Required("import_file").Message(lang), nil)
	}
	fh := r.MultipartForm.File["file"][0]
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, workorder.MaxImportBytes+1))
	if err != nil {
		return err
	}
	n, err := project.Import(r.Context(), s.db, principal(r), fh.Filename, data, lang)
	var bad *project.ImportError
	if errors.As(err, &bad) {
		return s.renderProjects(w, r, http.StatusUnprocessableEntity, locale.T(lang, "project.import_refused", len(bad.Rows)), bad.Rows)
	}
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, _ string) error { return s.renderProjects(w, r, status, msg, nil) })
	}
	s.redirect(w, r, "/projects", "project.imported", n)
	return nil
}

type projectShowData struct {
	Tabs    []navItem
	Row     projectRow
	CanEdit bool
	Today   string
	Error   string
	Field   string
}

func (s *Server) projectShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderProject(w, r, http.StatusOK, "", "")
}

func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := project.Get(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	today := s.db.Now().In(timeZone).Format(time.DateOnly)
	s.render(w, r, "project_show", status, projectShowData{Tabs: targetTabs(r), Row: rowOf(p, today), CanEdit: project.MayEdit(principal(r)), Today: today, Error: msg, Field: field})
	return nil
}

func (s *Server) projectAcceptance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := project.Acceptance{InspectedOn: r.PostFormValue("acceptance_inspected_on"), Passed: r.PostFormValue("acceptance_passed") == "yes", Note: r.PostFormValue("acceptance_note")}
	if _, err := project.AddAcceptance(r.Context(), s.db, principal(r), id, a); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderProject(w, r, status, msg, field) })
	}
	s.redirect(w, r, "/projects/"+itoa(id), "project.acceptance_added")
	return nil
}
