package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/survey"
)

// surveyRoutes lists the survey pages: the Quality Department's, and the residents' public
// questionnaire under /s/.
func (s *Server) surveyRoutes() {
	m := s.mux
	m.HandleFunc("GET /surveys", s.page(s.surveyIndex))
	m.HandleFunc("GET /surveys/campaigns/new", s.page(s.surveyCampaignNew))
	m.HandleFunc("POST /surveys/campaigns", s.page(s.surveyCampaignCreate))
	m.HandleFunc("GET /surveys/campaigns/{id}", s.page(s.surveyCampaignShow))
	m.HandleFunc("POST /surveys/campaigns/{id}/close", s.page(s.surveyCampaignClose))
	m.HandleFunc("GET /surveys/campaigns/{id}/print", s.page(s.surveyPrint))
	m.HandleFunc("GET /surveys/campaigns/{id}/visit", s.page(s.surveyVisitForm))
	m.HandleFunc("POST /surveys/campaigns/{id}/visit", s.page(s.surveyVisitCreate))
	m.HandleFunc("GET /surveys/campaigns/{id}/signals", s.page(s.surveySignals))
	m.HandleFunc("GET /surveys/quarters/{quarter}", s.page(s.surveyQuarter))
	m.HandleFunc("GET /surveys/answers", s.page(s.surveyAnswers))
	m.HandleFunc("GET /surveys/answers/{id}", s.page(s.surveyAnswerShow))
	m.HandleFunc("POST /surveys/answers/{id}/{action}", s.page(s.surveyAnswerAct))
	m.HandleFunc("GET /surveys/entry", s.page(s.surveyEntryIndex))
	m.HandleFunc("GET /surveys/entry/{code}", s.page(s.surveyEntryForm))
	m.HandleFunc("POST /surveys/entry/{code}", s.page(s.surveyEntrySave))
	m.HandleFunc("GET /surveys/followups", s.page(s.surveyFollowups))
	m.HandleFunc("GET /surveys/followups/{id}", s.page(s.surveyFollowupShow))
	m.HandleFunc("POST /surveys/followups/{id}", s.page(s.surveyFollowupRecord))
	m.HandleFunc("POST /surveys/followups/{id}/close", s.page(s.surveyFollowupClose))
	m.HandleFunc("GET /surveys/templates", s.page(s.surveyTemplates))
	m.HandleFunc("GET /surveys/templates/{id}", s.page(s.surveyTemplateShow))
	m.HandleFunc("POST /surveys/templates", s.page(s.surveyTemplateCreate))
	m.HandleFunc("GET /surveys/improper", s.page(s.surveyImproper))
	m.HandleFunc("POST /surveys/improper", s.page(s.surveyImproperCreate))

	m.HandleFunc("GET /s", s.limited(s.surveyLimiter, "survey.rate_limited", s.surveyCodeForm))
	m.HandleFunc("GET /s/{code}", s.limited(s.surveyLimiter, "survey.rate_limited", s.surveyPublicForm))
	m.HandleFunc("POST /s/{code}", s.limited(s.surveyLimiter, "survey.rate_limited", s.surveyPublicSubmit))
	m.HandleFunc("GET /s/{code}/thanks", s.limited(s.surveyLimiter, "survey.rate_limited", s.surveyPublicThanks))
}

// surveyBase is what every survey staff page shows: the tabs and whether the reader runs
// surveys (survey.MayManage: the clerk's forms are offered).
type surveyBase struct {
	Tabs      []navItem
	MayManage bool
	Error     string
	ErrField  string
}

