package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
)

// clock is the fixed time of every test database, so responses can be pinned verbatim.
var clock = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// fixture is the property company of docs/policies.md §2 with its four areas, a few people and the
// principals the scenarios act as.
type fixture struct {
	t    *testing.T
	db   *store.DB
	api  *API
	mux  *http.ServeMux
	doc  map[string]any
	who  map[string]*access.Principal // by scenario name; "" is anonymous
	vars map[string]string            // placeholders such as {yx} → ids
	logs *bytes.Buffer
}

func intp(n int) *int { return &n }

// passwordCost is what the accounts the scenarios create cost to hash: these tests are about
// the API, and argon2id at the production cost takes seconds under the race detector on a busy
// machine (internal/auth proves what production stores).
var passwordCost = auth.Cost{Memory: 64, Time: 1, Threads: 1}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := auth.WithCost(context.Background(), passwordCost)
	db.Now = func() time.Time { return clock }
	logs := &bytes.Buffer{}
	f := &fixture{t: t, db: db, mux: http.NewServeMux(), vars: map[string]string{}, logs: logs}
	f.api = New(db, slog.New(slog.NewTextHandler(logs, nil)))
	f.api.Register(f.mux)

	if _, _, _, err := auth.EnsureAdmin(ctx, db, "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	users, err := auth.ListUsers(ctx, db, access.System)
	if err != nil || len(users) != 1 {
		t.Fatalf("admin user: %v %v", users, err)
	}
	admin := &access.Principal{UserID: users[0].ID, PersonID: users[0].PersonID, Username: "admin", Name: users[0].PersonName, Grants: []access.Grant{{Role: access.Admin}}}
	f.vars["{admin_user}"] = fmt.Sprint(users[0].ID)

	unit := func(key string, parent int64, code, name string, kind org.Kind, households, bp int) int64 {
		in := org.UnitInput{ParentID: parent, Code: code, Name: name, Kind: kind}
		if kind == org.Area {
			in.Households, in.ThresholdBP = intp(households), intp(bp)
		}
		u, err := org.CreateUnit(ctx, db, access.System, in)
		if err != nil {
			t.Fatalf("unit %s: %v", code, err)
		}
		f.vars["{"+key+"}"] = fmt.Sprint(u.ID)
		return u.ID
	}
	co := unit("co", 0, "HY", "华苑物业公司", org.Company, 0, 0)
	prop := unit("prop", co, "WG", "物业管理处", org.Department, 0, 0)
	unit("md", prop, "MD", "牡丹处", org.Area, 1260, 1000)
	unit("yj", prop, "YJ", "月季处", org.Area, 980, 1000)
	yx := unit("yx", prop, "YXY", "永馨园", org.Area, 640, 3000)
	mg := unit("mg", prop, "MGQ", "玫瑰区", org.Area, 520, 3000)

	person := func(key string, unitID int64, name, phone string, grants ...access.Grant) int64 {
		p, err := org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: unitID, Name: name, Phone: phone, Title: "管家"})
		if err != nil {
			t.Fatalf("person %s: %v", name, err)
		}
		if len(grants) > 0 {
			if _, err := org.SetGrants(ctx, db, access.System, p.ID, grants); err != nil {
				t.Fatalf("grants of %s: %v", name, err)
			}
		}
		f.vars["{"+key+"}"] = fmt.Sprint(p.ID)
		return p.ID
	}
	person("zhang", yx, "张三", "13812341234")
	headID := person("wang", yx, "王五", "13600001111", access.Grant{Role: access.UnitHead, UnitID: yx})
	person("li", mg, "李四", "13987654321")

	f.who = map[string]*access.Principal{
		"":          nil,
		"admin":     admin,
		"head":      {PersonID: headID, Username: "wangwu", Name: "王五", Grants: []access.Grant{{Role: access.UnitHead, UnitID: yx}}},
		"yxadmin":   {Username: "yxadmin", Name: "永馨园管理员", Grants: []access.Grant{{Role: access.Admin, UnitID: yx}}},
		"committee": {Username: "committee", Name: "委员", Grants: []access.Grant{{Role: access.Committee}}},
	}
	f.doc = f.document()
	return f
}

