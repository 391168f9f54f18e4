package api

import (
	"net/http"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/workorder"
)

// The people a form offers once its unit is chosen: a work order's team, then its maintainer;
// the unit of the person a finding charges, then that person; a unit, then the person an
// account is for. The pages' script reloads a select from these when the unit changes, and an
// import's author reads the names a workbook may give. The rules are the areas'
// (workorder.Maintainers, inspection.ChargeablePeople, auth.AccountCandidates), the same the
// pages and the actions' checks use.

func pickerRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/workorders/teams/{id}/maintainers", handler: a.teamMaintainers, id: "listTeamMaintainers", tag: "workorders",
			summary: "Whom a work order of this team may name as its maintainer: the team's active people, by name (a team the caller registers orders for)",
			status:  200, result: "PickPersonList"},
		{method: "GET", path: "/api/v1/inspections/units/{id}/chargeable", handler: a.chargeablePeople, id: "listChargeablePeople", tag: "inspections",
			summary: "Whom a finding on this unit may charge: the active people working in it, or in one of its sub-units, by name (a unit the caller inspects)",
			query:   []param{{"charged_unit", "integer", "int64", "The unit the people work in: this unit (the default) or one under it."}},
			status:  200, result: "PickPersonList"},
		{method: "GET", path: "/api/v1/units/{id}/account-candidates", handler: a.accountCandidates, id: "listAccountCandidates", tag: "users",
			summary: "Whom an account may be given in this unit: its active people without an account whose unit and roles the caller manages, by name (administrators)",
			status:  200, result: "PickPersonList"},
	}
}

// PickPerson is someone a form may choose: the name and title a select shows, no phone and
// no roles.
type PickPerson struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Title  string `json:"title"`
	UnitID int64  `json:"unit_id"`
}

func init() {
	doc("PickPerson", PickPerson{})
	areaSchemas["PickPersonList"] = listOf("PickPerson")
}

func writePicks(w http.ResponseWriter, people []org.Person) {
	out := make([]PickPerson, len(people))
	for i, p := range people {
		out[i] = PickPerson{ID: p.ID, Name: p.Name, Title: p.Title, UnitID: p.UnitID}
	}
	writeJSON(w, http.StatusOK, newList(out))
}

// picks answers the people list reads for the unit of the path's id.
func picks(w http.ResponseWriter, r *http.Request, list func(id int64) ([]org.Person, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	people, err := list(id)
	if err != nil {
		return err
	}
	writePicks(w, people)
	return nil
}

func (a *API) teamMaintainers(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return picks(w, r, func(team int64) ([]org.Person, error) { return workorder.Maintainers(r.Context(), a.db, p, team) })
}

func (a *API) chargeablePeople(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	unit, err := queryInt(r, "charged_unit", 0)
	if err != nil {
		return err
	}
	c, err := inspection.ChargeablePeople(r.Context(), a.db, p, id, unit)
	if err != nil {
		return err
	}
	writePicks(w, c.People)
	return nil
}

func (a *API) accountCandidates(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	return picks(w, r, func(unit int64) ([]org.Person, error) { return auth.AccountCandidates(r.Context(), a.db, p, unit) })
}
