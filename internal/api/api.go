// Package api is manyi's JSON API under /api/v1/ and its OpenAPI document at
// /api/openapi.json.
//
// One route table (routes) drives both the ServeMux registration and the document's paths,
// so the document cannot name a route the server does not answer, nor miss one it does.
// Handlers return errors; writeError renders every one of them as the same JSON body with
// the status errs.HTTPStatus gives its code. Authentication, CSRF and the request language
// are the web middleware's work: handlers read the principal and the language from the
// context.
package api

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// API serves the JSON API over a database.
type API struct {
	db     *store.DB
	assess *assessment.Engine // period close over the areas' fact sources, as the pages use it
	logger *slog.Logger
	table  []route
	doc    []byte // the OpenAPI document, built once from table
}

// New returns the API; sources are the areas' fact sources for period close (the web passes
// the same as the pages use). It panics if the embedded OpenAPI components do not parse, which
// every test run would show.
func New(db *store.DB, logger *slog.Logger, sources ...assessment.Source) *API {
	if logger == nil {
		logger = slog.Default()
	}
	a := &API{db: db, logger: logger, assess: assessment.NewEngine(db, sources...)}
	a.table = a.routes()
	doc, err := buildDocument(a.table)
	if err != nil {
		panic("api: " + err.Error())
	}
	a.doc = doc
	return a
}

// handlerFunc is an API handler: it writes a success response or returns the error to show.
// p is the zero Principal on public routes without a login.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p access.Principal) error

// route is one operation: the method and path pattern it is registered under, and what the
// OpenAPI document says about it.
type route struct {
	method, path string
	handler      handlerFunc
	id, tag      string // operationId and tag
	summary      string
	public       bool    // answers without a login
	query        []param // documented query parameters
	body         string  // component schema of the request body, "" for none
	upload       bool    // the request body is a spreadsheet file (XLSX or CSV), not JSON
	status       int     // success status
	result       string  // component schema of the success body, "" for none
	// once names fields of the success body shown only in the first answer (secrets stored
	// only hashed): a replay under an Idempotency-Key answers without them.
	once []string
}

// param is a documented query parameter.
type param struct {
	name, typ, format, desc string
}

func (rt route) pattern() string { return rt.method + " " + rt.path }

var (
	pInclInactive = param{"include_inactive", "boolean", "", "Include deactivated records (true/false)."}
	auditQuery    = []param{
		{"entity", "string", "", "Entity type: unit, person, roles, user, token, …"},
		{"entity_id", "string", "", "Id of the entity."},
		{"actor_id", "integer", "int64", "User id of the actor."},
		{"action", "string", "", "Action: create, update, move, deactivate, delete, revoke, …"},
		{"from", "string", "", "Entries at or after this instant (RFC 3339) or day (YYYY-MM-DD, China time)."},
		{"to", "string", "", "Entries before this instant (RFC 3339), or up to and including this day (YYYY-MM-DD, China time)."},
		{"limit", "integer", "int32", "Page size, 1–500 (default 100)."},
		{"offset", "integer", "int32", "Entries to skip (default 0); prefer cursor, which neither skips nor repeats entries logged meanwhile."},
		{"cursor", "string", "", "The next_cursor of the previous page; absent for the first page."},
		{"unit_id", "integer", "int64", "Only entries of this unit and its sub-units."},
		{"period", "string", "", "Only entries of this period: a year (2026), a month (2026-03) or a quarter (2026-Q1), China time."},
	}
)

