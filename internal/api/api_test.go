package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// scenario is one API call and what must come back. URL and body may hold placeholders
// ({yx}, {li}, …) that the fixture expands to ids.
type scenario struct {
	name         string
	who          string // a fixture principal; "" is anonymous
	lang         locale.Lang
	method, url  string
	ctype, body  string
	status       int
	code         errs.Code // for errors: the error code
	field        string    // for errors: the field named
	want, absent []string  // substrings the body must and must not contain
	save         string    // remember the response's "id" under this placeholder
	check        func(t *testing.T, f *fixture, body map[string]any)
}

func (f *fixture) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		rec := f.do(sc.who, sc.lang, sc.method, sc.url, sc.ctype, sc.body)
		body := rec.Body.String()
		if rec.Code != sc.status {
			t.Errorf("%s: %s %s as %q: status %d, want %d\n%s", sc.name, sc.method, f.expand(sc.url), sc.who, rec.Code, sc.status, body)
			continue
		}
		var v map[string]any
		if rec.Body.Len() > 0 {
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Errorf("%s: %v", sc.name, err)
				continue
			}
		}
		if sc.code != "" || sc.field != "" {
			e, _ := v["error"].(map[string]any)
			if e["code"] != string(sc.code) || e["field"] != nilIfEmpty(sc.field) {
				t.Errorf("%s: error %v, want code %q field %q", sc.name, e, sc.code, sc.field)
			}
		}
		for _, w := range sc.want {
			if !strings.Contains(body, f.expand(w)) {
				t.Errorf("%s: body lacks %q:\n%s", sc.name, f.expand(w), body)
			}
		}
		for _, w := range sc.absent {
			if strings.Contains(body, f.expand(w)) {
				t.Errorf("%s: body has %q:\n%s", sc.name, f.expand(w), body)
			}
		}
		if sc.status == http.StatusCreated {
			if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/api/v1/") || !strings.HasSuffix(loc, fmt.Sprint(v["id"])) {
				t.Errorf("%s: Location %q for id %v", sc.name, loc, v["id"])
			}
		}
		if sc.save != "" {
			f.vars["{"+sc.save+"}"] = fmt.Sprint(v["id"])
		}
		if sc.check != nil {
			sc.check(t, f, v)
		}
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// refused runs scenarios that must all be refused and checks that they changed nothing.
func (f *fixture) refused(t *testing.T, scenarios []scenario) {
	t.Helper()
	before := f.count()
	f.run(t, scenarios)
	if after := f.count(); !maps.Equal(before, after) {
		t.Errorf("refused requests changed the database: before %v, after %v", before, after)
	}
}

func TestAdminWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.run(t, []scenario{
			{name: "create area", who: "admin", method: "POST", url: "/api/v1/units",
				body:   `{"parent_id": {prop}, "code": "LHY", "name": "莲花苑", "kind": "area", "households": 800, "threshold": 12.5}`,
				status: 201, want: []string{`"name":"莲花苑"`, `"households":800`, `"threshold":12.5`, `"parent_id":{prop}`}, save: "lh"},
			{name: "create team", who: "admin", method: "POST", url: "/api/v1/units",
				body: `{"parent_id": {lh}, "code": "LHY-1", "name": "莲花苑保洁班", "kind": "team"}`, status: 201, want: []string{`"households":null`}, save: "team"},
			{name: "list units in tree order", who: "admin", method: "GET", url: "/api/v1/units", status: 200,
				want: []string{`"total":8`}, check: func(t *testing.T, f *fixture, v map[string]any) {
					var codes []string
					for _, it := range v["items"].([]any) {
						codes = append(codes, it.(map[string]any)["code"].(string))
					}
					if got := strings.Join(codes, " "); got != "HY WG LHY LHY-1 MD MGQ YJ YXY" {
						t.Errorf("unit order %s", got)
					}
				}},
			{name: "list teams", who: "admin", method: "GET", url: "/api/v1/units?kind=team", status: 200, want: []string{`"total":1`, "莲花苑保洁班"}},
			{name: "get unit", who: "admin", method: "GET", url: "/api/v1/units/{lh}", status: 200, want: []string{`"code":"LHY"`}},
			{name: "patch unit", who: "admin", method: "PATCH", url: "/api/v1/units/{lh}",
				body: `{"households": 900, "name": "莲花苑二期", "threshold": 30}`, status: 200,
				want: []string{`"households":900`, `"name":"莲花苑二期"`, `"threshold":30`, `"code":"LHY"`}},
			{name: "areas with households and threshold", who: "admin", method: "GET", url: "/api/v1/areas", status: 200,
				want: []string{`"total":5`, `"name":"牡丹处","households":1260,"threshold":10`, `"name":"永馨园","households":640,"threshold":30`}, absent: []string{"物业管理处"}},
			{name: "one area", who: "admin", method: "GET", url: "/api/v1/areas/{mg}", status: 200, want: []string{`"name":"玫瑰区","households":520,"threshold":30`}},
			{name: "delete unused unit", who: "admin", method: "DELETE", url: "/api/v1/units/{team}", status: 204},
			{name: "deleted is gone", who: "admin", method: "GET", url: "/api/v1/units/{team}", status: 404, code: errs.NotFound},
			{name: "deactivate", who: "admin", method: "PATCH", url: "/api/v1/units/{lh}", body: `{"active": false}`, status: 200, want: []string{`"active":false`}},
			{name: "inactive hidden", who: "admin", method: "GET", url: "/api/v1/areas", status: 200, want: []string{`"total":4`}},
			{name: "inactive on request", who: "admin", method: "GET", url: "/api/v1/areas?include_inactive=true", status: 200, want: []string{`"total":5`}},

			{name: "create person", who: "admin", method: "POST", url: "/api/v1/people",
				body: `{"unit_id": {yx}, "name": "赵六", "phone": "13700001111", "title": "维修工"}`, status: 201,
				want: []string{`"phone":"13700001111"`, `"roles":[]`}, save: "zhao"},
			{name: "grant roles", who: "admin", method: "PUT", url: "/api/v1/people/{zhao}/roles",
				body: `{"roles": [{"role": "foreman", "unit_id": {yx}}, {"role": "staff", "unit_id": {yx}}]}`, status: 200,
				want: []string{`"roles":[{"role":"foreman","unit_id":{yx}},{"role":"staff","unit_id":{yx}}]`}},
			{name: "people by role", who: "admin", method: "GET", url: "/api/v1/people?unit_id={yx}&role=foreman", status: 200,
				want: []string{"赵六", `"next_cursor":null`}, check: itemCount(1)},
			{name: "people by query", who: "admin", method: "GET", url: "/api/v1/people?q=李", status: 200, want: []string{`"phone":"139****4321"`}, absent: []string{"13987654321"}, check: itemCount(1)},
			{name: "patch person", who: "admin", method: "PATCH", url: "/api/v1/people/{zhao}", body: `{"title": "工长"}`, status: 200, want: []string{`"title":"工长"`}},
			{name: "admin sees full phone", who: "admin", method: "GET", url: "/api/v1/people/{zhang}", status: 200, want: []string{`"phone":"13812341234"`}},

			{name: "create user", who: "admin", method: "POST", url: "/api/v1/users",
				body: `{"person_id": {zhao}, "username": "zhaoliu", "password": "long-enough-pass"}`, status: 201,
				want: []string{`"username":"zhaoliu"`, `"locale":"zh-CN"`}, absent: []string{"password", "long-enough-pass"}, save: "zhao_user"},
			{name: "list users", who: "admin", method: "GET", url: "/api/v1/users", status: 200, want: []string{"zhaoliu", `"username":"admin"`, `"next_cursor":null`}, check: itemCount(2)},
			{name: "patch user", who: "admin", method: "PATCH", url: "/api/v1/users/{zhao_user}", body: `{"locale": "en"}`, status: 200, want: []string{`"locale":"en"`}},
			{name: "get user", who: "admin", method: "GET", url: "/api/v1/users/{zhao_user}", status: 200, want: []string{`"person_name":"赵六"`}},

			{name: "me", who: "admin", method: "GET", url: "/api/v1/me", status: 200, want: []string{`"username":"admin"`, `"roles":[{"role":"admin"}]`, `"language":"zh-CN"`}},
			{name: "create token", who: "admin", method: "POST", url: "/api/v1/tokens", body: `{"name": "报表脚本"}`, status: 201,
				want: []string{`"secret":"manyi_`, `"name":"报表脚本"`}, save: "token"},
			{name: "list tokens hides secret", who: "admin", method: "GET", url: "/api/v1/tokens", status: 200, want: []string{`"total":1`, `"prefix":"manyi_`}, absent: []string{"secret"}},
			{name: "get token", who: "admin", method: "GET", url: "/api/v1/tokens/{token}", status: 200, want: []string{"报表脚本"}},
			{name: "revoke token", who: "admin", method: "DELETE", url: "/api/v1/tokens/{token}", status: 204},
			{name: "revoked token shows", who: "admin", method: "GET", url: "/api/v1/tokens/{token}", status: 200, want: []string{`"revoked_at":"2026-03-01T08:00:00Z"`}},

			{name: "audit by entity", who: "admin", method: "GET", url: "/api/v1/audit?entity=roles", status: 200, want: []string{`"total":2`, `"entity":"roles"`}},
			{name: "audit on the day (China time)", who: "admin", method: "GET", url: "/api/v1/audit?entity=unit&action=create&from=2026-03-01&to=2026-03-01", status: 200, want: []string{`"total":8`}},
			{name: "audit day before", who: "admin", method: "GET", url: "/api/v1/audit?to=2026-02-28", status: 200, want: []string{`"total":0`, `"items":[]`}},
			{name: "audit instant with offset", who: "admin", method: "GET", url: "/api/v1/audit?from=2026-03-01T16:00:01%2B08:00", status: 200, want: []string{`"total":0`}},
			{name: "audit page", who: "admin", method: "GET", url: "/api/v1/audit?actor_id={admin_user}&limit=2&offset=1", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if n := len(v["items"].([]any)); n != 2 || v["total"].(float64) < 3 {
						t.Errorf("page of %d items, total %v", n, v["total"])
					}
				}},
		})
	})
}

