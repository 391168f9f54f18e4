package web

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/sampling"
	"manyi/internal/store"
)

// inspectionRoutes lists the inspection pages; sampling's are in inspection_sampling.go.
func (s *Server) inspectionRoutes() {
	m := s.mux
	m.HandleFunc("GET /inspections", s.page(s.inspectionList))
	m.HandleFunc("GET /inspections/new", s.page(s.inspectionNew))
	m.HandleFunc("POST /inspections", s.page(s.inspectionCreate))
	m.HandleFunc("GET /inspections/{id}", s.page(s.inspectionShow))
	m.HandleFunc("POST /inspections/{id}/findings", s.page(s.inspectionAddFinding))
	m.HandleFunc("POST /inspections/findings/{id}/signoff", s.page(s.inspectionSignoff))
	m.HandleFunc("POST /inspections/findings/{id}/rectify", s.page(s.inspectionRectify))
	m.HandleFunc("GET /inspections/photos/{id}", s.page(s.inspectionPhoto))
	m.HandleFunc("GET /inspections/findings", s.page(s.inspectionFindings))
	m.HandleFunc("GET /inspections/units", s.page(s.inspectionUnits))
	m.HandleFunc("GET /inspections/people", s.page(s.inspectionPeople))
	m.HandleFunc("GET /inspections/duty", s.page(s.inspectionDuty))
	m.HandleFunc("GET /inspections/checks", s.page(s.inspectionChecks))
	m.HandleFunc("GET /inspections/checklists", s.page(s.inspectionChecklists))
	m.HandleFunc("POST /inspections/checklists", s.page(s.inspectionChecklistSave))
	m.HandleFunc("GET /inspections/notifications", s.page(s.inspectionNotifications))
	s.samplingRoutes()
}

// tab is one entry of an area's tab bar, passed in page data so that every page of the area
// shows the same bar without a shared partial.
type tab struct{ Href, Key string }

// inspectionTabs lists the area's tabs the principal may open: filing a new inspection and the
// weekly sampling are offered only to those the inspection and sampling rules allow.
func inspectionTabs(r *http.Request) []tab {
	p := principal(r)
	tabs := []tab{{"/inspections", "inspection.list"}}
	if inspection.MayFile(p) {
		tabs = append(tabs, tab{"/inspections/new", "inspection.new"})
	}
	tabs = append(tabs,
		tab{"/inspections/units", "inspection.units"},
		tab{"/inspections/people", "inspection.people"},
		tab{"/inspections/findings?pending=1", "inspection.pending"},
		tab{"/inspections/findings?overdue=1", "inspection.overdue"},
		tab{"/inspections/checks", "inspection.checks"},
		tab{"/inspections/duty", "inspection.duty"},
		tab{"/inspections/notifications", "inspection.notifications"},
		tab{"/inspections/checklists", "inspection.checklists"})
	if sampling.MayRead(p) {
		tabs = append(tabs, tab{"/sampling", "sampling.title"})
	}
	return tabs
}

func monthParam(r *http.Request, now time.Time) (string, error) {
	return periodParamOr(r, "month", monthPeriod, now.In(timeZone).Format("2006-01"))
}

type inspectionListData struct {
	Tabs    []tab
	Rows    []inspection.Inspection
	Units   []org.Unit
	F       inspection.Filter
	Kinds   []inspection.Kind
	CanFile bool
	Pager   pager
}

func (s *Server) inspectionList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	q := r.URL.Query()
	f := inspection.Filter{Kind: inspection.Kind(q.Get("kind")), Exact: q.Get("exact") == "1"}
	var err error
	if f.Month, err = periodParam(r, "month", monthPeriod); err != nil {
		return err
	}
	if f.Day, err = periodParam(r, "day", dayPeriod); err != nil {
		return err
	}
	if f.UnitID, err = idParam(r, "unit"); err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	rows, err := inspection.List(r.Context(), s.db, p, f)
	if err != nil {
		return err
	}
	rows, next, prev := store.Cut(rows, pg, func(i inspection.Inspection) store.Key { return store.Key{At: i.InspectedAt, ID: i.ID} })
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{})
	if err != nil {
		return err
	}
	s.render(w, r, "inspection_list", http.StatusOK, inspectionListData{Tabs: inspectionTabs(r), Rows: rows, Units: units, F: f, Kinds: inspection.Kinds,
		CanFile: inspection.MayFile(p), Pager: pageLinks(r, next, prev)})
	return nil
}