// routes is the route table.
func (a *API) routes() []route {
	table := []route{
		{method: "GET", path: "/api/openapi.json", handler: a.openAPI, id: "getOpenAPI", tag: "meta", summary: "This OpenAPI document", public: true, status: 200},
		{method: "GET", path: "/api/v1/me", handler: a.me, id: "getMe", tag: "meta", summary: "The caller: account, person and roles", status: 200, result: "Me"},

		{method: "GET", path: "/api/v1/units", handler: a.listUnits, id: "listUnits", tag: "units", summary: "Units the caller may see, in tree order",
			query: []param{{"kind", "string", "", "Only units of this kind: company, department, area, section, team."}, pInclInactive}, status: 200, result: "UnitList"},
		{method: "POST", path: "/api/v1/units", handler: a.createUnit, id: "createUnit", tag: "units", summary: "Create a unit", body: "UnitInput", status: 201, result: "Unit"},
		{method: "GET", path: "/api/v1/units/{id}", handler: a.getUnit, id: "getUnit", tag: "units", summary: "One unit", status: 200, result: "Unit"},
		{method: "PATCH", path: "/api/v1/units/{id}", handler: a.updateUnit, id: "updateUnit", tag: "units", summary: "Change, move or deactivate a unit", body: "UnitPatch", status: 200, result: "Unit"},
		{method: "DELETE", path: "/api/v1/units/{id}", handler: a.deleteUnit, id: "deleteUnit", tag: "units", summary: "Delete a unit nothing refers to", status: 204},

		{method: "GET", path: "/api/v1/areas", handler: a.listAreas, id: "listAreas", tag: "units", summary: "Areas (units of kind area) with households and response-rate threshold",
			query: []param{pInclInactive}, status: 200, result: "AreaList"},
		{method: "GET", path: "/api/v1/areas/{id}", handler: a.getArea, id: "getArea", tag: "units", summary: "One area", status: 200, result: "Area"},

		{method: "GET", path: "/api/v1/people", handler: a.listPeople, id: "listPeople", tag: "people", summary: "People the caller may see, by name, phones masked",
			query: []param{
				{"unit_id", "integer", "int64", "Only people of this unit and its sub-units."},
				{"q", "string", "", "Search in name and title."},
				{"role", "string", "", "Only people holding this role."},
				pInclInactive, pageParams[0], pageParams[1],
			}, status: 200, result: "PersonPage"},
		{method: "POST", path: "/api/v1/people", handler: a.createPerson, id: "createPerson", tag: "people", summary: "Add a person to a unit", body: "PersonInput", status: 201, result: "Person"},
		{method: "GET", path: "/api/v1/people/{id}", handler: a.getPerson, id: "getPerson", tag: "people", summary: "One person", status: 200, result: "Person"},
		{method: "PATCH", path: "/api/v1/people/{id}", handler: a.updatePerson, id: "updatePerson", tag: "people", summary: "Change, move or deactivate a person", body: "PersonPatch", status: 200, result: "Person"},
		{method: "PUT", path: "/api/v1/people/{id}/roles", handler: a.setRoles, id: "setRoles", tag: "people", summary: "Replace a person's roles", body: "RolesInput", status: 200, result: "Person"},

		{method: "GET", path: "/api/v1/users", handler: a.listUsers, id: "listUsers", tag: "users", summary: "Accounts of the people in units the caller manages, by username",
			query: pageParams, status: 200, result: "UserPage"},
		{method: "POST", path: "/api/v1/users", handler: a.createUser, id: "createUser", tag: "users", summary: "Give a person an account", body: "UserInput", status: 201, result: "User"},
		{method: "GET", path: "/api/v1/users/{id}", handler: a.getUser, id: "getUser", tag: "users", summary: "One account", status: 200, result: "User"},
		{method: "PATCH", path: "/api/v1/users/{id}", handler: a.updateUser, id: "updateUser", tag: "users", summary: "Change, deactivate or reset the password of an account", body: "UserPatch", status: 200, result: "User"},

		{method: "GET", path: "/api/v1/tokens", handler: a.listTokens, id: "listTokens", tag: "tokens", summary: "The caller's own API tokens", status: 200, result: "TokenList"},
		{method: "POST", path: "/api/v1/tokens", handler: a.createToken, id: "createToken", tag: "tokens", summary: "Create an API token; the secret is returned only here", body: "TokenInput", status: 201, result: "NewToken"},
		{method: "GET", path: "/api/v1/tokens/{id}", handler: a.getToken, id: "getToken", tag: "tokens", summary: "One of the caller's tokens", status: 200, result: "Token"},
		{method: "DELETE", path: "/api/v1/tokens/{id}", handler: a.revokeToken, id: "revokeToken", tag: "tokens", summary: "Revoke one of the caller's tokens", status: 204},

		{method: "POST", path: "/api/v1/workorders/import", handler: a.importOrders, id: "importWorkOrders", tag: "workorders",
			summary: "Import work orders from a fault workbook (XLSX or CSV body); bad rows are listed with their row numbers", query: importQuery, upload: true, status: 200, result: "ImportResult"},

		{method: "GET", path: "/api/v1/audit", handler: a.listAudit, id: "listAudit", tag: "audit", summary: "Audit log entries, newest first (administrators)", query: auditQuery, status: 200, result: "AuditList"},
	}
	table = append(table, qualityRoutes(a)...)
	table = append(table, assessmentRoutes(a)...)
	return append(table, areaRoutes(a)...)
}

// Register adds the API's routes to mux, and a fallback that answers unknown /api/ paths
// and wrong methods in JSON rather than with the site's HTML pages.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.table {
		mux.Handle(rt.pattern(), a.serve(rt))
	}
	mux.HandleFunc("/api/", a.fallback)
}

// serve wraps a route: it refuses requests without a principal on non-public routes and
// renders the handler's error.
func (a *API) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok && !rt.public {
			w.Header().Set("WWW-Authenticate", `Bearer realm="manyi"`)
			a.writeError(w, r, errs.New(errs.Unauthorized, "err.login_required"))
			return
		}
		if key := r.Header.Get(idemHeader); key != "" && ok && rt.method != http.MethodGet {
			a.idempotent(w, r, rt, p, key)
			return
		}
		if err := rt.handler(w, r, p); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// fallback answers what no route matched: 405 with Allow when the path exists under other
// methods (the catch-all pattern hides ServeMux's own 405), 404 otherwise.
func (a *API) fallback(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, rt := range a.table {
		if matchPath(rt.path, r.URL.Path) {
			allow = append(allow, rt.method)
			if rt.method == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) == 0 {
		a.writeError(w, r, errs.New(errs.NotFound, "api.no_such_path"))
		return
	}
	sort.Strings(allow)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	// 405 is the protocol's answer to a wrong method, not a domain outcome, so it is the
	// one status here that does not come from errs.HTTPStatus.
	a.writeErrorStatus(w, r, http.StatusMethodNotAllowed, errs.New(errs.Malformed, "err.method"))
}

// matchPath reports whether path fits pattern, whose {name} segments match any one segment.
func matchPath(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if p != xs[i] {
			return false
		}
	}
	return true
}