// TestRefusals: every kind of bad input is refused with the field and the problem, in the
// caller's language, and changes nothing.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		huge := `{"name": "` + strings.Repeat("x", maxBody) + `"}`
		f.refused(t, []scenario{
			{name: "no principal", method: "GET", url: "/api/v1/units", status: 401, code: errs.Unauthorized, want: []string{"请先登录"}},
			{name: "no principal, write", method: "POST", url: "/api/v1/units", body: `{"code":"X","name":"x","kind":"team"}`, status: 401, code: errs.Unauthorized},
			{name: "no principal, English", lang: locale.EN, method: "GET", url: "/api/v1/me", status: 401, want: []string{"Please log in first"}},

			{name: "duplicate code", who: "admin", method: "POST", url: "/api/v1/units",
				body: `{"parent_id": {prop}, "code": "YXY", "name": "又一个永馨园", "kind": "area"}`, status: 409, code: errs.Conflict, field: "code", want: []string{"编码已被其他单位使用"}},
			{name: "duplicate code on rename", who: "admin", method: "PATCH", url: "/api/v1/units/{mg}", body: `{"code": "YXY"}`, status: 409, code: errs.Conflict, field: "code"},
			{name: "moved under own child", who: "admin", method: "PATCH", url: "/api/v1/units/{prop}", body: `{"parent_id": {yx}}`,
				status: 422, code: errs.Invalid, field: "parent_id", want: []string{"上级单位不能是该单位自身或其下级单位"}},
			{name: "moved under itself", who: "admin", method: "PATCH", url: "/api/v1/units/{prop}", body: `{"parent_id": {prop}}`, status: 422, field: "parent_id", code: errs.Invalid},
			{name: "households below zero (zh-CN)", who: "admin", method: "POST", url: "/api/v1/units",
				body:   `{"parent_id": {prop}, "code": "NEG", "name": "负数苑", "kind": "area", "households": -1}`,
				status: 422, code: errs.Invalid, field: "households", want: []string{`"message":"户数不能小于 0"`}},
			{name: "households below zero (en)", who: "admin", lang: locale.EN, method: "PATCH", url: "/api/v1/units/{yx}", body: `{"households": -1}`,
				status: 422, code: errs.Invalid, field: "households", want: []string{`"message":"Households cannot be below 0"`}},
			{name: "threshold over 100", who: "admin", method: "PATCH", url: "/api/v1/units/{yx}", body: `{"threshold": 150}`, status: 422, code: errs.Invalid, field: "threshold", want: []string{"回收率门槛必须在 0 % 到 100 % 之间"}},
			{name: "threshold with three decimals", who: "admin", method: "PATCH", url: "/api/v1/units/{yx}", body: `{"threshold": 12.345}`, status: 422, code: errs.Invalid, field: "threshold"},
			{name: "households on a team", who: "admin", method: "POST", url: "/api/v1/units", body: `{"parent_id": {yx}, "code": "T1", "name": "班组", "kind": "team", "households": 3}`, status: 422, field: "households", code: errs.Invalid},
			{name: "bad kind", who: "admin", method: "POST", url: "/api/v1/units", body: `{"parent_id": {yx}, "code": "T1", "name": "班组", "kind": "planet"}`, status: 422, field: "kind", code: errs.Invalid, want: []string{"planet"}},
			{name: "missing name", who: "admin", method: "POST", url: "/api/v1/units", body: `{"parent_id": {yx}, "code": "T1", "kind": "team"}`, status: 422, field: "name", code: errs.Invalid, want: []string{"名称不能为空"}},
			{name: "unknown parent", who: "admin", method: "POST", url: "/api/v1/units", body: `{"parent_id": 99999, "code": "T1", "name": "x", "kind": "team"}`, status: 422, field: "parent_id", code: errs.Invalid},
			{name: "unit in use", who: "admin", method: "DELETE", url: "/api/v1/units/{prop}", status: 409, code: errs.Conflict},
			{name: "deactivate with children", who: "admin", method: "PATCH", url: "/api/v1/units/{prop}", body: `{"active": false}`, status: 409, code: errs.Conflict},

			{name: "unknown field", who: "admin", method: "POST", url: "/api/v1/units", body: `{"code": "X1", "name": "x", "kind": "team", "colour": "red"}`,
				status: 400, code: errs.Malformed, field: "colour", want: []string{"未知字段“colour”"}},
			{name: "unknown field (en) is not translated", who: "admin", lang: locale.EN, method: "PATCH", url: "/api/v1/people/{zhang}", body: `{"households": 3}`,
				status: 400, code: errs.Malformed, field: "households", want: []string{"Unknown field “households”"}},
			{name: "malformed JSON", who: "admin", method: "POST", url: "/api/v1/units", body: `{"code" "x"}`, status: 400, code: errs.Malformed, want: []string{"不是有效的 JSON"}},
			{name: "truncated JSON", who: "admin", method: "POST", url: "/api/v1/units", body: `{"code": "x",`, status: 400, code: errs.Malformed},
			{name: "empty body", who: "admin", method: "POST", url: "/api/v1/people", ctype: "application/json", status: 400, code: errs.Malformed, want: []string{"请求内容为空"}},
			{name: "two JSON values", who: "admin", method: "POST", url: "/api/v1/tokens", body: `{"name":"a"} {"name":"b"}`, status: 400, code: errs.Malformed},
			{name: "array instead of object", who: "admin", method: "POST", url: "/api/v1/units", body: `[]`, status: 400, code: errs.Malformed},
			{name: "wrong content type", who: "admin", method: "POST", url: "/api/v1/units", ctype: "text/plain", body: `{"code":"X","name":"x","kind":"team"}`,
				status: 400, code: errs.Malformed, want: []string{"application/json"}},
			{name: "form post", who: "admin", method: "POST", url: "/api/v1/units", ctype: "application/x-www-form-urlencoded", body: `code=X`, status: 400, code: errs.Malformed},
			{name: "body too large", who: "admin", method: "POST", url: "/api/v1/tokens", body: huge, status: 400, code: errs.Malformed, want: []string{"请求内容过大"}},
			{name: "string for a number", who: "admin", method: "PATCH", url: "/api/v1/units/{yx}", body: `{"households": "many"}`,
				status: 400, code: errs.Malformed, field: "households", want: []string{"户数必须是整数"}},
			{name: "fraction for an integer", who: "admin", method: "PATCH", url: "/api/v1/units/{yx}", body: `{"households": 1.5}`, status: 400, code: errs.Malformed, field: "households"},
			{name: "number for a string (en)", who: "admin", lang: locale.EN, method: "PATCH", url: "/api/v1/units/{yx}", body: `{"name": 7}`,
				status: 400, code: errs.Malformed, field: "name", want: []string{"Name has the wrong type: expected string"}},
			{name: "string for a number (threshold)", who: "admin", method: "PATCH", url: "/api/v1/units/{yx}", body: `{"threshold": "30%"}`, status: 400, code: errs.Malformed, field: "threshold", want: []string{"回收率门槛必须是数字"}},
			{name: "invalid id", who: "admin", method: "GET", url: "/api/v1/units/abc", status: 400, code: errs.Malformed, want: []string{"编号“abc”无效"}},
			{name: "zero id", who: "admin", method: "PATCH", url: "/api/v1/people/0", body: `{}`, status: 400, code: errs.Malformed},
			{name: "no such unit", who: "admin", method: "GET", url: "/api/v1/units/99999", status: 404, code: errs.NotFound, want: []string{"找不到编号为 99999 的单位"}},
			{name: "not an area", who: "admin", method: "GET", url: "/api/v1/areas/{prop}", status: 404, code: errs.NotFound},
			{name: "bad kind filter", who: "admin", method: "GET", url: "/api/v1/units?kind=planet", status: 400, field: "kind", code: errs.Malformed},
			{name: "bad boolean", who: "admin", method: "GET", url: "/api/v1/areas?include_inactive=maybe", status: 400, field: "include_inactive", code: errs.Malformed},
			{name: "bad unit filter", who: "admin", method: "GET", url: "/api/v1/people?unit_id=yx", status: 400, field: "unit_id", code: errs.Malformed},
			{name: "bad role filter", who: "admin", method: "GET", url: "/api/v1/people?role=king", status: 400, field: "role", code: errs.Malformed},

			{name: "bad phone", who: "admin", method: "POST", url: "/api/v1/people", body: `{"unit_id": {yx}, "name": "x", "phone": "call me"}`, status: 422, field: "phone", code: errs.Invalid},
			{name: "person without unit", who: "admin", method: "POST", url: "/api/v1/people", body: `{"name": "x"}`, status: 422, field: "unit_id", code: errs.Invalid},
			{name: "roles missing", who: "admin", method: "PUT", url: "/api/v1/people/{wang}/roles", body: `{}`, status: 422, field: "roles", code: errs.Invalid, want: []string{"角色不能为空"}},
			{name: "unknown role", who: "admin", method: "PUT", url: "/api/v1/people/{wang}/roles", body: `{"roles": [{"role": "king"}]}`, status: 422, field: "role", code: errs.Invalid},
			{name: "role over unknown unit", who: "admin", method: "PUT", url: "/api/v1/people/{wang}/roles", body: `{"roles": [{"role": "staff", "unit_id": 99999}]}`, status: 422, field: "role_unit", code: errs.Invalid},
			{name: "unknown field in a grant", who: "admin", method: "PUT", url: "/api/v1/people/{wang}/roles", body: `{"roles": [{"role": "staff", "scope": 1}]}`, status: 400, field: "scope", code: errs.Malformed},
			{name: "role outside caller's scope", who: "yxadmin", method: "PUT", url: "/api/v1/people/{zhang}/roles", body: `{"roles": [{"role": "unit_head", "unit_id": {mg}}]}`,
				status: 422, field: "role_unit", code: errs.Invalid, want: []string{"您无权授予或撤销“unit_head”角色"}},
			{name: "organisation-wide role from a scoped admin", who: "yxadmin", method: "PUT", url: "/api/v1/people/{zhang}/roles", body: `{"roles": [{"role": "admin"}]}`, status: 422, field: "role_unit", code: errs.Invalid},
		})

		f.refused(t, []scenario{
			{name: "duplicate username", who: "admin", method: "POST", url: "/api/v1/users", body: `{"person_id": {zhang}, "username": "admin", "password": "long-enough-pass"}`, status: 409, field: "username", code: errs.Conflict},
			{name: "short password", who: "admin", method: "POST", url: "/api/v1/users", body: `{"person_id": {zhang}, "username": "zhangsan", "password": "short"}`, status: 422, field: "password", code: errs.Invalid},
			{name: "bad username", who: "admin", method: "POST", url: "/api/v1/users", body: `{"person_id": {zhang}, "username": "张三", "password": "long-enough-pass"}`, status: 422, field: "username", code: errs.Invalid},
			{name: "deactivate self", who: "admin", method: "PATCH", url: "/api/v1/users/{admin_user}", body: `{"active": false}`, status: 422, field: "active", code: errs.Invalid},
			{name: "no such user", who: "admin", method: "GET", url: "/api/v1/users/99999", status: 404, code: errs.NotFound},
			{name: "token without name", who: "admin", method: "POST", url: "/api/v1/tokens", body: `{"name": " "}`, status: 422, field: "name", code: errs.Invalid, want: []string{"令牌名称不能为空"}},
			{name: "revoke unknown token", who: "admin", method: "DELETE", url: "/api/v1/tokens/99999", status: 404, code: errs.NotFound},
			{name: "audit limit", who: "admin", method: "GET", url: "/api/v1/audit?limit=0", status: 422, field: "limit", code: errs.Invalid},
			{name: "audit offset", who: "admin", method: "GET", url: "/api/v1/audit?offset=-1", status: 422, field: "offset", code: errs.Invalid},
			{name: "audit date", who: "admin", method: "GET", url: "/api/v1/audit?from=yesterday", status: 400, field: "from", code: errs.Malformed, want: []string{"YYYY-MM-DD"}},
			{name: "audit actor", who: "admin", method: "GET", url: "/api/v1/audit?actor_id=me", status: 400, field: "actor_id", code: errs.Malformed},
			{name: "unknown API path", who: "admin", method: "GET", url: "/api/v1/nothing", status: 404, code: errs.NotFound},
			{name: "wrong method", who: "admin", method: "POST", url: "/api/v1/me", body: `{}`, status: 405, code: errs.Malformed, want: []string{"不支持该请求方法"}},
		})
		if strings.Contains(f.logs.String(), "level=ERROR") {
			t.Errorf("a refusal was logged as an internal error:\n%s", f.logs)
		}
	})
}

