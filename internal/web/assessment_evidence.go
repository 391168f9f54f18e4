package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/org"
)

// The interim evidence ledger of unit-monthly: inspections and survey evaluations typed in by
// a clerk until the inspections and surveys areas exist.

func (s *Server) evidenceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /assessment/evidence", s.page(s.evidenceList))
	m.HandleFunc("POST /assessment/evidence", s.page(s.evidenceCreate))
	m.HandleFunc("GET /assessment/evidence/{id}", s.page(s.evidenceShow))
}

type evidenceFormValues struct {
	UnitID                                 int64
	OccurredOn, Kind, Problems, Band, Note string
}

type evidenceData struct {
	Rows     []assessment.Evidence
	Units    map[int64]org.Unit
	Subjects []org.Unit // units the clerk may record evidence for
	Filter   assessment.EvidenceFilter
	CanAdd   bool
	Bands    []int
	Form     evidenceFormValues
	Error    string
	ErrField string
}

func (s *Server) renderEvidence(w http.ResponseWriter, r *http.Request, status int, d evidenceData) error {
	p := principal(r)
	q := r.URL.Query()
	if d.Filter.Month == "" {
		d.Filter.Month = q.Get("month")
	}
	if d.Filter.Month == "" {
		d.Filter.Month = time.Now().In(timeZone).Format("2006-01")
	}
	if d.Filter.UnitID == 0 {
		d.Filter.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	}
	rows, err := assessment.ListEvidence(r.Context(), s.db, p, d.Filter)
	if err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{})
	if err != nil {
		return err
	}
	d.Rows, d.Units, d.Bands = rows, map[int64]org.Unit{}, assessment.Bands
	for _, u := range units {
		d.Units[u.ID] = u
		if u.Kind == org.Area || u.Kind == org.Section {
			d.Subjects = append(d.Subjects, u)
		}
	}
	d.CanAdd = p.Has(access.Clerk)
	if d.Form.OccurredOn == "" {
		d.Form.OccurredOn = time.Now().In(timeZone).Format("2006-01-02")
	}
	if d.Form.Kind == "" {
		d.Form.Kind = string(assessment.Inspection)
	}
	s.render(w, r, "assessment_evidence", status, d)
	return nil
}

func (s *Server) evidenceList(w http.ResponseWriter, r *http.Request) error {
	return s.renderEvidence(w, r, http.StatusOK, evidenceData{})
}

func (s *Server) evidenceCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	f := evidenceFormValues{OccurredOn: r.PostFormValue("occurred_on"), Kind: r.PostFormValue("kind"),
		Problems: r.PostFormValue("problems"), Band: r.PostFormValue("band"), Note: r.PostFormValue("note")}
	in := assessment.EvidenceInput{OccurredOn: f.OccurredOn, Kind: assessment.EvidenceKind(f.Kind), Note: f.Note}
	var err error
	if f.UnitID, err = formID(r, "unit_id"); err == nil {
		in.UnitID = f.UnitID
		// The form has both inputs; the one that does not belong to the kind is ignored.
		if in.Kind == assessment.Inspection {
			in.Problems, err = formIntField(r, "problems", "assessment_problems")
		} else {
			in.Band, err = formIntField(r, "band", "assessment_band")
		}
	}
	if err == nil {
		var e assessment.Evidence
		if e, err = assessment.RecordEvidence(r.Context(), s.db, principal(r), in); err == nil {
			s.redirect(w, r, "/assessment/evidence?unit="+itoa(e.UnitID)+"&month="+e.OccurredOn[:7], "assessment.flash_evidence")
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderEvidence(w, r, status, evidenceData{Form: f, Error: msg, ErrField: field})
	})
}

// formIntField reads an optional whole number whose errors name field.
func formIntField(r *http.Request, name, field string) (*int, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, errsField(field, "err.not_integer")
	}
	return &n, nil
}

type evidenceShowData struct {
	Evidence assessment.Evidence
	Unit     org.Unit
}

func (s *Server) evidenceShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := assessment.GetEvidence(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	u, err := org.GetUnit(r.Context(), s.db, principal(r), e.UnitID)
	if err != nil {
		return err
	}
	s.render(w, r, "assessment_evidence_show", http.StatusOK, evidenceShowData{Evidence: e, Unit: u})
	return nil
}
