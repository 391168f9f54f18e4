package web

import (
	"net/http"
	"time"

	"manyi/internal/assessment"
	"manyi/internal/org"
)

// The retired evidence ledger of unit-monthly: inspections and survey evaluations a clerk
// typed in before the inspections and surveys areas existed. Its rows stay readable, for the
// closes that used them; nothing new is recorded here.

func (s *Server) evidenceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /assessment/evidence", s.page(s.evidenceList))
	m.HandleFunc("GET /assessment/evidence/{id}", s.page(s.evidenceShow))
}

type evidenceData struct {
	Rows     []assessment.Evidence
	Units    map[int64]org.Unit
	Subjects []org.Unit // units the clerk may record evidence for
	Filter   assessment.EvidenceFilter
}

func (s *Server) renderEvidence(w http.ResponseWriter, r *http.Request, status int, d evidenceData) error {
	p := principal(r)
	var err error
	if d.Filter.Month == "" {
		if d.Filter.Month, err = periodParam(r, "month", monthPeriod); err != nil {
			return err
		}
	}
	if d.Filter.Month == "" {
		d.Filter.Month = time.Now().In(timeZone).Format("2006-01")
	}
	if d.Filter.UnitID == 0 {
		if d.Filter.UnitID, err = idParam(r, "unit"); err != nil {
			return err
		}
	}
	rows, err := assessment.ListEvidence(r.Context(), s.db, p, d.Filter)
	if err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{})
	if err != nil {
		return err
	}
	d.Rows, d.Units = rows, map[int64]org.Unit{}
	for _, u := range units {
		d.Units[u.ID] = u
		if u.Kind == org.Area || u.Kind == org.Section {
			d.Subjects = append(d.Subjects, u)
		}
	}
	s.render(w, r, "assessment_evidence", status, d)
	return nil
}

func (s *Server) evidenceList(w http.ResponseWriter, r *http.Request) error {
	return s.renderEvidence(w, r, http.StatusOK, evidenceData{})
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
