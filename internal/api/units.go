package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
)

// Unit is a unit as the API shows it. The response-rate threshold is a percentage (30 for
// 30 %, at most two decimals), as the policies state it; the database keeps basis points.
type Unit struct {
	ID         int64    `json:"id"`
	ParentID   *int64   `json:"parent_id"`
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Kind       org.Kind `json:"kind"`
	Households *int     `json:"households"`
	Threshold  *float64 `json:"threshold"`
	Active     bool     `json:"active"`
	// ServesPublic: the unit is offered on the public complaint form.
	ServesPublic bool      `json:"serves_public"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Area is a unit of kind area: a residential area with its households and the survey
// response-rate threshold (percent) it must reach.
type Area struct {
	ID         int64    `json:"id"`
	ParentID   *int64   `json:"parent_id"`
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Households *int     `json:"households"`
	Threshold  *float64 `json:"threshold"`
	Active     bool     `json:"active"`
}

// UnitInput is the body that creates a unit.
type UnitInput struct {
	ParentID     int64    `json:"parent_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Kind         org.Kind `json:"kind"`
	Households   *int     `json:"households"`
	Threshold    *float64 `json:"threshold"`
	ServesPublic bool     `json:"serves_public"`
}

// UnitPatch is the body that changes a unit; absent or null fields stay as they are.
type UnitPatch struct {
	ParentID     *int64    `json:"parent_id"`
	Code         *string   `json:"code"`
	Name         *string   `json:"name"`
	Kind         *org.Kind `json:"kind"`
	Households   *int      `json:"households"`
	Threshold    *float64  `json:"threshold"`
	Active       *bool     `json:"active"`
	ServesPublic *bool     `json:"serves_public"`
}

func unitOut(u org.Unit) Unit {
	return Unit{
		ID: u.ID, ParentID: optID(u.ParentID), Code: u.Code, Name: u.Name, Kind: u.Kind,
		Households: u.Households, Threshold: percent(u.ThresholdBP), Active: u.Active,
		ServesPublic: u.ServesPublic, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func areaOut(u org.Unit) Area {
	return Area{
		ID: u.ID, ParentID: optID(u.ParentID), Code: u.Code, Name: u.Name,
		Households: u.Households, Threshold: percent(u.ThresholdBP), Active: u.Active,
	}
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func percent(bp *int) *float64 {
	if bp == nil {
		return nil
	}
	p := float64(*bp) / 100
	return &p
}

// basisPoints turns a percentage into basis points, refusing what basis points cannot hold.
func basisPoints(pct *float64) (*int, error) {
	if pct == nil {
		return nil, nil
	}
	if *pct < 0 || *pct > 100 {
		return nil, errs.Field("threshold", "err.out_of_range", "0 %", "100 %")
	}
	bp := math.Round(*pct * 100)
	if math.Abs(*pct*100-bp) > 1e-6 {
		return nil, errs.Field("threshold", "api.two_decimals")
	}
	n := int(bp)
	return &n, nil
}

func validKind(k org.Kind) bool {
	for _, x := range org.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// listUnits answers whole, in tree order, which a page by key cannot keep: the organisation
// has hundreds of units, not millions (org.LoadTree reads them all for every scope check).
func (a *API) listUnits(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	f := org.UnitFilter{Kind: org.Kind(r.URL.Query().Get("kind"))}
	if f.Kind != "" && !validKind(f.Kind) {
		return &errs.Error{Code: errs.Malformed, Field: "kind", Key: "err.invalid_choice", Args: []any{string(f.Kind)}}
	}
	var err error
	if f.IncludeInactive, err = queryBool(r, "include_inactive"); err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	out := make([]Unit, len(units))
	for i, u := range units {
		out[i] = unitOut(u)
	}
	writeJSON(w, http.StatusOK, newList(out))
	return nil
}

func (a *API) getUnit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := org.GetUnit(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, unitOut(u))
	return nil
}

func (a *API) createUnit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in UnitInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	bp, err := basisPoints(in.Threshold)
	if err != nil {
		return err
	}
	u, err := org.CreateUnit(r.Context(), a.db, p, org.UnitInput{
		ParentID: in.ParentID, Code: in.Code, Name: in.Name, Kind: in.Kind, Households: in.Households, ThresholdBP: bp,
		ServesPublic: in.ServesPublic,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/units/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, unitOut(u))
	return nil
}

func (a *API) updateUnit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in UnitPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	bp, err := basisPoints(in.Threshold)
	if err != nil {
		return err
	}
	u, err := org.UpdateUnit(r.Context(), a.db, p, id, org.UnitPatch{
		ParentID: in.ParentID, Code: in.Code, Name: in.Name, Kind: in.Kind, Households: in.Households, ThresholdBP: bp, Active: in.Active,
		ServesPublic: in.ServesPublic,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, unitOut(u))
	return nil
}

func (a *API) deleteUnit(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := org.DeleteUnit(r.Context(), a.db, p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listAreas answers whole: the units of kind area, a part of listUnits' tree.
func (a *API) listAreas(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	f := org.UnitFilter{Kind: org.Area}
	var err error
	if f.IncludeInactive, err = queryBool(r, "include_inactive"); err != nil {
		return err
	}
	units, err := org.ListUnits(r.Context(), a.db, p, f)
	if err != nil {
		return err
	}
	out := make([]Area, len(units))
	for i, u := range units {
		out[i] = areaOut(u)
	}
	writeJSON(w, http.StatusOK, newList(out))
	return nil
}

func (a *API) getArea(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := org.GetUnit(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	if u.Kind != org.Area {
		return errs.New(errs.NotFound, "api.not_an_area", id)
	}
	writeJSON(w, http.StatusOK, areaOut(u))
	return nil
}