// caller is the test's stand-in for the web middleware: it puts the principal (if any) and
// the language into the request context, and the tests' password cost.
func caller(h http.Handler, p *access.Principal, lang locale.Lang) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := locale.WithLang(auth.WithCost(r.Context(), passwordCost), lang)
		if p != nil {
			ctx = access.WithPrincipal(ctx, *p)
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (f *fixture) expand(s string) string {
	for k, v := range f.vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// do sends one request as who and checks the response against the OpenAPI document: a
// success body against the route's result schema, an error body against Error.
func (f *fixture) do(who string, lang locale.Lang, method, url, ctype, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	p, ok := f.who[who]
	if !ok {
		f.t.Fatalf("unknown principal %q", who)
	}
	if lang == "" {
		lang = locale.ZH
	}
	req := httptest.NewRequest(method, f.expand(url), strings.NewReader(f.expand(body)))
	if body != "" && ctype == "" {
		ctype = "application/json"
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	caller(f.mux, p, lang).ServeHTTP(rec, req)
	f.checkDocumented(req, rec)
	return rec
}

func (f *fixture) checkDocumented(req *http.Request, rec *httptest.ResponseRecorder) {
	f.t.Helper()
	where := req.Method + " " + req.URL.String()
	if rec.Code == http.StatusNoContent {
		if rec.Body.Len() != 0 {
			f.t.Errorf("%s: 204 with a body %q", where, rec.Body)
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.t.Errorf("%s: Content-Type %q", where, ct)
		return
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		f.t.Errorf("%s: body is not JSON: %v\n%s", where, err, rec.Body)
		return
	}
	schema := "Error"
	if rec.Code < 400 {
		_, pattern := f.mux.Handler(req)
		rt, ok := f.route(pattern)
		if !ok {
			f.t.Errorf("%s answered %d through %q, which is not in the route table", where, rec.Code, pattern)
			return
		}
		if rec.Code != rt.status {
			f.t.Errorf("%s: status %d, the document says %d", where, rec.Code, rt.status)
		}
		if rt.result == "" {
			return
		}
		schema = rt.result
	}
	for _, p := range conform(f.doc, ref(schema), v, "$") {
		f.t.Errorf("%s: response does not match schema %s: %s", where, schema, p)
	}
}

func (f *fixture) route(pattern string) (route, bool) {
	for _, rt := range f.api.table {
		if rt.pattern() == pattern {
			return rt, true
		}
	}
	return route{}, false
}

// document fetches the served OpenAPI document.
func (f *fixture) document() map[string]any {
	f.t.Helper()
	rec := httptest.NewRecorder()
	caller(f.mux, nil, locale.ZH).ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
	if rec.Code != http.StatusOK {
		f.t.Fatalf("GET /api/openapi.json: %d %s", rec.Code, rec.Body)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		f.t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	return doc
}

// count returns the number of rows of each table a refused request must leave alone.
func (f *fixture) count() map[string]int {
	f.t.Helper()
	out := map[string]int{}
	err := f.db.Read(context.Background(), func(tx *store.Tx) error {
		for _, table := range []string{"units", "people", "role_assignments", "users", "api_tokens", "audit_log"} {
			var n int
			if err := tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
			out[table] = n
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// conform checks v against an OpenAPI schema with the parts of JSON Schema the document
// uses: $ref, oneOf, type (with null), enum, required, properties, items. It also refuses
// object keys the schema does not document, so an undocumented response field fails.
func conform(doc map[string]any, schema map[string]any, v any, at string) []string {
	if r, ok := schema["$ref"].(string); ok {
		target, err := resolve(doc, r)
		if err != nil {
			return []string{at + ": " + err.Error()}
		}
		return conform(doc, target, v, at)
	}
	if alts, ok := schema["oneOf"].([]any); ok {
		for _, alt := range alts {
			if len(conform(doc, alt.(map[string]any), v, at)) == 0 {
				return nil
			}
		}
		return []string{at + ": matches no alternative of oneOf"}
	}
	var problems []string
	if types := schemaTypes(schema); len(types) > 0 && !types[jsonTypeOf(v)] && !(types["number"] && jsonTypeOf(v) == "integer") {
		return []string{fmt.Sprintf("%s: %s, want %v", at, jsonTypeOf(v), schema["type"])}
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if e == v {
				found = true
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		if props == nil {
			return problems
		}
		for _, r := range asStrings(schema["required"]) {
			if _, ok := x[r]; !ok {
				problems = append(problems, at+": missing required "+r)
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := props[k].(map[string]any)
			if !ok {
				problems = append(problems, at+": undocumented field "+k)
				continue
			}
			problems = append(problems, conform(doc, sub, x[k], at+"."+k)...)
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range x {
				problems = append(problems, conform(doc, items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return problems
}

func resolve(doc map[string]any, r string) (map[string]any, error) {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(r, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("unresolved $ref %s", r)
		}
		cur = m[part]
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unresolved $ref %s", r)
	}
	return m, nil
}

func schemaTypes(schema map[string]any) map[string]bool {
	out := map[string]bool{}
	switch t := schema["type"].(type) {
	case string:
		out[t] = true
	case []any:
		for _, x := range t {
			out[x.(string)] = true
		}
	}
	return out
}

func jsonTypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func asStrings(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, x.(string))
	}
	return out
}