// TestScope: a unit head of 永馨园 cannot reach 玫瑰区's records by editing ids, sees only
// 永馨园 in lists, and sees phones masked; a 永馨园 administrator sees 永馨园's audit only.
func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.refused(t, []scenario{
			{name: "read other unit", who: "head", method: "GET", url: "/api/v1/units/{mg}", status: 403, code: errs.Forbidden, want: []string{"您无权访问该单位的数据"}},
			{name: "read other area", who: "head", method: "GET", url: "/api/v1/areas/{mg}", status: 403, code: errs.Forbidden},
			{name: "read parent", who: "head", method: "GET", url: "/api/v1/units/{prop}", status: 403, code: errs.Forbidden},
			{name: "other unit's people", who: "head", method: "GET", url: "/api/v1/people?unit_id={mg}", status: 403, code: errs.Forbidden},
			{name: "other unit's person", who: "head", method: "GET", url: "/api/v1/people/{li}", status: 403, code: errs.Forbidden},
			{name: "change other unit", who: "head", method: "PATCH", url: "/api/v1/units/{mg}", body: `{"name": "我的玫瑰区"}`, status: 403, code: errs.Forbidden},
			{name: "change own unit", who: "head", method: "PATCH", url: "/api/v1/units/{yx}", body: `{"households": 1}`, status: 403, code: errs.Forbidden},
			{name: "delete other unit", who: "head", method: "DELETE", url: "/api/v1/units/{mg}", status: 403, code: errs.Forbidden},
			{name: "create in other unit", who: "head", method: "POST", url: "/api/v1/units", body: `{"parent_id": {mg}, "code": "X9", "name": "x", "kind": "team"}`, status: 403, code: errs.Forbidden},
			{name: "change other person", who: "head", method: "PATCH", url: "/api/v1/people/{li}", body: `{"phone": "110"}`, status: 403, code: errs.Forbidden},
			{name: "add person to other unit", who: "head", method: "POST", url: "/api/v1/people", body: `{"unit_id": {mg}, "name": "x"}`, status: 403, code: errs.Forbidden},
			{name: "grant self more", who: "head", method: "PUT", url: "/api/v1/people/{wang}/roles", body: `{"roles": [{"role": "admin"}]}`, status: 403, code: errs.Forbidden},
			{name: "users", who: "head", method: "GET", url: "/api/v1/users", status: 403, code: errs.Forbidden},
			{name: "admin's account", who: "head", method: "GET", url: "/api/v1/users/{admin_user}", status: 403, code: errs.Forbidden},
			{name: "audit", who: "head", method: "GET", url: "/api/v1/audit", status: 403, code: errs.Forbidden},
			{name: "audit (en)", who: "committee", lang: locale.EN, method: "GET", url: "/api/v1/audit", status: 403, code: errs.Forbidden, want: []string{"You do not have the right to do this"}},
			{name: "scoped admin, other unit's person", who: "yxadmin", method: "PUT", url: "/api/v1/people/{li}/roles", body: `{"roles": []}`, status: 403, code: errs.Forbidden},
			{name: "scoped admin creates a root", who: "yxadmin", method: "POST", url: "/api/v1/units", body: `{"code": "ROOT2", "name": "x", "kind": "company"}`, status: 403, code: errs.Forbidden},

			{name: "units list is own subtree", who: "head", method: "GET", url: "/api/v1/units", status: 200, want: []string{`"total":1`, "永馨园"}, absent: []string{"玫瑰区", "牡丹处"}},
			{name: "areas list is own", who: "head", method: "GET", url: "/api/v1/areas", status: 200, want: []string{`"total":1`, "永馨园"}, absent: []string{"玫瑰区"}},
			{name: "people list is own unit's, phones masked", who: "head", method: "GET", url: "/api/v1/people", status: 200,
				want: []string{"张三", "王五", `"phone":"138****1234"`}, absent: []string{"李四", "13812341234"}, check: itemCount(2)},
			{name: "own unit's person, masked", who: "head", method: "GET", url: "/api/v1/people/{zhang}", status: 200, want: []string{`"phone":"138****1234"`}},
			{name: "committee reads all, masked", who: "committee", method: "GET", url: "/api/v1/people/{li}", status: 200, want: []string{`"phone":"139****4321"`}},
			{name: "scoped admin's people list, phones masked", who: "yxadmin", method: "GET", url: "/api/v1/people", status: 200, want: []string{`"phone":"138****1234"`}, absent: []string{"李四", "13812341234"}, check: itemCount(2)},
			{name: "me", who: "head", method: "GET", url: "/api/v1/me", status: 200, want: []string{`"roles":[{"role":"unit_head","unit_id":{yx}}]`}},
			{name: "scoped admin's audit is own units'", who: "yxadmin", method: "GET", url: "/api/v1/audit", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					items := v["items"].([]any)
					if len(items) == 0 {
						t.Fatal("scoped admin sees no audit entries")
					}
					for _, it := range items {
						if got := fmt.Sprint(it.(map[string]any)["unit_id"]); got != f.vars["{yx}"] {
							t.Errorf("scoped admin sees an entry of unit %s", got)
						}
					}
				}},
			{name: "scoped admin's users", who: "yxadmin", method: "GET", url: "/api/v1/users", status: 200, want: []string{`"items":[]`, `"next_cursor":null`}},
		})
	})
}

