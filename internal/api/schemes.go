package api

import (
	"net/http"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/assessment"
)

// Assessment schemes through the API, as on the schemes pages: list the versions, export one
// as its YAML, import YAML as a new version, activate a version. The assessment area holds
// every rule (administrators only for import and activation; a scheme that does not parse or
// check is refused naming the field).

func schemeRoutes(a *API) []route {
	return []route{
		{method: "GET", path: "/api/v1/assessment/schemes", handler: a.listSchemes, id: "listSchemes", tag: "assessment",
			summary: "Every version of every assessment scheme, by code, newest version first", query: pageParams, status: 200, result: "SchemeVersionPage"},
		{method: "POST", path: "/api/v1/assessment/schemes", handler: a.importScheme, id: "importScheme", tag: "assessment",
			summary: "Import a scheme's YAML as its next version (inactive until activated; administrators)", body: "SchemeImport", status: 201, result: "SchemeDocument"},
		{method: "GET", path: "/api/v1/assessment/schemes/{id}", handler: a.getScheme, id: "getScheme", tag: "assessment",
			summary: "One scheme version with its YAML (the export)", status: 200, result: "SchemeDocument"},
		{method: "POST", path: "/api/v1/assessment/schemes/{id}/activate", handler: a.activateScheme, id: "activateScheme", tag: "assessment",
			summary: "Make a version the active one of its code; new closes use it (administrators)", status: 200, result: "SchemeVersion"},
	}
}

// SchemeImport is a scheme's YAML, as exported.
type SchemeImport struct {
	YAML string `json:"yaml"`
}

// SchemeDocument is a scheme version with its YAML.
type SchemeDocument struct {
	assessment.SchemeVersion
	YAML string `json:"yaml"`
}

func init() {
	doc("SchemeVersion", assessment.SchemeVersion{})
	doc("SchemeDocument", SchemeDocument{})
	docInput("SchemeImport", SchemeImport{}, "yaml")
}

func (a *API) listSchemes(w http.ResponseWriter, r *http.Request, _ access.Principal) error {
	pg, err := keyPageQuery(r)
	if err != nil {
		return err
	}
	vs, err := assessment.SchemePage(r.Context(), a.db, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyPage(vs, pg, assessment.SchemeKey))
	return nil
}

func (a *API) getScheme(w http.ResponseWriter, r *http.Request, _ access.Principal) error {
	return show(w, r, func(id int64) (SchemeDocument, error) {
		v, err := assessment.GetScheme(r.Context(), a.db, id)
		return SchemeDocument{v, v.YAML}, err
	})
}

func (a *API) importScheme(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	var in SchemeImport
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := assessment.ImportScheme(r.Context(), a.db, p, []byte(in.YAML))
	if err != nil {
		return asField(err, "scheme_yaml", "yaml")
	}
	w.Header().Set("Location", "/api/v1/assessment/schemes/"+strconv.FormatInt(v.ID, 10))
	writeJSON(w, http.StatusCreated, SchemeDocument{v, v.YAML})
	return nil
}

func (a *API) activateScheme(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := assessment.ActivateScheme(r.Context(), a.db, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