func surveyTabs(r *http.Request) surveyBase {
	p := principal(r)
	items := []navItem{{"/surveys", "survey.tab.campaigns", false}}
	if survey.MayManage(p) {
		items = append(items, navItem{"/surveys/entry", "survey.tab.entry", false})
	}
	items = append(items,
		navItem{"/surveys/answers", "survey.tab.answers", false},
		navItem{"/surveys/followups", "survey.tab.followups", false},
		navItem{"/surveys/improper", "survey.tab.improper", false},
		navItem{"/surveys/templates", "survey.tab.templates", false})
	for i := range items {
		items[i].Active = r.URL.Path == items[i].Href || (items[i].Href != "/surveys" && strings.HasPrefix(r.URL.Path, items[i].Href))
	}
	if strings.HasPrefix(r.URL.Path, "/surveys/campaigns") || strings.HasPrefix(r.URL.Path, "/surveys/quarters") {
		items[0].Active = true
	}
	return surveyBase{Tabs: items, MayManage: survey.MayManage(p)}
}

type surveyIndexData struct {
	surveyBase
	Campaigns []survey.Campaign
	Quarters  []string
	Overdue   int
	Pager     pager
}

func (s *Server) surveyIndex(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	cs, err := survey.ListCampaigns(r.Context(), s.db, p, survey.CampaignFilter{Page: &pg})
	if err != nil {
		return err
	}
	cs, next, prev := store.Cut(cs, pg, survey.CampaignKey)
	d := surveyIndexData{surveyBase: surveyTabs(r), Campaigns: cs, Pager: pageLinks(r, next, prev)}
	if d.Quarters, err = survey.CampaignQuarters(r.Context(), s.db, p); err != nil {
		return err
	}
	late, err := survey.ListFollowups(r.Context(), s.db, p, survey.FollowupFilter{Overdue: true, Limit: 1000})
	if err != nil {
		return err
	}
	d.Overdue = len(late)
	s.render(w, r, "survey_index", http.StatusOK, d)
	return nil
}

type campaignFormData struct {
	surveyBase
	In        survey.CampaignInput
	Templates []survey.Template
	Units     []campaignUnitRow
}

type campaignUnitRow struct {
	org.Unit
	Checked    bool
	Households string
	Threshold  string
	Customers  string // key-customer campaigns: one name a line
}

func (s *Server) surveyCampaignNew(w http.ResponseWriter, r *http.Request) error {
	in := survey.CampaignInput{Quarter: survey.QuarterOf(s.db.Now()), Audience: r.URL.Query().Get("audience")}
	in.Name = fmt.Sprintf("%s 客户服务满意度调查", in.Quarter)
	if in.Audience == survey.KeyCustomers {
		in.Name = fmt.Sprintf("%s 重点客户服务满意度问卷", in.Quarter)
	}
	return s.renderCampaignForm(w, r, http.StatusOK, in, nil, "", "")
}

func (s *Server) renderCampaignForm(w http.ResponseWriter, r *http.Request, status int, in survey.CampaignInput, form url.Values, msg, field string) error {
	p := principal(r)
	if !survey.MayManage(p) {
		return errs.New(errs.Forbidden, "survey.clerk_only")
	}
	d := campaignFormData{surveyBase: surveyTabs(r), In: in}
	d.Error, d.ErrField = msg, field
	var err error
	if d.Templates, err = survey.ListTemplates(r.Context(), s.db); err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{})
	if err != nil {
		return err
	}
	// A residents' survey covers areas and sections; a key-customer questionnaire (§3) the
	// business departments, each with its customers by name.
	keyCustomers := in.Audience == survey.KeyCustomers
	for _, u := range units {
		if keyCustomers != (u.Kind == org.Department) || (!keyCustomers && u.Kind != org.Area && u.Kind != org.Section) {
			continue
		}
		row := campaignUnitRow{Unit: u, Checked: form == nil && u.Kind == org.Area}
		if u.Households != nil {
			row.Households = strconv.Itoa(*u.Households)
		}
		row.Threshold = u.ThresholdPercent()
		if form != nil {
			id := strconv.FormatInt(u.ID, 10)
			for _, v := range form["unit"] {
				row.Checked = row.Checked || v == id
			}
			row.Households, row.Threshold, row.Customers = form.Get("households_"+id), form.Get("threshold_"+id), form.Get("customers_"+id)
		}
		d.Units = append(d.Units, row)
	}
	s.render(w, r, "survey_campaign_form", status, d)
	return nil
}