type inspectionFormData struct {
	Tabs       []tab
	In         inspection.Input
	F          findingForm
	At         string
	Score      string
	Kinds      []inspection.Kind
	Units      []org.Unit
	Checklists []inspection.Checklist
	Checklist  *inspection.Checklist
	Charge     inspection.Chargeable
	Error      string
	ErrField   string
}

// findingForm is a finding's fields as typed, so a refused form comes back as it was.
type findingForm struct {
	ItemID       int64
	Description  string
	Deduction    string
	UnitID       int64 // the unit the person charged was chosen from
	PersonID     int64
	Double       bool
	DoubleReason string
	RectifyDue   string
}

func (s *Server) renderInspectionForm(w http.ResponseWriter, r *http.Request, status int, d inspectionFormData) error {
	p := principal(r)
	var err error
	if d.Units, err = org.ListUnits(r.Context(), s.db, p, org.UnitFilter{}); err != nil {
		return err
	}
	if d.Checklists, err = inspection.ListChecklists(r.Context(), s.db, false); err != nil {
		return err
	}
	if d.In.ChecklistID == 0 && d.In.UnitID != 0 && d.In.Kind != inspection.SelfCheck {
		if d.In.ChecklistID, err = inspection.SuggestChecklist(r.Context(), s.db, d.In.UnitID, d.In.Kind); err != nil {
			return err
		}
	}
	for i := range d.Checklists {
		if d.Checklists[i].ID == d.In.ChecklistID {
			d.Checklist = &d.Checklists[i]
		}
	}
	if d.In.ChecklistID != 0 && d.Checklist == nil {
		c, err := inspection.GetChecklist(r.Context(), s.db, d.In.ChecklistID)
		if err == nil {
			d.Checklist = &c
		}
	}
	if d.In.UnitID != 0 && d.Checklist != nil {
		if d.Charge, err = s.chargeable(r, d.In.UnitID, d.F.UnitID); err != nil {
			return err
		}
	}
	d.Tabs, d.Kinds = inspectionTabs(r), inspection.Kinds
	s.render(w, r, "inspection_new", status, d)
	return nil
}

// chargeable loads whom a finding may charge: the people of the unit last chosen, or of the
// inspected unit when the chosen one is not under it (the inspected unit changed meanwhile).
func (s *Server) chargeable(r *http.Request, unitID, chargedUnit int64) (inspection.Chargeable, error) {
	c, err := inspection.ChargeablePeople(r.Context(), s.db, principal(r), unitID, chargedUnit)
	if errs.Is(err, errs.Invalid) && chargedUnit != 0 {
		c, err = inspection.ChargeablePeople(r.Context(), s.db, principal(r), unitID, 0)
	}
	if errs.Is(err, errs.Invalid) {
		// An inactive unit takes no finding: nobody is offered, and filing says why.
		return inspection.Chargeable{}, nil
	}
	return c, err
}

func (s *Server) inspectionNew(w http.ResponseWriter, r *http.Request) error {
	if !inspection.MayFile(principal(r)) {
		return errs.New(errs.Forbidden, "inspection.not_inspector")
	}
	q := r.URL.Query()
	d := inspectionFormData{In: inspection.Input{Kind: inspection.Kind(q.Get("kind"))}, At: s.db.Now().In(timeZone).Format("2006-01-02T15:04")}
	if d.In.Kind == "" {
		d.In.Kind = inspection.Routine
	}
	var err error
	if d.In.UnitID, err = idParam(r, "unit"); err != nil {
		return err
	}
	if d.In.ChecklistID, err = idParam(r, "checklist"); err != nil {
		return err
	}
	d.In.Month, d.In.Quarter = q.Get("month"), q.Get("quarter")
	return s.renderInspectionForm(w, r, http.StatusOK, d)
}

