package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// Period close pages: the list of closes, one close with its ranking and actions, one
// subject's result with its drill-down. The evidence ledger and the scheme pages are in
// assessment_evidence.go and assessment_schemes.go.

func (s *Server) assessmentRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /assessment", s.page(s.assessmentIndex))
	m.HandleFunc("POST /assessment/closes", s.page(s.closeStart))
	m.HandleFunc("GET /assessment/closes/{id}", s.page(s.closeShow))
	m.HandleFunc("POST /assessment/closes/{id}/recompute", s.page(s.closeRecompute))
	m.HandleFunc("POST /assessment/closes/{id}/missing", s.page(s.closeMissing))
	m.HandleFunc("POST /assessment/closes/{id}/decisions", s.page(s.closeDecide))
	m.HandleFunc("POST /assessment/closes/{id}/approve", s.page(s.closeApprove))
	m.HandleFunc("POST /assessment/closes/{id}/lock", s.page(s.closeLock))
	m.HandleFunc("POST /assessment/closes/{id}/reopen", s.page(s.closeReopen))
	m.HandleFunc("GET /assessment/closes/{id}/units/{unit}", s.page(s.closeResult))
	s.evidenceRoutes(m)
	s.schemeRoutes(m)
	s.ledgerRoutes(m)
	s.yearRoutes(m)
}

type closeRow struct {
	Close  assessment.Close
	Name   scheme.Text
	Parent string
}

type assessmentIndexData struct {
	Closes   []closeRow
	CanStart bool
	Schemes  []assessment.SchemeVersion // active ones, for the start form
	Parents  []org.Unit
	Form     assessment.StartInput
	Error    string
	ErrField string
	Pager    pager
}

func (s *Server) renderAssessmentIndex(w http.ResponseWriter, r *http.Request, status int, d assessmentIndexData) error {
	p := principal(r)
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	closes, err := s.assess.ClosePage(r.Context(), p, pg)
	if err != nil {
		return err
	}
	closes, next, prev := store.Cut(closes, pg, assessment.CloseKey)
	d.Pager = pageLinks(r, next, prev)
	versions, err := assessment.ListSchemes(r.Context(), s.db)
	if err != nil {
		return err
	}
	names := map[string]scheme.Text{}
	for _, v := range versions {
		if v.Active {
			d.Schemes = append(d.Schemes, v)
		}
		if _, ok := names[v.Code]; !ok || v.Active {
			names[v.Code] = v.Name
		}
	}
	units, err := org.ListUnits(r.Context(), s.db, access.System, org.UnitFilter{IncludeInactive: true})
	if err != nil {
		return err
	}
	tree := org.NewTree(units)
	for _, c := range closes {
		u, _ := tree.Unit(c.ParentUnitID)
		d.Closes = append(d.Closes, closeRow{Close: c, Name: names[c.SchemeCode], Parent: u.Name})
	}
	// The form is offered where Start would take it: over a unit CloseParents lists.
	d.Parents = assessment.CloseParents(tree, p)
	d.CanStart = len(d.Parents) > 0
	if d.CanStart {
		// The subjects are usually the same every period: offer the last close's parent.
		if d.Form.ParentUnitID == 0 && len(closes) > 0 {
			d.Form.ParentUnitID = closes[0].ParentUnitID
		}
		if d.Form.SchemeCode == "" {
			d.Form.SchemeCode = "unit-monthly"
		}
		if d.Form.Period == "" {
			d.Form.Period = time.Now().In(timeZone).AddDate(0, -1, 0).Format("2006-01")
		}
	}
	s.render(w, r, "assessment_index", status, d)
	return nil
}

func (s *Server) assessmentIndex(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssessmentIndex(w, r, http.StatusOK, assessmentIndexData{})
}

func (s *Server) closeStart(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	in := assessment.StartInput{SchemeCode: r.PostFormValue("scheme"), Period: r.PostFormValue("period")}
	parent, err := formID(r, "parent_id")
	if err == nil {
		in.ParentUnitID = parent
		var c assessment.Close
		if c, err = s.assess.Start(r.Context(), principal(r), in); err == nil {
			s.redirect(w, r, "/assessment/closes/"+itoa(c.ID), "assessment.flash_started", c.SchemeCode, c.Period)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderAssessmentIndex(w, r, status, assessmentIndexData{Form: in, Error: msg, ErrField: field})
	})
}

// awardOption is one value a clerk may award an incomplete subject's fact.
type awardOption struct {
	Value string // "survey=16"
	Label string
}

type closeData struct {
	assessment.CloseView
	Name      scheme.Text
	Parent    string
	FlagNames map[string]scheme.Text
	Codes     []string // component codes, for the ranking's columns
	CompNames []scheme.Text
	Awards    []awardOption
	Error     string
	ErrField  string
	ErrUnit   int64
}