func (s *Server) surveyCampaignCreate(w http.ResponseWriter, r *http.Request) error {
	in := survey.CampaignInput{Name: r.PostFormValue("survey_campaign_name"), Quarter: r.PostFormValue("survey_quarter"), Audience: r.PostFormValue("survey_audience"),
		StartsOn: r.PostFormValue("survey_starts_on"), EndsOn: r.PostFormValue("survey_ends_on"), SnapshotOn: r.PostFormValue("survey_snapshot_on")}
	err := func() error {
		var err error
		if in.TemplateID, err = formID(r, "survey_template"); err != nil {
			return err
		}
		for _, f := range []struct {
			name string
			v    *int
		}{{"survey_followup_days", &in.FollowupDays}, {"survey_retention_days", &in.RetentionDays}} {
			n, err := formInt(r, f.name)
			if err != nil {
				return err
			}
			if n != nil {
				*f.v = *n
			}
		}
		for _, v := range r.PostForm["unit"] {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errs.Field("survey_units", "err.invalid_choice", v)
			}
			cu := survey.CampaignUnitInput{UnitID: id}
			if in.Audience == survey.KeyCustomers {
				cu.Customers = strings.Split(r.PostFormValue("customers_"+v), "\n")
				in.Units = append(in.Units, cu)
				continue
			}
			if cu.Households, err = formInt(r, "households_"+v); err != nil {
				return errs.Field("households", "err.not_integer")
			}
			if cu.ThresholdBP, err = formPercentBP(r, "threshold_"+v); err != nil {
				return errs.Field("threshold", "err.not_number")
			}
			in.Units = append(in.Units, cu)
		}
		return nil
	}()
	if err == nil {
		var c survey.Campaign
		if c, err = survey.CreateCampaign(r.Context(), s.db, principal(r), in); err == nil {
			s.redirect(w, r, fmt.Sprintf("/surveys/campaigns/%d", c.ID), "survey.campaign_created", c.Name)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderCampaignForm(w, r, status, in, r.PostForm, msg, field)
	})
}

type campaignShowData struct {
	surveyBase
	R         survey.Results
	Rows      []unitRateRow
	Levels    []string
	CanClose  bool
	Snapshot  bool
	PrintUnit int64
}

type unitRateRow struct {
	survey.UnitRates
	Response string
	RateErr  string
}

func (s *Server) surveyCampaignShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	snapshot := r.URL.Query().Get("snapshot") == "1"
	res, err := survey.CampaignResults(r.Context(), s.db, principal(r), id, 0, snapshot)
	if err != nil {
		return err
	}
	d := campaignShowData{surveyBase: surveyTabs(r), R: res, Snapshot: snapshot, CanClose: survey.MayManage(principal(r)) && res.Campaign.Status == survey.Open}
	lang := locale.FromContext(r.Context())
	for _, u := range res.Units {
		row := unitRateRow{UnitRates: u}
		if rate, err := u.ResponseRate(); err != nil {
			row.RateErr = errs.As(err).Message(lang)
		} else {
			row.Response = rate
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, "survey_campaign", http.StatusOK, d)
	return nil
}

func (s *Server) surveyCampaignClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := survey.CloseCampaign(r.Context(), s.db, principal(r), id); err != nil {
		return err
	}
	s.redirect(w, r, fmt.Sprintf("/surveys/campaigns/%d", id), "survey.campaign_closed_flash")
	return nil
}

type printSheet struct {
	Code, Display, URL string
	QR                 template.HTML
	Seq                int
	UnitName           string
}

type printData struct {
	surveyBase
	Campaign  survey.Campaign
	Template  survey.Template
	Questions []questionView
	Sheets    []printSheet
	UnitID    int64
	Next      int
}