// readPhotos reads the photos of a multipart form; the body limit and the per-file check in
// package inspection make sure nothing oversized is kept.
func readPhotos(r *http.Request) ([]inspection.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []inspection.Upload
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		up, err := readPhoto(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, up)
	}
	return out, nil
}

func readPhoto(fh *multipart.FileHeader) (inspection.Upload, error) {
	if fh.Size > inspection.MaxPhotoBytes {
		return inspection.Upload{}, errs.Field("photos", "inspection.photo_too_large", fh.Filename, inspection.MaxPhotoBytes>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return inspection.Upload{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, inspection.MaxPhotoBytes+1))
	if err != nil {
		return inspection.Upload{}, err
	}
	return inspection.Upload{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data}, nil
}

// parseMultipart reads a form that may carry photos, within the upload limit.
func parseMultipart(w http.ResponseWriter, r *http.Request) error {
	if r.MultipartForm != nil || r.PostForm != nil {
		return nil // the CSRF check parsed it already
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return errs.Field("photos", "inspection.photo_too_large", "", inspection.MaxPhotoBytes>>20)
		}
	}
	return nil
}

// findingFromForm reads a finding; ok is false when the form's finding fields are all empty.
func findingFromForm(r *http.Request) (inspection.FindingInput, findingForm, bool, error) {
	ff := findingForm{Description: r.PostFormValue("finding_description"), Deduction: strings.TrimSpace(r.PostFormValue("deduction")),
		Double: r.PostFormValue("double") == "1", DoubleReason: r.PostFormValue("double_reason"), RectifyDue: r.PostFormValue("rectify_due")}
	var fi inspection.FindingInput
	var err error
	if ff.ItemID, err = formID(r, "checklist_item"); err != nil {
		return fi, ff, true, err
	}
	if ff.PersonID, err = formID(r, "charged_person"); err != nil {
		return fi, ff, true, err
	}
	if ff.UnitID, err = formID(r, "charged_unit"); err != nil {
		return fi, ff, true, err
	}
	photos, err := readPhotos(r)
	if err != nil {
		return fi, ff, true, err
	}
	if ff.ItemID == 0 && strings.TrimSpace(ff.Description) == "" && len(photos) == 0 && ff.PersonID == 0 {
		return fi, ff, false, nil
	}
	fi = inspection.FindingInput{ItemID: ff.ItemID, Description: ff.Description, PersonID: ff.PersonID, Double: ff.Double,
		DoubleReason: ff.DoubleReason, RectifyDue: ff.RectifyDue, Photos: photos}
	if ff.Deduction != "" {
		d, err := inspection.ParsePoints("deduction", ff.Deduction)
		if err != nil {
			return fi, ff, true, err
		}
		fi.Deduction = &d
	}
	return fi, ff, true, nil
}

// readInspectionForm reads the new-inspection form into d, all of it even past a bad field,
// and returns the first field's error.
func readInspectionForm(r *http.Request, d *inspectionFormData) error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	d.In.Kind = inspection.Kind(r.PostFormValue("inspection_kind"))
	d.In.Note = r.PostFormValue("inspection_note")
	d.At, d.Score = r.PostFormValue("inspected_at"), strings.TrimSpace(r.PostFormValue("check_score"))
	d.In.Month, d.In.Quarter = r.PostFormValue("check_month"), r.PostFormValue("quarter")
	var err error
	d.In.UnitID, err = formID(r, "unit_id")
	keep(err)
	d.In.ChecklistID, err = formID(r, "checklist_id")
	keep(err)
	n, err := formInt(r, "items_checked")
	keep(err)
	if n != nil {
		d.In.ItemsChecked = *n
	}
	if d.At != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", d.At, timeZone)
		if err != nil {
			keep(errs.Field("inspected_at", "inspection.bad_date", d.At))
		}
		d.In.InspectedAt = t
	}
	if d.Score != "" {
		sc, err := inspection.ParsePoints("check_score", d.Score)
		keep(err)
		if err == nil {
			d.In.Score = &sc
		}
	}
	fi, ff, ok, err := findingFromForm(r)
	d.F = ff
	keep(err)
	if ok && err == nil {
		d.In.Findings = []inspection.FindingInput{fi}
	}
	return first
}