// TestUnitFormat pins the JSON of a unit, so that a change of the API's shape is a visible
// decision.
func TestUnitFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		rec := f.do("admin", locale.ZH, "GET", "/api/v1/units/{yx}", "", "")
		want := fmt.Sprintf(`{
			"id": %[1]s,
			"parent_id": %[2]s,
			"code": "YXY",
			"name": "永馨园",
			"kind": "area",
			"households": 640,
			"threshold": 30,
			"active": true,
			"serves_public": false,
			"created_at": "2026-03-01T08:00:00Z",
			"updated_at": "2026-03-01T08:00:00Z"
		}`, f.vars["{yx}"], f.vars["{prop}"])
		var got, exp bytes.Buffer
		json.Compact(&got, rec.Body.Bytes())
		if err := json.Compact(&exp, []byte(want)); err != nil {
			t.Fatal(err)
		}
		if got.String() != exp.String() {
			t.Errorf("GET unit:\n got %s\nwant %s", got.String(), exp.String())
		}

		// The public-form flag is set through the API and kept.
		rec = f.do("admin", locale.ZH, "PATCH", "/api/v1/units/{yx}", "", `{"serves_public": true}`)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"serves_public":true`) {
			t.Errorf("PATCH serves_public: %d %s", rec.Code, rec.Body.String())
		}
		rec = f.do("admin", locale.ZH, "POST", "/api/v1/units", "", `{"code": "NEW-PUB", "name": "新服务处", "kind": "section", "parent_id": {prop}, "serves_public": true}`)
		if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"serves_public":true`) {
			t.Errorf("POST serves_public: %d %s", rec.Code, rec.Body.String())
		}

		rec = f.do("admin", locale.ZH, "POST", "/api/v1/units", "", `{"code": "YXY", "name": "x", "kind": "team"}`)
		want = `{"error":{"code":"conflict","field":"code","message":"编码已被其他单位使用"}}`
		if got := strings.TrimSpace(rec.Body.String()); got != want {
			t.Errorf("error body:\n got %s\nwant %s", got, want)
		}
	})
}