// surveyPrint renders questionnaires for printing: one A4 sheet per household with its
// code and a QR code of its link.
func (s *Server) surveyPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	c, err := survey.GetCampaign(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	unitID, err := idParam(r, "unit")
	if err != nil {
		return err
	}
	if unitID == 0 && len(c.Units) > 0 {
		unitID = c.Units[0].UnitID
	}
	from, _ := strconv.Atoi(q.Get("from"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	invs, err := survey.ListInvitations(r.Context(), s.db, p, id, survey.InvitationFilter{UnitID: unitID, From: from, Limit: limit, Unanswered: q.Get("all") != "1"})
	if err != nil {
		return err
	}
	t, err := survey.GetTemplate(r.Context(), s.db, c.TemplateID)
	if err != nil {
		return err
	}
	d := printData{surveyBase: surveyTabs(r), Campaign: c, Template: t, Questions: questionViews(t.Def, nil, ""), UnitID: unitID}
	base := s.publicBase(r)
	for _, inv := range invs {
		link := base + "/s/" + inv.Code
		svg, err := qrSVG(link)
		if err != nil {
			return err
		}
		d.Sheets = append(d.Sheets, printSheet{Code: inv.Code, Display: survey.FormatCode(inv.Code), URL: link, QR: svg, Seq: inv.Seq, UnitName: inv.UnitName})
		d.Next = inv.Seq + 1
	}
	s.render(w, r, "survey_print", http.StatusOK, d)
	return nil
}

type visitData struct {
	surveyBase
	Campaign survey.Campaign
	Form     template.HTML
	UnitID   int64
	Day      string
}

func (s *Server) surveyVisitForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderVisit(w, r, http.StatusOK, survey.AnswerInput{}, "", "")
}

func (s *Server) renderVisit(w http.ResponseWriter, r *http.Request, status int, in survey.AnswerInput, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := survey.GetCampaign(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	t, err := survey.GetTemplate(r.Context(), s.db, c.TemplateID)
	if err != nil {
		return err
	}
	d := visitData{surveyBase: surveyTabs(r), Campaign: c, Day: r.PostFormValue("survey_answered_on")}
	d.Error, d.ErrField = msg, field
	d.UnitID, _ = strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	if d.Form, err = newSurveyForm(t.Def, in, field).HTML(locale.FromContext(r.Context())); err != nil {
		return err
	}
	s.render(w, r, "survey_visit", status, d)
	return nil
}

func (s *Server) surveyVisitCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := survey.GetCampaign(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	t, err := survey.GetTemplate(r.Context(), s.db, c.TemplateID)
	if err != nil {
		return err
	}
	in := answerFromForm(r, t.Def)
	unitID, err := formID(r, "unit_id")
	if err == nil {
		var aid int64
		if aid, err = survey.RecordVisit(r.Context(), s.db, principal(r), id, unitID, in, r.PostFormValue("survey_answered_on")); err == nil {
			s.redirect(w, r, fmt.Sprintf("/surveys/answers/%d", aid), "survey.visit_recorded")
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderVisit(w, r, status, in, msg, field) })
}

type signalsData struct {
	surveyBase
	Campaign survey.Campaign
	Signals  []survey.Signal
}

func (s *Server) surveySignals(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	c, err := survey.GetCampaign(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	sigs, err := survey.Signals(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	s.render(w, r, "survey_signals", http.StatusOK, signalsData{surveyBase: surveyTabs(r), Campaign: c, Signals: sigs})
	return nil
}

type quarterData struct {
	surveyBase
	V survey.QuarterView
}

func (s *Server) surveyQuarter(w http.ResponseWriter, r *http.Request) error {
	v, err := survey.QuarterResults(r.Context(), s.db, principal(r), r.PathValue("quarter"))
	if err != nil {
		return err
	}
	s.render(w, r, "survey_quarter", http.StatusOK, quarterData{surveyBase: surveyTabs(r), V: v})
	return nil
}

type answersData struct {
	surveyBase
	Answers []survey.Answer
	Total   int
	Pager   pager
	Filter  string
}

func (s *Server) surveyAnswers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f := survey.AnswerFilter{Opinions: q.Get("opinions") == "1", Page: &pg}
	if f.CampaignID, err = idParam(r, "campaign"); err != nil {
		return err
	}
	if f.UnitID, err = idParam(r, "unit"); err != nil {
		return err
	}
	var parts []string
	if q.Has("location") {
		v := q.Get("location")
		if v == survey.Unclassified {
			v = ""
		}
		f.Location, f.Opinions = &v, true
		parts = append(parts, q.Get("location"))
	}
	if q.Has("type") {
		v := q.Get("type")
		if v == survey.Unclassified {
			v = ""
		}
		f.ProblemType, f.Opinions = &v, true
		parts = append(parts, q.Get("type"))
	}
	list, total, err := survey.ListAnswers(r.Context(), s.db, principal(r), f)
	if err != nil {
		return err
	}
	list, next, prev := store.Cut(list, pg, func(a survey.Answer) store.Key { return store.Key{At: a.AnsweredAt, ID: a.ID} })
	// Lists show who answered only masked; the answer's own page shows the name in full.
	for i := range list {
		list[i].Respondent = survey.MaskName(list[i].Respondent)
	}
	d := answersData{surveyBase: surveyTabs(r), Answers: list, Total: total, Filter: strings.Join(parts, " · ")}
	d.Pager = pageLinks(r, next, prev)
	s.render(w, r, "survey_answers", http.StatusOK, d)
	return nil
}

type answerShowData struct {
	surveyBase
	A         survey.Answer
	T         survey.Template
	Questions []questionView
	Versions  []survey.Version
	Correct   template.HTML
	Marks     []string
	Followup  *survey.Followup
}

func (s *Server) surveyAnswerShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderAnswer(w, r, http.StatusOK, nil, "", "")
}

func (s *Server) renderAnswer(w http.ResponseWriter, r *http.Request, status int, in *survey.AnswerInput, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	a, t, err := survey.GetAnswer(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	d := answerShowData{surveyBase: surveyTabs(r), A: a, T: t, Questions: questionViews(t.Def, a.Values, ""), Marks: survey.Marks}
	d.Error, d.ErrField = msg, field
	if d.Versions, err = survey.Versions(r.Context(), s.db, id); err != nil {
		return err
	}
	fs, err := survey.ListFollowups(r.Context(), s.db, p, survey.FollowupFilter{UnitID: a.UnitID, Limit: 1000})
	if err != nil {
		return err
	}
	for i := range fs {
		if fs[i].AnswerID == a.ID {
			d.Followup = &fs[i]
		}
	}
	if d.MayManage && !a.Purged {
		ci := survey.AnswerInput{Values: a.Values, Location: a.Location, ProblemType: a.ProblemType}
		if in != nil {
			ci = *in
		}
		if d.Correct, err = newSurveyForm(t.Def, ci, field).HTML(locale.FromContext(r.Context())); err != nil {
			return err
		}
	}
	if a.Respondent != "" {
		// The respondent's name is shown in full here (the phone stays masked).
		if err := audit.RecordView(r.Context(), s.db, p, "survey_answer", a.ID, a.UnitID, "respondent"); err != nil {
			return err
		}
	}
	s.render(w, r, "survey_answer", status, d)
	return nil
}

func (s *Server) surveyAnswerAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, ctx := principal(r), r.Context()
	var in *survey.AnswerInput
	switch r.PathValue("action") {
	case "mark":
		err = survey.Mark(ctx, s.db, p, id, r.PostFormValue("survey_authenticity"), r.PostFormValue("reason"))
	case "fault":
		err = survey.SetFault(ctx, s.db, p, id, r.PostFormValue("verified") == "1", r.PostFormValue("reason"))
	case "classify":
		err = survey.Classify(ctx, s.db, p, id, r.PostFormValue("problem_location"), r.PostFormValue("problem_type"))
	case "correct":
		_, t, gerr := survey.GetAnswer(ctx, s.db, p, id)
		if gerr != nil {
			return gerr
		}
		x := answerFromForm(r, t.Def)
		in = &x
		err = survey.Correct(ctx, s.db, p, id, x, r.PostFormValue("reason"))
	default:
		return errs.New(errs.NotFound, "err.page_not_found")
	}
	if err == nil {
		s.redirect(w, r, fmt.Sprintf("/surveys/answers/%d", id), "survey.saved")
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderAnswer(w, r, status, in, msg, field) })
}

type entryIndexData struct {
	surveyBase
	Code       string
	Mismatches []survey.Mismatch
	Accuracy   []survey.Accuracy
}

func (s *Server) surveyEntryIndex(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if !survey.MayManage(p) {
		return errs.New(errs.Forbidden, "survey.clerk_only")
	}
	if code := r.URL.Query().Get("code"); code != "" {
		if norm := survey.NormalizeCode(code); norm != "" {
			http.Redirect(w, r, "/surveys/entry/"+norm, http.StatusSeeOther)
			return nil
		}
		d := entryIndexData{surveyBase: surveyTabs(r), Code: code}
		d.Error, d.ErrField = errs.Field("survey_code", "survey.code_unknown", code).Message(locale.FromContext(r.Context())), "survey_code"
		s.render(w, r, "survey_entry_index", http.StatusNotFound, d)
		return nil
	}
	ms, err := survey.ListMismatches(r.Context(), s.db, p)
	if err != nil {
		return err
	}
	acc, err := survey.EntryAccuracy(r.Context(), s.db, p)
	if err != nil {
		return err
	}
	s.render(w, r, "survey_entry_index", http.StatusOK, entryIndexData{surveyBase: surveyTabs(r), Mismatches: ms, Accuracy: acc})
	return nil
}

type entryData struct {
	surveyBase
	P       survey.PaperForm
	Form    template.HTML
	Day     string
	Entries []entryDiffRow
}

// entryDiffRow is one field of a mismatch, with what each clerk typed.
type entryDiffRow struct {
	Label   string
	A, B    string
	Differs bool
}

func (s *Server) surveyEntryForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderEntry(w, r, http.StatusOK, nil, "", "")
}

