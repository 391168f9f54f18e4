package web

import (
	"io"
	"net/http"
	"strconv"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/workorder"
)

// maxProblemsShown bounds the problem list of the mapping screen; the count says how many
// there are in all.
const maxProblemsShown = 200

// uploadLimit is how large a multipart form may be on path: a fault workbook is larger than
// a complaint's attachments.
func uploadLimit(path string) int64 {
	if path == "/workorders/import" {
		return workorder.MaxImportBytes + 1<<20
	}
	return maxUploadBytes
}

type workorderImportsData struct {
	Tabs    []navItem
	Imports []workorder.Staged
	Error   string
}

func (s *Server) workorderImports(w http.ResponseWriter, r *http.Request) error {
	if !workorder.MayImport(principal(r)) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	return s.renderImports(w, r, http.StatusOK, "")
}

func (s *Server) renderImports(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	list, err := workorder.ListImports(r.Context(), s.db, principal(r))
	if err != nil {
		return err
	}
	s.render(w, r, "workorder_imports", status, workorderImportsData{Tabs: workorderTabs(r), Imports: list, Error: msg})
	return nil
}

// workorderUpload stages an uploaded workbook and opens its mapping screen.
func (s *Server) workorderUpload(w http.ResponseWriter, r *http.Request) error {
	if !workorder.MayImport(principal(r)) {
		return errs.New(errs.Forbidden, "wo.forbidden")
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return s.renderImports(w, r, http.StatusUnprocessableEntity, errs.Required("import_file").Message(locale.FromContext(r.Context())))
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
	id, err := workorder.Stage(r.Context(), s.db, principal(r), fh.Filename, data)
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, _ string) error { return s.renderImports(w, r, status, msg) })
	}
	http.Redirect(w, r, "/workorders/import/"+itoa(id), http.StatusSeeOther)
	return nil
}

type importColumn struct {
	Index   int
	Header  string
	Samples []string
	Field   workorder.Field
}

type importProblem struct {
	Row     int
	Field   string
	Message string
}

type workorderImportData struct {
	Tabs     []navItem
	Import   workorder.Staged
	Columns  []importColumn
	Fields   []workorder.ImportField
	Missing  []workorder.Field
	Check    *workorder.Check
	Problems []importProblem
	More     int // problems not listed
	Error    string
}

func (s *Server) workorderImport(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, http.StatusOK, "")
}

// renderImport shows a staged import's mapping screen with the check of every row under the
// current mapping, or a finished import's summary.
func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	st, sheet, err := workorder.GetStaged(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	d := workorderImportData{Tabs: workorderTabs(r), Import: st, Fields: workorder.ImportFields, Error: msg}
	if st.Status == "staged" {
		for i, h := range sheet.Headers {
			c := importColumn{Index: i, Header: h}
			if i < len(st.Mapping) {
				c.Field = st.Mapping[i]
			}
			for _, row := range sheet.Rows[:min(3, len(sheet.Rows))] {
				if v := row.Cell(i); v != "" {
					c.Samples = append(c.Samples, v)
				}
			}
			d.Columns = append(d.Columns, c)
		}
		d.Missing = st.Mapping.Missing()
		if len(d.Missing) == 0 {
			check, err := workorder.CheckSheet(r.Context(), s.db, p, sheet, st.Mapping)
			if err != nil {
				return s.formError(w, r, err, func(status int, msg, _ string) error {
					d.Error = msg
					s.render(w, r, "workorder_import", status, d)
					return nil
				})
			}
			d.Check = &check
		}
	}
	if d.Check != nil {
		lang := locale.FromContext(r.Context())
		for i, pr := range d.Check.Problems {
			if i == maxProblemsShown {
				d.More = len(d.Check.Problems) - i
				break
			}
			d.Problems = append(d.Problems, importProblem{Row: pr.Row, Field: errs.FieldLabel(lang, pr.Err.Field), Message: pr.Err.Message(lang)})
		}
	}
	s.render(w, r, "workorder_import", status, d)
	return nil
}

func (s *Server) workorderImportMapping(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.PostFormValue("columns"))
	m := make(workorder.Mapping, n)
	for i := range m {
		m[i] = workorder.Field(r.PostFormValue("col" + strconv.Itoa(i)))
	}
	if err := workorder.SaveMapping(r.Context(), s.db, principal(r), id, m); err != nil {
		return s.formError(w, r, err, func(status int, msg, _ string) error { return s.renderImport(w, r, status, msg) })
	}
	s.redirect(w, r, "/workorders/import/"+itoa(id), "wo.import_mapping_saved")
	return nil
}

func (s *Server) workorderImportCommit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	res, err := workorder.Commit(r.Context(), s.db, principal(r), id, r.PostFormValue("mode") == "good")
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, _ string) error { return s.renderImport(w, r, status, msg) })
	}
	if res.AlreadyRun {
		s.redirect(w, r, "/workorders/import/"+itoa(id), "wo.import_already")
		return nil
	}
	s.redirect(w, r, "/workorders/import/"+itoa(id), "wo.import_done_flash", res.Imported)
	return nil
}
