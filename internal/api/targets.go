package api

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/booking"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/project"
	"manyi/internal/survey"
	"manyi/internal/target"
	"manyi/internal/workorder"
)

// Service targets and engineering projects through the API (issue 16), as on their pages:
// each target's attainment per unit over a month, and the projects list, registration and
// workbook import. The target and project areas hold the rules.

// TargetMeasures are the measures service targets are evaluated over, from the areas that
// own the records; the targets page and the API evaluate with the same list.
func TargetMeasures() []target.Measure {
	return slices.Concat(project.Measures(), complaint.Measures(), booking.Measures(), survey.Measures())
}

func targetRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/targets/attainment", handler: a.targetAttainment, id: "getTargetAttainment", tag: "targets",
			summary: "Every active service target over a month: the figure, value and verdict per unit holding records, and the total over the target's unit",
			query:   []param{{"month", "string", "", "YYYY-MM (default the last whole month)."}}, status: 200, result: "TargetAttainmentPage"},
		{method: "GET", path: "/api/v1/projects", handler: a.listProjects, id: "listProjects", tag: "projects",
			summary: "Engineering projects the caller may read, by planned start, with their acceptance inspections",
			query: []param{{"unit_id", "integer", "int64", "Only projects of this unit and its sub-units."},
				{"from", "string", "date", "Planned start on or after this day, YYYY-MM-DD."}, {"to", "string", "date", "Planned start on or before this day, YYYY-MM-DD."},
				pageParams[0], pageParams[1]},
			status: 200, result: "ProjectPage"},
		{method: "POST", path: "/api/v1/projects", handler: a.createProject, id: "createProject", tag: "projects",
			summary: "Register a project, or change the one with the same code (engineering clerks)", body: "ProjectInput", status: 201, result: "Project"},
		{method: "GET", path: "/api/v1/projects/{id}", handler: a.getProject, id: "getProject", tag: "projects",
			summary: "One project", status: 200, result: "Project"},
		{method: "POST", path: "/api/v1/projects/import", handler: a.importProjects, id: "importProjects", tag: "projects",
			summary: "Import projects from a workbook (XLSX or CSV body); a file with a bad row stores nothing and lists the rows",
			query:   importQuery[:1], upload: true, status: 200, result: "ProjectImport"},
	}
}

// TargetAttainment is one target over a month.
type TargetAttainment struct {
	Target target.Target   `json:"target"`
	Total  AttainmentRow   `json:"total"`
	Rows   []AttainmentRow `json:"rows"`
}

// AttainmentRow is a target's figure for one unit: numerator and denominator of a rate (for a
// count, the count and 0), the value (basis points for a rate), and the verdict. measured is
// false when there was nothing to measure (a rate with no denominator).
type AttainmentRow struct {
	UnitID      int64  `json:"unit_id"`
	UnitName    string `json:"unit_name"`
	Numerator   int    `json:"numerator"`
	Denominator int    `json:"denominator"`
	Value       int    `json:"value"`
	Measured    bool   `json:"measured"`
	Attained    bool   `json:"attained"`
	Breach      bool   `json:"breach"`
}

// ProjectImport is the answer of a successful import.
type ProjectImport struct {
	Imported int `json:"imported"`
}

func init() {
	doc("TargetAttainment", TargetAttainment{})
	doc("Project", project.Project{})
	doc("ProjectImport", ProjectImport{})
	docInput("ProjectInput", project.Input{}, "code", "name", "unit_id", "planned_start")
}

func attainmentRow(r target.Row) AttainmentRow {
	return AttainmentRow{UnitID: r.UnitID, UnitName: r.UnitName, Numerator: r.Figure.Num, Denominator: r.Figure.Den, Value: r.Value,
		Measured: r.Measured, Attained: r.Attained, Breach: r.Breach()}
}

// targetAttainment answers whole: one entry per built-in target (target.Templates; a target
// can be changed, never added), each with a row per unit holding records.
func (a *API) targetAttainment(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	month := r.URL.Query().Get("month")
	if month == "" {
		// The last whole month, as the page: the current one is still filling up.
		local := a.db.Now().In(chinaTime)
		month = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, chinaTime).AddDate(0, -1, 0).Format("2006-01")
	}
	rows, err := target.NewEngine(a.db, TargetMeasures()...).Month(r.Context(), p, month, chinaTime)
	if err != nil {
		return err
	}
	out := make([]TargetAttainment, len(rows))
	for i, at := range rows {
		out[i] = TargetAttainment{Target: at.Target, Total: attainmentRow(at.Total), Rows: make([]AttainmentRow, len(at.Rows))}
		for j, row := range at.Rows {
			out[i].Rows[j] = attainmentRow(row)
		}
	}
	writeJSON(w, http.StatusOK, wholePage(out))
	return nil
}

func (a *API) listProjects(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	unit, err := queryInt(r, "unit_id", 0)
	if err != nil {
		return err
	}
	f := project.Filter{UnitID: unit, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	for name, v := range map[string]string{"from": f.From, "to": f.To} {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			return errs.Field(name, "err.bad_day", v)
		}
	}
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	list, err := project.List(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(list, pg, project.PageKey))
	return nil
}

func (a *API) createProject(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if !project.MayEdit(p) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	var in project.Input
	if err := decode(w, r, &in); err != nil {
		return err
	}
	pr, err := project.Save(r.Context(), a.db, p, in)
	if err != nil {
		return projectField(err)
	}
	w.Header().Set("Location", "/api/v1/projects/"+strconv.FormatInt(pr.ID, 10))
	writeJSON(w, http.StatusCreated, pr)
	return nil
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, func(id int64) (project.Project, error) { return project.Get(r.Context(), a.db, p, id) })
}

func (a *API) importProjects(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	if !project.MayEdit(p) {
		return errs.New(errs.Forbidden, "err.forbidden")
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, workorder.MaxImportBytes+1))
	if err != nil {
		return errs.Field("import_file", "wo.import_too_large", workorder.MaxImportBytes>>20)
	}
	if len(data) == 0 {
		return errs.Required("import_file")
	}
	name := r.URL.Query().Get("file_name")
	if name == "" && strings.Contains(r.Header.Get("Content-Type"), "csv") {
		name = "upload.csv"
	}
	lang := locale.FromContext(r.Context())
	n, err := project.Import(r.Context(), a.db, p, name, data, lang)
	var bad *project.ImportError
	if errors.As(err, &bad) {
		// The refusal carries the rows, as the work-order import's does.
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Error    errorDetail          `json:"error"`
			Problems []project.RowProblem `json:"problems"`
		}{errorDetail{Code: errs.Invalid, Message: locale.T(lang, "project.import_refused", len(bad.Rows))}, bad.Rows})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ProjectImport{Imported: n})
	return nil
}

// projectField names a refused field of project.Save by its body key: the area names them
// after the page's form inputs (project_code, project_unit).
func projectField(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Field, "project_") {
		return err
	}
	to := strings.TrimPrefix(e.Field, "project_")
	if to == "unit" {
		to = "unit_id"
	}
	return &fieldError{err: e, field: to}
}