func (s *Server) renderEntry(w http.ResponseWriter, r *http.Request, status int, in *survey.AnswerInput, msg, field string) error {
	pf, err := survey.OpenPaper(r.Context(), s.db, principal(r), r.PathValue("code"))
	if err != nil {
		if e := errs.As(err); e.Code == errs.Invalid || e.Code == errs.Conflict {
			d := entryIndexData{surveyBase: surveyTabs(r), Code: r.PathValue("code")}
			d.Error, d.ErrField = e.Message(locale.FromContext(r.Context())), "survey_code"
			s.render(w, r, "survey_entry_index", errs.HTTPStatus(e.Code), d)
			return nil
		}
		return err
	}
	d := entryData{surveyBase: surveyTabs(r), P: pf, Day: r.PostFormValue("survey_answered_on")}
	d.Error, d.ErrField = msg, field
	start := survey.AnswerInput{}
	if len(pf.Entries) == 2 {
		start = pf.Entries[0].In
		if d.Day == "" {
			d.Day = pf.Entries[0].Day
		}
		d.Entries = entryDiff(pf)
	}
	if in != nil {
		start = *in
	}
	if pf.Pass != 0 || len(pf.Entries) == 2 {
		if d.Form, err = newSurveyForm(pf.Template.Def, start, field).HTML(locale.FromContext(r.Context())); err != nil {
			return err
		}
	}
	s.render(w, r, "survey_entry", status, d)
	return nil
}