func (s *Server) inspectionCreate(w http.ResponseWriter, r *http.Request) error {
	d := inspectionFormData{}
	err := parseMultipart(w, r)
	if err == nil {
		err = readInspectionForm(r, &d)
		if r.PostFormValue("pick") != "" {
			// The charged person's unit was chosen without scripts: the form comes back as
			// typed with that unit's people (a photo must be chosen again); nothing is filed.
			return s.renderInspectionForm(w, r, http.StatusOK, d)
		}
	}
	if err == nil {
		var ins inspection.Inspection
		if ins, err = inspection.File(r.Context(), s.db, principal(r), d.In); err == nil {
			s.redirect(w, r, "/inspections/"+itoa(ins.ID), "inspection.filed", ins.Findings)
			return nil
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d.Error, d.ErrField = msg, field
		return s.renderInspectionForm(w, r, status, d)
	})
}

type inspectionShowData struct {
	Tabs []tab
	inspection.Detail
	Charge   inspection.Chargeable
	Today    string
	CanSign  bool
	F        findingForm
	Error    string
	ErrField string
}

func (s *Server) renderInspectionShow(w http.ResponseWriter, r *http.Request, status int, d inspectionShowData) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	if d.Detail, err = inspection.Get(r.Context(), s.db, p, id); err != nil {
		return err
	}
	if d.CanAdd {
		if d.Charge, err = s.chargeable(r, d.UnitID, d.F.UnitID); err != nil {
			return err
		}
	}
	d.Tabs, d.Today = inspectionTabs(r), s.db.Now().In(timeZone).Format("2006-01-02")
	d.CanSign = inspection.MaySign(p)
	s.render(w, r, "inspection_show", status, d)
	return nil
}

func (s *Server) inspectionShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderInspectionShow(w, r, http.StatusOK, inspectionShowData{})
}

func (s *Server) inspectionAddFinding(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var d inspectionShowData
	if err = parseMultipart(w, r); err == nil {
		var fi inspection.FindingInput
		var ok bool
		fi, d.F, ok, err = findingFromForm(r)
		if r.PostFormValue("pick") != "" {
			// The charged person's unit, chosen without scripts: see inspectionCreate.
			return s.renderInspectionShow(w, r, http.StatusOK, d)
		}
		if err == nil && !ok {
			err = errs.Required("checklist_item")
		}
		if err == nil {
			if _, err = inspection.AddFinding(r.Context(), s.db, principal(r), id, fi); err == nil {
				s.redirect(w, r, "/inspections/"+itoa(id), "inspection.finding_added")
				return nil
			}
		}
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		d.Error, d.ErrField = msg, field
		return s.renderInspectionShow(w, r, status, d)
	})
}

// findingBack is where a finding's action returns to: the page it was taken on.
func findingBack(r *http.Request, inspectionID int64) string {
	if b := r.PostFormValue("back"); strings.HasPrefix(b, "/inspections") && !strings.HasPrefix(b, "//") {
		return b
	}
	return "/inspections/" + itoa(inspectionID)
}

func (s *Server) inspectionSignoff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	f, err := inspection.SignOff(r.Context(), s.db, principal(r), id, r.PostFormValue("decision") == "sign", r.PostFormValue("signoff_note"))
	if err != nil {
		return err
	}
	s.redirect(w, r, findingBack(r, f.InspectionID), "inspection.signoff_"+string(f.Signoff))
	return nil
}

func (s *Server) inspectionRectify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	f, err := inspection.Rectify(r.Context(), s.db, principal(r), id, r.PostFormValue("rectify_note"))
	if err != nil {
		return err
	}
	s.redirect(w, r, findingBack(r, f.InspectionID), "inspection.rectified")
	return nil
}

