package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Person is a member of staff as the API shows them. Phone is masked (138****1234) unless
// the caller may manage the person's unit: personal data is shown only where it is needed.
type Person struct {
	ID        int64          `json:"id"`
	UnitID    *int64         `json:"unit_id"`
	Name      string         `json:"name"`
	Phone     string         `json:"phone"`
	Title     string         `json:"title"`
	Active    bool           `json:"active"`
	Roles     []access.Grant `json:"roles"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// RolesInput is the body that replaces a person's roles. Roles is required, so that a body
// without it cannot silently revoke everything.
type RolesInput struct {
	Roles *[]access.Grant `json:"roles"`
}

// phoneShown returns whether the caller sees the full phone of a person in a unit: only
// with the right to manage that unit (organisation-wide for people outside any unit).
func (a *API) phoneShown(ctx context.Context, p access.Principal) (func(unitID int64) bool, error) {
	units, err := org.ListUnits(ctx, a.db, p, org.UnitFilter{IncludeInactive: true, Action: access.ManageOrg})
	if err != nil {
		return nil, err
	}
	managed := make(map[int64]bool, len(units))
	for _, u := range units {
		managed[u.ID] = true
	}
	_, everything := p.ScopeRoots(access.ManageOrg)
	return func(unitID int64) bool {
		if unitID == 0 {
			return everything
		}
		return managed[unitID]
	}, nil
}

func (a *API) peopleOut(ctx context.Context, p access.Principal, people []org.Person) ([]Person, error) {
	shown, err := a.phoneShown(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]Person, len(people))
	for i, x := range people {
		phone := x.Phone
		if phone != "" && !shown(x.UnitID) {
			phone = org.MaskPhone(phone)
		}
		roles := x.Grants
		if roles == nil {
			roles = []access.Grant{}
		}
		out[i] = Person{
			ID: x.ID, UnitID: optID(x.UnitID), Name: x.Name, Phone: phone, Title: x.Title, Active: x.Active,
			Roles: roles, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt,
		}
	}
	return out, nil
}

func (a *API) writePerson(w http.ResponseWriter, r *http.Request, p access.Principal, status int, x org.Person) error {
	out, err := a.peopleOut(r.Context(), p, []org.Person{x})
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/people/"+strconv.FormatInt(x.ID, 10))
	}
	writeJSON(w, status, out[0])
	return nil
}

func (a *API) listPeople(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	f := org.PersonFilter{Query: r.URL.Query().Get("q"), Role: access.Role(r.URL.Query().Get("role"))}
	if f.Role != "" && !f.Role.Valid() {
		return &errs.Error{Code: errs.Malformed, Field: "role", Key: "err.invalid_choice", Args: []any{string(f.Role)}}
	}
	var err error
	if f.UnitID, err = queryInt(r, "unit_id", 0); err != nil {
		return err
	}
	if f.IncludeInactive, err = queryBool(r, "include_inactive"); err != nil {
		return err
	}
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	f.Page = &pg
	people, err := org.ListPeople(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	out, err := a.peopleOut(r.Context(), p, people)
	if err != nil {
		return err
	}
	// A list is not where a number is needed: masked for everyone (issue 13, personal data).
	// One person's record shows it to whoever manages the unit, and that view is logged.
	for i := range out {
		out[i].Phone = org.MaskPhone(out[i].Phone)
	}
	writeJSON(w, http.StatusOK, keyPage(out, pg, func(x Person) store.Key { return org.PersonKey(org.Person{ID: x.ID, Name: x.Name}) }))
	return nil
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := org.GetPerson(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	if shown, err := a.phoneShown(r.Context(), p); err != nil {
		return err
	} else if x.Phone != "" && shown(x.UnitID) {
		if err := audit.RecordView(r.Context(), a.db, p, "person", x.ID, x.UnitID, "phone"); err != nil {
			return err
		}
	}
	return a.writePerson(w, r, p, http.StatusOK, x)
}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in org.PersonInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	x, err := org.CreatePerson(r.Context(), a.db, p, in)
	if err != nil {
		return err
	}
	return a.writePerson(w, r, p, http.StatusCreated, x)
}

func (a *API) updatePerson(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in org.PersonPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	x, err := org.UpdatePerson(r.Context(), a.db, p, id, in)
	if err != nil {
		return err
	}
	return a.writePerson(w, r, p, http.StatusOK, x)
}

func (a *API) setRoles(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in RolesInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Roles == nil {
		// "roles": [] revokes every role; leaving it out is a mistake, not a revocation.
		return &fieldError{err: errs.Required("role"), field: "roles"}
	}
	x, err := org.SetGrants(r.Context(), a.db, p, id, *in.Roles)
	if err != nil {
		return err
	}
	return a.writePerson(w, r, p, http.StatusOK, x)
}