func entryDiff(pf survey.PaperForm) []entryDiffRow {
	a, b := pf.Entries[0], pf.Entries[1]
	var rows []entryDiffRow
	add := func(label, x, y string) { rows = append(rows, entryDiffRow{Label: label, A: x, B: y, Differs: x != y}) }
	for _, q := range pf.Template.Def.Questions {
		add(q.Text, strings.Join(a.In.Values[q.Key], ","), strings.Join(b.In.Values[q.Key], ","))
	}
	add("意见或建议", a.In.Opinion, b.In.Opinion)
	add("问题位置", a.In.Location, b.In.Location)
	add("问题类型", a.In.ProblemType, b.In.ProblemType)
	add("姓名", a.In.Respondent, b.In.Respondent)
	add("电话", a.In.Phone, b.In.Phone)
	add("收回日期", a.Day, b.Day)
	return rows
}

func (s *Server) surveyEntrySave(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	code := r.PathValue("code")
	pf, err := survey.OpenPaper(r.Context(), s.db, p, code)
	if err != nil {
		return err
	}
	in := answerFromForm(r, pf.Template.Def)
	day := r.PostFormValue("survey_answered_on")
	if r.PostFormValue("resolve") == "1" {
		var id int64
		if id, err = survey.Resolve(r.Context(), s.db, p, code, in, day); err == nil {
			s.redirect(w, r, fmt.Sprintf("/surveys/answers/%d", id), "survey.resolved")
			return nil
		}
	} else {
		var res survey.EntryResult
		if res, err = survey.Enter(r.Context(), s.db, p, code, in, day); err == nil {
			switch {
			case res.AnswerID != 0:
				s.redirect(w, r, "/surveys/entry", "survey.entry_matched", survey.FormatCode(pf.Code))
			case res.Mismatch:
				s.redirect(w, r, "/surveys/entry", "survey.entry_mismatch", survey.FormatCode(pf.Code))
			default:
				s.redirect(w, r, "/surveys/entry", "survey.entry_first", survey.FormatCode(pf.Code))
			}
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderEntry(w, r, status, &in, msg, field) })
}

