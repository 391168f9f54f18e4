package web

import (
	"io"
	"net/http"
	"strings"

	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
)

// Scheme versions: list, show with the YAML, import (also how a copy is saved), export and
// activation. Changes are for administrators; everyone may read.

func (s *Server) schemeRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /assessment/schemes", s.page(s.schemeList))
	m.HandleFunc("GET /assessment/schemes/new", s.page(s.schemeNew))
	m.HandleFunc("POST /assessment/schemes", s.page(s.schemeImport))
	m.HandleFunc("GET /assessment/schemes/{id}", s.page(s.schemeShow))
	m.HandleFunc("GET /assessment/schemes/{id}/yaml", s.page(s.schemeExport))
	m.HandleFunc("POST /assessment/schemes/{id}/activate", s.page(s.schemeActivate))
}

type schemeListData struct {
	Versions []assessment.SchemeVersion
	IsAdmin  bool
	Pager    pager
}

func (s *Server) schemeList(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	vs, err := assessment.SchemePage(r.Context(), s.db, pg)
	if err != nil {
		return err
	}
	vs, next, prev := store.Cut(vs, pg, assessment.SchemeKey)
	s.render(w, r, "assessment_schemes", http.StatusOK, schemeListData{Versions: vs, IsAdmin: assessment.MayManageSchemes(principal(r)), Pager: pageLinks(r, next, prev)})
	return nil
}

type schemeShowData struct {
	Version     assessment.SchemeVersion
	IsAdmin     bool
	CannotStart string // why the version cannot be activated, if it cannot
	Error       string
}

func (s *Server) renderSchemeShow(w http.ResponseWriter, r *http.Request, status int, id int64, msg string) error {
	v, err := assessment.GetScheme(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	d := schemeShowData{Version: v, IsAdmin: assessment.MayManageSchemes(principal(r)), Error: msg}
	if sch, err := v.Parse(); err == nil {
		if err := sch.CanActivate(); err != nil {
			d.CannotStart = errs.As(err).Message(langOf(r))
		}
	}
	s.render(w, r, "assessment_scheme", status, d)
	return nil
}

func (s *Server) schemeShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderSchemeShow(w, r, http.StatusOK, id, "")
}

func (s *Server) schemeExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := assessment.GetScheme(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+v.Code+`-v`+itoa(int64(v.Version))+`.yaml"`)
	io.WriteString(w, v.YAML)
	return nil
}

func (s *Server) schemeActivate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := assessment.ActivateScheme(r.Context(), s.db, principal(r), id)
	if err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error {
			return s.renderSchemeShow(w, r, status, id, msg)
		})
	}
	s.redirect(w, r, "/assessment/schemes/"+itoa(id), "assessment.flash_activated", v.Code, v.Version)
	return nil
}

type schemeFormData struct {
	YAML  string
	Error string
	// Errors lists every refusal when the scheme has several.
	Errors   []string
	ErrField string
}

func (s *Server) schemeNew(w http.ResponseWriter, r *http.Request) error {
	if !assessment.MayManageSchemes(principal(r)) {
		return errs.New(errs.Forbidden, "assessment.admin_only")
	}
	var d schemeFormData
	if from, err := formIDQuery(r, "from"); err == nil && from > 0 {
		v, err := assessment.GetScheme(r.Context(), s.db, from)
		if err != nil {
			return err
		}
		d.YAML = v.YAML
	}
	s.render(w, r, "assessment_scheme_form", http.StatusOK, d)
	return nil
}

// schemeImport stores pasted or uploaded YAML as a new version.
func (s *Server) schemeImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, 2*maxFormBytes)
	text := r.PostFormValue("yaml")
	if err := r.ParseMultipartForm(maxFormBytes); err == nil {
		text = r.FormValue("yaml")
		if f, _, err := r.FormFile("file"); err == nil {
			b, err := io.ReadAll(io.LimitReader(f, maxFormBytes))
			f.Close()
			if err != nil {
				return err
			}
			if len(strings.TrimSpace(string(b))) > 0 {
				text = string(b)
			}
		}
	}
	v, err := assessment.ImportScheme(r.Context(), s.db, principal(r), []byte(text))
	if err != nil {
		lang := langOf(r)
		d := schemeFormData{YAML: text}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				d.Errors = append(d.Errors, errs.As(e).Message(lang))
			}
			d.Error = d.Errors[0]
			s.render(w, r, "assessment_scheme_form", http.StatusUnprocessableEntity, d)
			return nil
		}
		return s.formError(w, r, err, func(status int, msg, field string) error {
			d.Error, d.ErrField = msg, field
			s.render(w, r, "assessment_scheme_form", status, d)
			return nil
		})
	}
	s.redirect(w, r, "/assessment/schemes/"+itoa(v.ID), "assessment.flash_imported", v.Code, v.Version)
	return nil
}

func langOf(r *http.Request) locale.Lang { return locale.FromContext(r.Context()) }
