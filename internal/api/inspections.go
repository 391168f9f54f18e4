package api

import (
	"net/http"
	"strconv"
	"strings"

	"manyi/internal/access"
	"manyi/internal/inspection"
)

// Inspections and their findings (docs/inspections.md): the list, a finding added to a filed
// inspection, and the department head's sign-off of a finding charged to a person.

func inspectionRoutes(a *API) []route {
	kind := param{"kind", "string", "", "Only this kind of inspection: director_round, duty_round, ward_round, self_check, spot_check, callback_audit, …"}
	return []route{
		{method: "GET", path: "/api/v1/inspections", handler: a.listInspections, id: "listInspections", tag: "inspections",
			summary: "Inspections of units the caller may read, newest first", query: append([]param{kind}, append(unitPeriodParams, pageParams...)...), status: 200, result: "InspectionRowPage"},
		{method: "GET", path: "/api/v1/inspections/findings", handler: a.listFindings, id: "listFindings", tag: "inspections",
			summary: "Findings of units the caller may read, newest first",
			query: append([]param{kind,
				{"person_id", "integer", "int64", "Only findings charged to this person."},
				{"pending", "boolean", "", "Only findings awaiting sign-off."},
				{"overdue", "boolean", "", "Only findings whose rectification is late."},
			}, append(unitPeriodParams, pageParams...)...), status: 200, result: "FindingPage"},
		{method: "GET", path: "/api/v1/inspections/findings/{id}", handler: a.getFinding, id: "getFinding", tag: "inspections",
			summary: "One finding", status: 200, result: "Finding"},
		{method: "POST", path: "/api/v1/inspections/{id}/findings", handler: a.addFinding, id: "addFinding", tag: "inspections",
			summary: "Add a finding to an inspection: a checklist item, what was found, the deduction (default the item's), the person charged", body: "FindingInput", status: 201, result: "Finding"},
		{method: "POST", path: "/api/v1/inspections/findings/{id}/signoff", handler: a.signOff, id: "signOffFinding", tag: "inspections",
			summary: "Sign off (accept) or reject a finding charged to a person (the department head over the unit)", body: "SignoffInput", status: 200, result: "Finding"},
	}
}

// FindingInput is a finding added through the API (photos are added on the page).
type FindingInput struct {
	ItemID       int64  `json:"item_id"`
	Description  string `json:"description"`
	Deduction    string `json:"deduction"`
	PersonID     int64  `json:"person_id"`
	Double       bool   `json:"double"`
	DoubleReason string `json:"double_reason"`
	RectifyDue   string `json:"rectify_due"`
}

// SignoffInput accepts or rejects a finding.
type SignoffInput struct {
	Accept bool   `json:"accept"`
	Note   string `json:"note"`
}

func init() {
	doc("InspectionRow", inspection.Inspection{})
	doc("Finding", inspection.Finding{})
	docInput("FindingInput", FindingInput{}, "item_id")
	docInput("SignoffInput", SignoffInput{}, "accept")
}

// inspectionFilter reads the filters shared by both lists, and the page.
func inspectionFilter(r *http.Request) (inspection.Filter, pageReq, error) {
	pg, err := pageQuery(r)
	if err != nil {
		return inspection.Filter{}, pg, err
	}
	unit, per, err := unitPeriod(r)
	if err != nil {
		return inspection.Filter{}, pg, err
	}
	f := inspection.Filter{UnitID: unit, Kind: inspection.Kind(r.URL.Query().Get("kind")), FromMonth: per.FromMonth, ToMonth: per.ToMonth,
		Keyset: true, BeforeID: pg.Before, Limit: pg.fetch()}
	return f, pg, nil
}

func (a *API) listInspections(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	f, pg, err := inspectionFilter(r)
	if err != nil {
		return err
	}
	rows, err := inspection.List(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(rows, pg, func(i inspection.Inspection) int64 { return i.ID }))
	return nil
}

func (a *API) listFindings(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	f, pg, err := inspectionFilter(r)
	if err != nil {
		return err
	}
	if f.PersonID, err = queryInt(r, "person_id", 0); err != nil {
		return err
	}
	if f.Pending, err = queryBool(r, "pending"); err != nil {
		return err
	}
	if f.Overdue, err = queryBool(r, "overdue"); err != nil {
		return err
	}
	rows, err := inspection.Findings(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPage(rows, pg, func(f inspection.Finding) int64 { return f.ID }))
	return nil
}

func (a *API) addFinding(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in FindingInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	fi := inspection.FindingInput{ItemID: in.ItemID, Description: in.Description, PersonID: in.PersonID, Double: in.Double, DoubleReason: in.DoubleReason, RectifyDue: in.RectifyDue}
	if strings.TrimSpace(in.Deduction) != "" {
		d, err := inspection.ParsePoints("deduction", in.Deduction)
		if err != nil {
			return err
		}
		fi.Deduction = &d
	}
	f, err := inspection.AddFinding(r.Context(), a.db, p, id, fi)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/inspections/findings/"+strconv.FormatInt(f.ID, 10))
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (a *API) signOff(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in SignoffInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f, err := inspection.SignOff(r.Context(), a.db, p, id, in.Accept, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (a *API) getFinding(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return show(w, r, func(id int64) (inspection.Finding, error) { return inspection.GetFinding(r.Context(), a.db, p, id) })
}
