package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/sampling"
)

func (s *Server) samplingRoutes() {
	m := s.mux
	m.HandleFunc("GET /sampling", s.page(s.samplingWeek))
	m.HandleFunc("GET /sampling/report.xlsx", s.page(s.samplingXLSX))
	m.HandleFunc("POST /sampling/plans", s.page(s.samplingPlanSave))
	m.HandleFunc("POST /sampling/draws", s.page(s.samplingDraw))
	m.HandleFunc("GET /sampling/draws/{id}", s.page(s.samplingShow))
	m.HandleFunc("POST /sampling/items/{id}/check", s.page(s.samplingCheck))
}

type samplingData struct {
	Tabs []tab
	sampling.Week
	Prev, Next string
	CanDraw    bool
	Draw       drawForm
	Plan       sampling.PlanInput
	PlanPct    string
	Error      string
	ErrField   string
}

type drawForm struct {
	PlanID     int64
	Population string
	Size       string
	Seed       string
}

// weekParam is the week a sampling page shows: ?week= (refused when malformed), else the
// form's week, else the newest week with a draw, else the current week.
func (s *Server) weekParam(r *http.Request) (string, error) {
	w, err := periodParam(r, "week", weekPeriod)
	if err != nil {
		return "", err
	}
	if w == "" {
		w = r.PostFormValue("week")
	}
	if _, _, err := sampling.WeekDays(w); err == nil {
		return w, nil
	}
	if latest, err := sampling.LatestWeek(r.Context(), s.db); err == nil && latest != "" {
		return latest, nil
	}
	return sampling.WeekOf(s.db.Now().In(timeZone)), nil
}

func (s *Server) renderSampling(w http.ResponseWriter, r *http.Request, status int, d samplingData) error {
	week, err := s.weekParam(r)
	if err != nil {
		return err
	}
	if d.Week, err = sampling.Report(r.Context(), s.db, principal(r), week); err != nil {
		return err
	}
	from, _, _ := sampling.WeekDays(week)
	if t, err := time.ParseInLocation("2006-01-02", from, timeZone); err == nil {
		d.Prev, d.Next = sampling.WeekOf(t.AddDate(0, 0, -7)), sampling.WeekOf(t.AddDate(0, 0, 7))
	}
	d.Tabs, d.CanDraw = inspectionTabs(r), sampling.MayDraw(principal(r))
	s.render(w, r, "inspection_sampling", status, d)
	return nil
}

func (s *Server) samplingWeek(w http.ResponseWriter, r *http.Request) error {
	return s.renderSampling(w, r, http.StatusOK, samplingData{})
}

func (s *Server) samplingXLSX(w http.ResponseWriter, r *http.Request) error {
	week, err := s.weekParam(r)
	if err != nil {
		return err
	}
	wk, err := sampling.Report(r.Context(), s.db, principal(r), week)
	if err != nil {
		return err
	}
	lang := locale.FromContext(r.Context())
	data, err := wk.XLSX(func(key string) string {
		if strings.HasPrefix(key, "field.") {
			return errs.FieldLabel(lang, strings.TrimPrefix(key, "field."))
		}
		return locale.T(lang, key)
	})
	if err != nil {
		return err
	}
	name := locale.T(lang, "sampling.report_file", wk.Week)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Write(data)
	return nil
}

func (s *Server) samplingPlanSave(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	in := sampling.PlanInput{Code: r.PostFormValue("plan_code"), Name: r.PostFormValue("plan_name"), Source: sampling.Source(r.PostFormValue("plan_source")),
		Strata: r.PostFormValue("strata")}
	pct := r.PostFormValue("min_percent")
	n, err := formInt(r, "min_count")
	if n != nil {
		in.MinCount = *n
	}
	if err == nil {
		var bp *int
		if bp, err = formPercentBP(r, "min_percent"); bp != nil {
			in.MinBP = *bp
		}
	}
	if err == nil {
		if _, err = sampling.SavePlan(r.Context(), s.db, principal(r), in); err == nil {
			week, _ := s.weekParam(r) // the form's week; a malformed one gives the newest
			s.redirect(w, r, "/sampling?week="+week, "sampling.plan_saved", in.Name)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderSampling(w, r, status, samplingData{Plan: in, PlanPct: pct, Error: msg, ErrField: field})
	})
}

func (s *Server) samplingDraw(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	df := drawForm{Population: r.PostFormValue("population"), Size: strings.TrimSpace(r.PostFormValue("sample_size")), Seed: strings.TrimSpace(r.PostFormValue("seed"))}
	week, err := s.weekParam(r)
	if err != nil {
		return err
	}
	in := sampling.DrawInput{Week: week, Population: df.Population}
	df.PlanID, err = formID(r, "plan_id")
	in.PlanID = df.PlanID
	if err == nil && df.Size != "" {
		if in.Size, err = strconv.Atoi(df.Size); err != nil {
			err = errs.Field("sample_size", "err.not_integer")
		}
	}
	if err == nil && df.Seed != "" {
		seed, perr := strconv.ParseInt(df.Seed, 10, 64)
		if perr != nil || seed < 0 {
			err = errs.Field("seed", "err.not_integer")
		}
		in.Seed = &seed
	}
	if err == nil {
		var smp sampling.Sample
		if smp, err = sampling.DrawWeek(r.Context(), s.db, principal(r), in); err == nil {
			s.redirect(w, r, "/sampling/draws/"+itoa(smp.ID), "sampling.drawn", smp.Size, smp.PopulationSize)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderSampling(w, r, status, samplingData{Draw: df, Error: msg, ErrField: field})
	})
}

func (s *Server) samplingShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	smp, err := sampling.GetSample(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, "inspection_sample", http.StatusOK, map[string]any{"Tabs": inspectionTabs(r), "S": smp, "Verified": sampling.Verify(smp),
		"CanCheck": sampling.MayDraw(principal(r))})
	return nil
}

func (s *Server) samplingCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/sampling/") || strings.HasPrefix(back, "//") {
		back = "/sampling"
	}
	if err := sampling.CheckItem(r.Context(), s.db, principal(r), id, r.PostFormValue("sample_result"), r.PostFormValue("sample_note")); err != nil {
		return err
	}
	s.redirect(w, r, back, "sampling.checked_saved")
	return nil
}