func (s *Server) renderClose(w http.ResponseWriter, r *http.Request, status int, id int64, d closeData) error {
	v, err := s.assess.GetClose(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	d.CloseView = v
	d.Name = v.Scheme.Name
	d.Parent = v.Units[v.Close.ParentUnitID].Name
	d.FlagNames = flagNames(v.Scheme)
	for _, c := range v.Scheme.Components {
		d.Codes, d.CompNames = append(d.Codes, c.Code), append(d.CompNames, c.Name)
	}
	lang := locale.FromContext(r.Context())
	for _, f := range v.Scheme.Facts {
		for _, o := range f.OneOf {
			label := f.Name + " = " + o.String()
			if f.Name == "survey" {
				label = locale.T(lang, "assessment.award_survey", locale.T(lang, "assessment.band."+o.String()), o.String())
			}
			d.Awards = append(d.Awards, awardOption{Value: f.Name + "=" + o.String(), Label: label})
		}
	}
	s.render(w, r, "assessment_close", status, d)
	return nil
}

func flagNames(sch *scheme.Scheme) map[string]scheme.Text {
	out := map[string]scheme.Text{}
	for _, f := range sch.Flags {
		out[f.Code] = f.Name
	}
	for _, rl := range sch.Rules {
		out[rl.Flag] = rl.Name
	}
	return out
}

func (s *Server) closeShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderClose(w, r, http.StatusOK, id, closeData{})
}

// closeAction runs a POST action on a close and goes back to it, or shows the close again with
// the refusal.
func (s *Server) closeAction(w http.ResponseWriter, r *http.Request, flash string, act func(id int64) (int64, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	to, err := act(id)
	if err == nil {
		s.redirect(w, r, "/assessment/closes/"+itoa(to), flash)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		unit, _ := formID(r, "unit_id")
		return s.renderClose(w, r, status, id, closeData{Error: msg, ErrField: field, ErrUnit: unit})
	})
}

func (s *Server) closeRecompute(w http.ResponseWriter, r *http.Request) error {
	return s.closeAction(w, r, "assessment.flash_computed", func(id int64) (int64, error) {
		c, err := s.assess.Recompute(r.Context(), principal(r), id)
		return c.ID, err
	})
}

func (s *Server) closeMissing(w http.ResponseWriter, r *http.Request) error {
	return s.closeAction(w, r, "assessment.flash_decided", func(id int64) (int64, error) {
		c, err := s.assess.DecideMissing(r.Context(), principal(r), id, r.PostFormValue("reason"))
		return c.ID, err
	})
}

func (s *Server) closeDecide(w http.ResponseWriter, r *http.Request) error {
	return s.closeAction(w, r, "assessment.flash_decided", func(id int64) (int64, error) {
		unit, err := formID(r, "unit_id")
		if err != nil {
			return id, err
		}
		in := assessment.DecisionInput{UnitID: unit, Reason: r.PostFormValue("reason")}
		if p := r.PostFormValue("person_id"); p != "" {
			if in.PersonID, err = strconv.ParseInt(p, 10, 64); err != nil {
				return id, errs.Field("assessment_unit", "err.invalid_id", p)
			}
		}
		choice := r.PostFormValue("decision")
		if choice == "exclude" {
			in.Kind = assessment.Exclude
		} else if fact, value, ok := strings.Cut(choice, "="); ok {
			in.Kind, in.Fact, in.Value = assessment.Award, fact, value
		} else {
			return id, errs.Field("assessment_decision", "err.required")
		}
		_, err = s.assess.Decide(r.Context(), principal(r), id, in)
		return id, err
	})
}

func (s *Server) closeApprove(w http.ResponseWriter, r *http.Request) error {
	return s.closeAction(w, r, "assessment.flash_approved", func(id int64) (int64, error) {
		c, err := s.assess.Approve(r.Context(), principal(r), id)
		return c.ID, err
	})
}

func (s *Server) closeLock(w http.ResponseWriter, r *http.Request) error {
	return s.closeAction(w, r, "assessment.flash_locked", func(id int64) (int64, error) {
		c, err := s.assess.Lock(r.Context(), principal(r), id)
		return c.ID, err
	})
}

func (s *Server) closeReopen(w http.ResponseWriter, r *http.Request) error {
	return s.closeAction(w, r, "assessment.flash_reopened", func(id int64) (int64, error) {
		c, err := s.assess.Reopen(r.Context(), principal(r), id, r.PostFormValue("reason"))
		if err != nil {
			return id, err
		}
		return c.ID, nil
	})
}

type resultData struct {
	assessment.ResultView
	Name      scheme.Text
	FlagNames map[string]scheme.Text
	Money     []moneyRow
}

type moneyRow struct {
	Name   scheme.Text
	Amount string
}

func (s *Server) closeResult(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	unit, err := strconv.ParseInt(r.PathValue("unit"), 10, 64)
	if err != nil || unit <= 0 {
		return errs.New(errs.NotFound, "err.invalid_id", r.PathValue("unit"))
	}
	sub := assessment.Subject{UnitID: unit}
	if p := r.URL.Query().Get("person"); p != "" {
		if sub.PersonID, err = strconv.ParseInt(p, 10, 64); err != nil || sub.PersonID <= 0 {
			return errs.New(errs.NotFound, "err.invalid_id", p)
		}
	}
	v, err := s.assess.GetResult(r.Context(), principal(r), id, sub)
	if err != nil {
		return err
	}
	d := resultData{ResultView: v, Name: v.Scheme.Name, FlagNames: flagNames(v.Scheme)}
	for _, m := range v.Scheme.Money {
		if a, ok := v.Result.Result.Money[m.Code]; ok {
			d.Money = append(d.Money, moneyRow{Name: m.Name, Amount: a.String()})
		}
	}
	s.render(w, r, "assessment_result", http.StatusOK, d)
	return nil
}