// TestCheckText: a bad string anywhere in a body is blamed on its nearest key, whether it is
// an escaped control character or a raw byte that encoding/json would have turned into U+FFFD.
func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		body, field, key string
	}{
		{`{"name": "ok", "title": "a\u0000b"}`, "title", "text.control_chr"},
		{"{\"name\": \"caf\xe9\"}", "name", "text.bad_utf8"},
		{`{"unit": {"code": "X", "name": "\u001b[0m"}}`, "name", "text.control_chr"},
		{`{"roles": [{"role": "clerk"}, {"role": "x\u007f"}]}`, "role", "text.control_chr"},
		{`{"tags": ["ok", "\u0085"]}`, "tags", "text.control_chr"},
		{"{\"na\xffme\": 1}", "", "text.bad_utf8_name"},
	} {
		e := errs.As(checkText([]byte(c.body)))
		if e.Code != errs.Invalid || e.Field != c.field || e.Key != c.key {
			t.Errorf("%q: got %s %q %s, want %q %s", c.body, e.Code, e.Field, e.Key, c.field, c.key)
		}
	}
	for _, ok := range []string{`{"name": "永馨园", "note": "line\r\nnext\ttab", "n": 3, "tags": ["a", null, true], "obj": {}}`, `[]`, `"x"`} {
		if err := checkText([]byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