func (s *Server) inspectionPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, data, err := inspection.PhotoData(r.Context(), s.db, principal(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(p.Name))
	w.Write(data)
	return nil
}

type findingListData struct {
	Tabs    []tab
	Rows    []inspection.Finding
	Units   []org.Unit
	Kinds   []inspection.Kind
	F       inspection.Filter
	Today   string
	Back    string
	CanSign bool
	Count   inspection.FindingCount
	Pager   pager
}

func (s *Server) inspectionFindings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	month, err := periodParam(r, "month", monthPeriod)
	if err != nil {
		return err
	}
	f := inspection.Filter{Month: month, Kind: inspection.Kind(q.Get("kind")), Pending: q.Get("pending") == "1", Overdue: q.Get("overdue") == "1", Open: q.Get("open") == "1",
		Exact: q.Get("exact") == "1"}
	if f.UnitID, err = idParam(r, "unit"); err != nil {
		return err
	}
	if f.PersonID, err = idParam(r, "person"); err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	p := principal(r)
	rows, err := inspection.Findings(r.Context(), s.db, p, f)
	if err != nil {
		return err
	}
	rows, next, prev := store.Cut(rows, pg, func(x inspection.Finding) store.Key { return store.Key{At: x.InspectedAt, ID: x.ID} })
	count, err := inspection.CountFindings(r.Context(), s.db, p, f)
	if err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{})
	if err != nil {
		return err
	}
	s.render(w, r, "inspection_findings", http.StatusOK, findingListData{Tabs: inspectionTabs(r), Rows: rows, Units: units, Kinds: inspection.Kinds, F: f, Today: s.db.Now().In(timeZone).Format("2006-01-02"),
		Back: r.URL.RequestURI(), CanSign: inspection.MaySign(p), Count: count, Pager: pageLinks(r, next, prev)})
	return nil
}

func (s *Server) inspectionUnits(w http.ResponseWriter, r *http.Request) error {
	month, err := monthParam(r, s.db.Now())
	if err != nil {
		return err
	}
	rows, err := inspection.UnitMonths(r.Context(), s.db, principal(r), month)
	if err != nil {
		return err
	}
	s.render(w, r, "inspection_units", http.StatusOK, map[string]any{"Tabs": inspectionTabs(r), "Month": month, "Rows": rows})
	return nil
}

func (s *Server) inspectionPeople(w http.ResponseWriter, r *http.Request) error {
	month, err := monthParam(r, s.db.Now())
	if err != nil {
		return err
	}
	rows, err := inspection.PersonMonths(r.Context(), s.db, principal(r), month)
	if err != nil {
		return err
	}
	s.render(w, r, "inspection_people", http.StatusOK, map[string]any{"Tabs": inspectionTabs(r), "Month": month, "Rows": rows})
	return nil
}

func (s *Server) inspectionDuty(w http.ResponseWriter, r *http.Request) error {
	day, err := periodParamOr(r, "day", dayPeriod, s.db.Now().In(timeZone).Format(time.DateOnly))
	if err != nil {
		return err
	}
	rows, err := inspection.DutyQuotas(r.Context(), s.db, principal(r), day)
	if err != nil {
		return err
	}
	s.render(w, r, "inspection_duty", http.StatusOK, map[string]any{"Tabs": inspectionTabs(r), "Day": day, "Rows": rows, "Quota": inspection.DutyQuota})
	return nil
}

