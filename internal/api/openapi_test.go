package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/locale"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/webhook"
)

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestDocumentMatchesServer: every operation in the served OpenAPI document is registered
// under exactly its method and path and answers an administrator with something other than
// 404/405; every route the server registers is in the document; every $ref resolves.
func TestDocumentMatchesServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if v, _ := f.doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
			t.Fatalf("openapi = %q, want 3.x", v)
		}
		// Records the probes can address: a leaf unit to delete, a token to revoke, and one
		// record of each area.
		f.seedAreas()
		f.seedCallbacks()
		f.run(t, []scenario{
			{name: "a 不满意 callback", who: "dispatcher", method: "POST", url: "/api/v1/callbacks/ratings", body: `{"order_id": {order}, "score": 6, "comment": "又坏了"}`, status: 200},
			{name: "its follow-up", who: "admin", method: "GET", url: "/api/v1/workorders/followups?month=2026-02", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					f.vars["{wofu}"] = fmt.Sprint(v["items"].([]any)[0].(map[string]any)["id"])
				}},
			{name: "a project", who: "admin", method: "POST", url: "/api/v1/projects", status: 201, save: "project",
				body: `{"code": "P-1", "name": "一号楼", "unit_id": {yx}, "planned_start": "2026-04-01"}`},
			{name: "a webhook", who: "admin", method: "POST", url: "/api/v1/webhooks", status: 201, save: "webhook",
				body: `{"url": "https://hooks.example.com/manyi", "secret": "0123456789abcdef", "events": ["*"]}`},
			{name: "an item", who: "admin", method: "POST", url: "/api/v1/improvements", status: 201, save: "improvement",
				body: `{"source_kind": "direct", "unit_id": {team}, "title": "备件库存", "problem": "常用备件缺货", "measures": "每周盘点", "owner": "工长", "due_on": "2026-03-20"}`},
			{name: "a meeting", who: "admin", method: "POST", url: "/api/v1/meetings", status: 201, save: "meeting",
				body: `{"org_id": {prop}, "quarter": "2026-Q1"}`},
		})
		f.run(t, []scenario{
			{name: "leaf", who: "admin", method: "POST", url: "/api/v1/units", body: `{"parent_id": {yx}, "code": "LEAF", "name": "叶子", "kind": "team"}`, status: 201, save: "leaf"},
			{name: "token", who: "admin", method: "POST", url: "/api/v1/tokens", body: `{"name": "probe"}`, status: 201, save: "token"},
			{name: "self-check", who: "admin", method: "POST", url: "/api/v1/quality/self-checks", body: `{"unit_id": {prop}, "month": "2026-02", "score": "95"}`, status: 201, save: "check"},
			{name: "direct", who: "admin", method: "POST", url: "/api/v1/quality/direct-deductions", body: `{"unit_id": {prop}, "day": "2026-02-10", "points": "2", "reason": "probe"}`, status: 201, save: "direct"},
		})
		// A delivery to redeliver: the changes after the webhook's registration, sealed and
		// queued as the dispatcher does.
		if _, _, err := audit.SealAll(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		if _, err := webhook.Queue(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		var delivery int64
		if err := db.SQL().QueryRow("SELECT MIN(id) FROM webhook_deliveries").Scan(&delivery); err != nil {
			t.Fatal(err)
		}
		f.vars["{delivery}"] = strconv.FormatInt(delivery, 10)
		// A close to address the period-close routes with (the fixture has no fact sources:
		// the close lists its facts as missing, which is enough to answer every route).
		if err := assessment.SeedSchemes(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		var schemeID int64
		if err := db.SQL().QueryRow("SELECT MIN(id) FROM assessment_schemes").Scan(&schemeID); err != nil {
			t.Fatal(err)
		}
		f.vars["{scheme}"] = strconv.FormatInt(schemeID, 10)
		prop, _ := strconv.ParseInt(f.expand("{prop}"), 10, 64)
		cl, err := assessment.NewEngine(db).Start(context.Background(), access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}},
			assessment.StartInput{SchemeCode: "unit-monthly", Period: "2026-02", ParentUnitID: prop})
		if err != nil {
			t.Fatal(err)
		}
		f.vars["{close}"] = strconv.FormatInt(cl.ID, 10)
		ids := map[string]string{
			"/api/v1/assessment/closes/{id}":           "{close}",
			"/api/v1/assessment/closes/{id}/recompute": "{close}",
			"/api/v1/assessment/closes/{id}/decisions": "{close}",
			"/api/v1/assessment/closes/{id}/approve":   "{close}",
			"/api/v1/assessment/closes/{id}/lock":      "{close}",
			"/api/v1/assessment/closes/{id}/reopen":    "{close}",
			"/api/v1/assessment/closes/{id}/result":    "{close}",
			"/api/v1/units/{id}":                       "{yx}",
			"/api/v1/areas/{id}":                       "{mg}",
			"/api/v1/people/{id}":                      "{zhang}",
			"/api/v1/people/{id}/roles":                "{zhang}",
			"/api/v1/users/{id}":                       "{admin_user}",
			"/api/v1/tokens/{id}":                      "{token}",
			"/api/v1/quality/checks/{id}":              "{check}",
			"/api/v1/quality/direct-deductions/{id}":   "{direct}",

			"/api/v1/complaints/{id}":                    "{complaint}",
			"/api/v1/bookings/{id}":                      "{booking}",
			"/api/v1/bookings/{id}/steps":                "{booking}",
			"/api/v1/complaints/{id}/actions":            "{complaint}",
			"/api/v1/complaints/{id}/classification":     "{complaint}",
			"/api/v1/inspections/{id}/findings":          "{inspection}",
			"/api/v1/inspections/findings/{id}":          "{finding}",
			"/api/v1/inspections/findings/{id}/signoff":  "{finding}",
			"/api/v1/sampling/draws/{id}":                "{draw}",
			"/api/v1/sampling/items/{id}/check":          "{sitem}",
			"/api/v1/surveys/campaigns/{id}":             "{campaign}",
			"/api/v1/surveys/campaigns/{id}/invitations": "{campaign}",
			"/api/v1/surveys/campaigns/{id}/rates":       "{campaign}",
			"/api/v1/surveys/followups/{id}":             "{followup}",
			"/api/v1/surveys/followups/{id}/close":       "{followup}",
			"/api/v1/webhooks/{id}":                      "{webhook}",
			"/api/v1/webhooks/{id}/deliveries":           "{webhook}",
			"/api/v1/webhooks/deliveries/{id}/redeliver": "{delivery}",
			"/api/v1/assessment/schemes/{id}":            "{scheme}",
			"/api/v1/projects/{id}":                      "{project}",
			"/api/v1/assessment/schemes/{id}/activate":   "{scheme}",
			"/api/v1/workorders/orders/{id}/tasks":       "{order}",
			"/api/v1/workorders/followups/{id}":          "{wofu}",
			"/api/v1/workorders/followups/{id}/decision": "{wofu}",
			"/api/v1/improvements/{id}":                  "{improvement}",
			"/api/v1/improvements/{id}/report":           "{improvement}",
			"/api/v1/improvements/{id}/verify":           "{improvement}",
			"/api/v1/meetings/{id}":                      "{meeting}",
			"/api/v1/meetings/{id}/findings":             "{meeting}",
			"/api/v1/meetings/{id}/verify":               "{meeting}",
			"/api/v1/workorders/teams/{id}/maintainers":  "{team}",
			"/api/v1/inspections/units/{id}/chargeable":  "{yx}",
			"/api/v1/units/{id}/account-candidates":      "{yx}",
		}
		deleteIDs := map[string]string{"/api/v1/units/{id}": "{leaf}"}

		documented := map[string]bool{}
		paths, _ := f.doc["paths"].(map[string]any)
		if len(paths) == 0 {
			t.Fatal("the document has no paths")
		}
		var keys []string
		for p := range paths {
			keys = append(keys, p)
		}
		sort.Strings(keys)
		ops := map[string]bool{}
		for _, path := range keys {
			item := paths[path].(map[string]any)
			for _, m := range httpMethods {
				op, ok := item[m].(map[string]any)
				if !ok {
					continue
				}
				method := strings.ToUpper(m)
				pattern := method + " " + path
				documented[pattern] = true
				if id, _ := op["operationId"].(string); id == "" || ops[id] {
					t.Errorf("%s: operationId %q missing or repeated", pattern, id)
				} else {
					ops[id] = true
				}

				url := path
				if strings.Contains(path, "{id}") {
					id := ids[path]
					if method == "DELETE" && deleteIDs[path] != "" {
						id = deleteIDs[path]
					}
					if id == "" {
						t.Errorf("%s: the test has no record to address it with", pattern)
						continue
					}
					url = strings.ReplaceAll(path, "{id}", f.expand(id))
				}
				req := httptest.NewRequest(method, url, strings.NewReader("{}"))
				if method != "GET" && method != "DELETE" {
					req.Header.Set("Content-Type", "application/json")
				}
				if _, got := f.mux.Handler(req); got != pattern {
					t.Errorf("documented %s is served by pattern %q", pattern, got)
				}
				rec := httptest.NewRecorder()
				caller(f.mux, f.who["admin"], locale.ZH).ServeHTTP(rec, req)
				if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
					t.Errorf("documented %s (%s) answers %d: %s", pattern, url, rec.Code, rec.Body)
				}
				f.checkDocumented(req, rec)
			}
		}

		// Register installs exactly the route table (and the JSON fallback); so the table is
		// the list of served routes, and each must be in the document.
		for _, rt := range f.api.table {
			if !documented[rt.pattern()] {
				t.Errorf("served route %s is not in the document", rt.pattern())
			}
			req := httptest.NewRequest(rt.method, strings.ReplaceAll(rt.path, "{id}", "1"), nil)
			if _, got := f.mux.Handler(req); got != rt.pattern() {
				t.Errorf("route %s is not registered (mux chose %q)", rt.pattern(), got)
			}
		}
		if len(documented) != len(f.api.table) {
			t.Errorf("the document has %d operations, the route table %d", len(documented), len(f.api.table))
		}

		for _, r := range refs(f.doc) {
			if _, err := resolve(f.doc, r); err != nil {
				t.Error(err)
			}
		}
	})
}

