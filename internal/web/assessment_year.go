package web

import (
	"bytes"
	"net/http"
	"strconv"

	"manyi/internal/assessment"
	"manyi/internal/scheme"
)

// The year page (/assessment/year?scheme=&year=): a scheme's closed periods of a year per
// subject, with what the year decides (eligibility, stars and best teams, dismissal reviews and
// their HR decisions); printable, and as XLSX (?format=xlsx).

func (s *Server) yearRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /assessment/year", s.page(s.yearShow))
	m.HandleFunc("POST /assessment/year/hr", s.page(s.yearHR))
}

type yearData struct {
	assessment.YearView
	Code      string
	FlagNames map[string]scheme.Text
	Schemes   []assessment.SchemeVersion
	Error     string
	ErrField  string
}

func (s *Server) renderYear(w http.ResponseWriter, r *http.Request, status int, code string, year int, d yearData) error {
	v, err := s.assess.Year(r.Context(), principal(r), code, year)
	if err != nil {
		return err
	}
	versions, err := assessment.ListSchemes(r.Context(), s.db)
	if err != nil {
		return err
	}
	for _, x := range versions {
		if x.Active {
			d.Schemes = append(d.Schemes, x)
		}
	}
	d.YearView, d.Code, d.FlagNames = v, code, flagNames(v.Scheme)
	s.render(w, r, "assessment_year", status, d)
	return nil
}

func yearQuery(r *http.Request, now int) (string, int) {
	code := r.FormValue("scheme")
	if code == "" {
		code = "unit-monthly"
	}
	year, err := strconv.Atoi(r.FormValue("year"))
	if err != nil {
		year = now
	}
	return code, year
}

func (s *Server) yearShow(w http.ResponseWriter, r *http.Request) error {
	code, year := yearQuery(r, s.db.Now().In(timeZone).Year())
	if r.URL.Query().Get("format") != "xlsx" {
		return s.renderYear(w, r, http.StatusOK, code, year, yearData{})
	}
	v, err := s.assess.Year(r.Context(), principal(r), code, year)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := assessment.WriteYear(&buf, v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+code+`-`+strconv.Itoa(year)+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) yearHR(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	code, year := yearQuery(r, s.db.Now().In(timeZone).Year())
	person, _ := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
	in := assessment.HRInput{SchemeCode: code, Period: r.PostFormValue("period"), PersonID: person, Outcome: r.PostFormValue("outcome"), Reason: r.PostFormValue("reason")}
	_, err := assessment.RecordHRDecision(r.Context(), s.db, principal(r), in)
	if err == nil {
		s.redirect(w, r, "/assessment/year?scheme="+code+"&year="+strconv.Itoa(year), "close.flash_hr")
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderYear(w, r, status, code, year, yearData{Error: msg, ErrField: field})
	})
}