// inspectionChecks compares the departments' self-checks with the work group's spot checks of
// a quarter (default: the current one).
// inspectionChecks is the work group's quarter board (docs/policies.md §3): for each company in
// scope whose departments report, every department's monthly self-check report (on time,
// late, missing), the spot score and the penalty it costs, with links to file what is due.
func (s *Server) inspectionChecks(w http.ResponseWriter, r *http.Request) error {
	now := s.db.Now().In(timeZone)
	q, err := periodParamOr(r, "quarter", quarterPeriod, fmt.Sprintf("%04d-Q%d", now.Year(), (int(now.Month())+2)/3))
	if err != nil {
		return err
	}
	var year, n int
	fmt.Sscanf(q, "%d-Q%d", &year, &n) // checked by quarterPeriod
	p := principal(r)
	units, err := org.ListUnits(r.Context(), s.db, p, org.UnitFilter{})
	if err != nil {
		return err
	}
	type board struct {
		Company string
		Depts   []inspection.DeptReports
	}
	var boards []board
	for _, u := range units {
		if u.Kind != org.Company {
			continue
		}
		depts, err := inspection.QuarterReports(r.Context(), s.db, p, u.ID, q)
		if err != nil {
			return err
		}
		reported := false
		for _, d := range depts {
			for _, m := range d.Months {
				reported = reported || m.Self != nil
			}
		}
		if reported { // a company whose departments do not report is not assessed this way
			boards = append(boards, board{u.Name, depts})
		}
	}
	prev, next := fmt.Sprintf("%04d-Q%d", year, n-1), fmt.Sprintf("%04d-Q%d", year, n+1)
	if n == 1 {
		prev = fmt.Sprintf("%04d-Q4", year-1)
	}
	if n == 4 {
		next = fmt.Sprintf("%04d-Q1", year+1)
	}
	s.render(w, r, "inspection_checks", http.StatusOK, map[string]any{"Tabs": inspectionTabs(r), "Quarter": q, "Prev": prev, "Next": next, "Boards": boards, "CanFile": inspection.MayFile(principal(r))})
	return nil
}

type checklistData struct {
	Tabs       []tab
	Checklists []inspection.Checklist
	In         inspection.ChecklistInput
	CanEdit    bool
	Error      string
	ErrField   string
}

func (s *Server) renderChecklists(w http.ResponseWriter, r *http.Request, status int, d checklistData) error {
	var err error
	if d.Checklists, err = inspection.ListChecklists(r.Context(), s.db, false); err != nil {
		return err
	}
	p := principal(r)
	d.Tabs, d.CanEdit = inspectionTabs(r), inspection.MayKeepChecklists(p)
	if d.In.Items == "" && d.In.Code == "" {
		if code := r.URL.Query().Get("edit"); code != "" {
			for _, c := range d.Checklists {
				if c.Code == code {
					d.In = inspection.ChecklistInput{Code: c.Code, Name: c.Name, UnitKind: c.UnitKind, Items: inspection.ItemsText(c.Items)}
				}
			}
		}
	}
	s.render(w, r, "inspection_checklists", status, d)
	return nil
}

func (s *Server) inspectionChecklists(w http.ResponseWriter, r *http.Request) error {
	return s.renderChecklists(w, r, http.StatusOK, checklistData{})
}

func (s *Server) inspectionChecklistSave(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	in := inspection.ChecklistInput{Code: r.PostFormValue("checklist_code"), Name: r.PostFormValue("checklist_name"),
		UnitKind: r.PostFormValue("unit_kind"), Items: r.PostFormValue("checklist_items")}
	c, err := inspection.SaveChecklist(r.Context(), s.db, principal(r), in)
	if err == nil {
		s.redirect(w, r, "/inspections/checklists", "inspection.checklist_saved", c.Name, c.Version)
		return nil
	}
	return s.formError(w, r, err, func(status int, msg, field string) error {
		return s.renderChecklists(w, r, status, checklistData{In: in, Error: msg, ErrField: field})
	})
}

func (s *Server) inspectionNotifications(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	ns, err := inspection.MyNotifications(r.Context(), s.db, principal(r), pg)
	if err != nil {
		return err
	}
	ns, next, prev := store.Cut(ns, pg, inspectionNoticeKey)
	s.render(w, r, "inspection_notifications", http.StatusOK, map[string]any{"Tabs": inspectionTabs(r), "Notifications": ns, "Pager": pageLinks(r, next, prev)})
	return nil
}

func inspectionNoticeKey(n inspection.Notification) store.Key { return store.Key{ID: n.ID} }