// TestFallback: unknown API paths and wrong methods answer in JSON, with Allow on 405.
func TestFallback(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite(t))
	rec := f.do("admin", locale.EN, "DELETE", "/api/v1/people/{zhang}", "", "")
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD, PATCH" {
		t.Errorf("DELETE person: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	if !strings.Contains(rec.Body.String(), "This method is not allowed here") {
		t.Errorf("DELETE person: %s", rec.Body)
	}
	rec = f.do("", locale.ZH, "GET", "/api/v2/units", "", "")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "没有这个 API 地址") {
		t.Errorf("GET /api/v2/units: %d %s", rec.Code, rec.Body)
	}
}

func TestMatchPath(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/api/v1/units", "/api/v1/units", true},
		{"/api/v1/units/{id}", "/api/v1/units/3", true},
		{"/api/v1/units/{id}", "/api/v1/units/", false},
		{"/api/v1/units/{id}", "/api/v1/units", false},
		{"/api/v1/people/{id}/roles", "/api/v1/people/3/roles", true},
		{"/api/v1/people/{id}/roles", "/api/v1/people/3/grants", false},
	}
	for _, tt := range tests {
		if got := matchPath(tt.pattern, tt.path); got != tt.want {
			t.Errorf("matchPath(%q, %q) = %v", tt.pattern, tt.path, got)
		}
	}
}

// refs lists every $ref in v.
func refs(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				out = append(out, s)
			}
			out = append(out, refs(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, refs(e)...)
		}
	}
	return out
}