type followupsData struct {
	surveyBase
	Followups []survey.Followup
	Status    string
	Overdue   bool
	Statuses  []string
	Pager     pager
}

func (s *Server) surveyFollowups(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f := survey.FollowupFilter{Status: q.Get("status"), Overdue: q.Get("overdue") == "1", Page: &pg}
	if f.UnitID, err = idParam(r, "unit"); err != nil {
		return err
	}
	list, err := survey.ListFollowups(r.Context(), s.db, principal(r), f)
	if err != nil {
		return err
	}
	list, next, prev := store.Cut(list, pg, func(x survey.Followup) store.Key { return store.Key{ID: x.ID} })
	s.render(w, r, "survey_followups", http.StatusOK, followupsData{surveyBase: surveyTabs(r), Followups: list, Status: f.Status, Overdue: f.Overdue,
		Statuses: survey.FollowStatuses, Pager: pageLinks(r, next, prev)})
	return nil
}

type followupData struct {
	surveyBase
	F         survey.Followup
	In        survey.FollowupInput
	CanRecord bool
	CheckNote string
}

func (s *Server) surveyFollowupShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderFollowup(w, r, http.StatusOK, nil, "", "")
}

func (s *Server) renderFollowup(w http.ResponseWriter, r *http.Request, status int, in *survey.FollowupInput, msg, field string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	f, err := survey.GetFollowup(r.Context(), s.db, p, id)
	if err != nil {
		return err
	}
	d := followupData{surveyBase: surveyTabs(r), F: f, In: survey.FollowupInput{Cause: f.Cause, Action: f.Action, Outcome: f.Outcome, Escalation: f.Escalation},
		CanRecord: f.Status != survey.FollowClosed && survey.MayRecordFollowup(p), CheckNote: r.PostFormValue("followup_check")}
	d.Error, d.ErrField = msg, field
	if in != nil {
		d.In = *in
	}
	s.render(w, r, "survey_followup", status, d)
	return nil
}

func (s *Server) surveyFollowupRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := survey.FollowupInput{Cause: r.PostFormValue("followup_cause"), Action: r.PostFormValue("followup_action"), Outcome: r.PostFormValue("followup_outcome"),
		Escalate: r.PostFormValue("escalate") == "1", Escalation: r.PostFormValue("followup_escalation")}
	if err := survey.RecordFollowup(r.Context(), s.db, principal(r), id, in); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderFollowup(w, r, status, &in, msg, field) })
	}
	s.redirect(w, r, fmt.Sprintf("/surveys/followups/%d", id), "survey.saved")
	return nil
}

func (s *Server) surveyFollowupClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := survey.CloseFollowup(r.Context(), s.db, principal(r), id, r.PostFormValue("followup_check")); err != nil {
		return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderFollowup(w, r, status, nil, msg, field) })
	}
	s.redirect(w, r, fmt.Sprintf("/surveys/followups/%d", id), "survey.followup_closed_flash")
	return nil
}

type templatesData struct {
	surveyBase
	Templates  []survey.Template
	T          *survey.Template
	JSON       string
	Code, Name string
	Pager      pager
}

func (s *Server) surveyTemplates(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	ts, err := survey.TemplatePage(r.Context(), s.db, pg)
	if err != nil {
		return err
	}
	ts, next, prev := store.Cut(ts, pg, survey.TemplateKey)
	s.render(w, r, "survey_templates", http.StatusOK, templatesData{surveyBase: surveyTabs(r), Templates: ts, Pager: pageLinks(r, next, prev)})
	return nil
}

func (s *Server) surveyTemplateShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := survey.GetTemplate(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	s.render(w, r, "survey_template", http.StatusOK, templatesData{surveyBase: surveyTabs(r), T: &t, JSON: templateJSON(t.Def), Code: t.Code, Name: t.Name})
	return nil
}

func (s *Server) surveyTemplateCreate(w http.ResponseWriter, r *http.Request) error {
	code, name, def := r.PostFormValue("survey_template_code"), r.PostFormValue("survey_template_name"), r.PostFormValue("survey_definition")
	t, err := survey.NewVersion(r.Context(), s.db, principal(r), code, name, def)
	if err == nil {
		s.redirect(w, r, fmt.Sprintf("/surveys/templates/%d", t.ID), "survey.template_saved", t.Code, t.Version)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d := templatesData{surveyBase: surveyTabs(r), JSON: def, Code: code, Name: name}
		d.Error, d.ErrField = msg, field
		if id, _ := strconv.ParseInt(r.PostFormValue("from"), 10, 64); id != 0 {
			if t, err := survey.GetTemplate(r.Context(), s.db, id); err == nil {
				d.T = &t
			}
		}
		s.render(w, r, "survey_template", status, d)
		return nil
	})
}

type improperData struct {
	surveyBase
	Cases []survey.ImproperCase
	Units []org.Unit
	Day   string
	Desc  string
	Unit  int64
}

func (s *Server) surveyImproper(w http.ResponseWriter, r *http.Request) error {
	return s.renderImproper(w, r, http.StatusOK, "", "")
}

func (s *Server) renderImproper(w http.ResponseWriter, r *http.Request, status int, msg, field string) error {
	p := principal(r)
	cs, err := survey.ListImproper(r.Context(), s.db, p)
	if err != nil {
		return err
	}
	d := improperData{surveyBase: surveyTabs(r), Cases: cs, Day: r.PostFormValue("improper_on"), Desc: r.PostFormValue("improper_description")}
	d.Unit, _ = strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	d.Error, d.ErrField = msg, field
	if d.Units, err = org.ListUnits(r.Context(), s.db, p, org.UnitFilter{}); err != nil {
		return err
	}
	s.render(w, r, "survey_improper", status, d)
	return nil
}

func (s *Server) surveyImproperCreate(w http.ResponseWriter, r *http.Request) error {
	unitID, err := formID(r, "unit_id")
	if err == nil {
		_, err = survey.RecordImproper(r.Context(), s.db, principal(r), unitID, r.PostFormValue("improper_on"), r.PostFormValue("improper_description"))
	}
	if err == nil {
		s.redirect(w, r, "/surveys/improper", "survey.saved")
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error { return s.renderImproper(w, r, status, msg, field) })
}
