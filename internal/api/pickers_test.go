package api

import (
	"testing"

	"manyi/internal/errs"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestPickersAPI: a team's maintainers for whoever registers its orders, a unit's chargeable
// people for whoever inspects it, a unit's people without an account for its administrator,
// and the refusals: another centre's team, a unit that is no team, a charged unit beside the
// inspected one, a caller who does not inspect, another area's or no administrator.
func TestPickersAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedCallbacks()
		f.run(t, []scenario{
			{name: "the team's maintainers", who: "dispatcher", method: "GET", url: "/api/v1/workorders/teams/{team}/maintainers", status: 200,
				want: []string{`"total":2`, `"name":"foreman"`, `"name":"maint"`, `"unit_id":{team}`}, absent: []string{`"phone"`, `"roles"`}},
			{name: "another centre's dispatcher", who: "other", method: "GET", url: "/api/v1/workorders/teams/{team}/maintainers", status: 403, code: errs.Forbidden},
			{name: "a unit that is no team", who: "admin", method: "GET", url: "/api/v1/workorders/teams/{yx}/maintainers", status: 422, code: errs.Invalid, field: "team"},
			{name: "a team that does not exist", who: "admin", method: "GET", url: "/api/v1/workorders/teams/999999/maintainers", status: 404, code: errs.NotFound},

			{name: "the area's people", who: "head", method: "GET", url: "/api/v1/inspections/units/{yx}/chargeable", status: 200,
				want: []string{`"total":2`, `"name":"张三"`, `"name":"王五"`, `"title":"管家"`}, absent: []string{`"李四"`, `"phone"`}},
			{name: "the department's, in one of its areas", who: "admin", method: "GET", url: "/api/v1/inspections/units/{prop}/chargeable?charged_unit={mg}", status: 200,
				want: []string{`"total":1`, `"name":"李四"`}},
			{name: "a unit beside the inspected one", who: "admin", method: "GET", url: "/api/v1/inspections/units/{yx}/chargeable?charged_unit={mg}", status: 422, code: errs.Invalid, field: "charged_unit"},
			{name: "a unit not a number", who: "admin", method: "GET", url: "/api/v1/inspections/units/{yx}/chargeable?charged_unit=mg", status: 400, code: errs.Malformed, field: "charged_unit"},
			{name: "the head of another area", who: "head", method: "GET", url: "/api/v1/inspections/units/{mg}/chargeable", status: 403, code: errs.Forbidden},
			{name: "the committee, who does not inspect", who: "committee", method: "GET", url: "/api/v1/inspections/units/{yx}/chargeable", status: 403, code: errs.Forbidden},

			{name: "the area's people without an account", who: "yxadmin", method: "GET", url: "/api/v1/units/{yx}/account-candidates", status: 200,
				want: []string{`"total":2`, `"name":"张三"`, `"name":"王五"`, `"unit_id":{yx}`}, absent: []string{`"李四"`, `"phone"`, `"roles"`}},
			{name: "an account for 张三", who: "yxadmin", method: "POST", url: "/api/v1/users", body: `{"person_id": {zhang}, "username": "zhangsan", "password": "long-enough-pass"}`, status: 201},
			{name: "the area's people without an account, 张三 no longer", who: "yxadmin", method: "GET", url: "/api/v1/units/{yx}/account-candidates", status: 200,
				want: []string{`"total":1`, `"name":"王五"`}, absent: []string{`"张三"`}},
			{name: "another area, to the area's administrator", who: "yxadmin", method: "GET", url: "/api/v1/units/{mg}/account-candidates", status: 403, code: errs.Forbidden},
			{name: "a unit head, who gives no accounts", who: "head", method: "GET", url: "/api/v1/units/{yx}/account-candidates", status: 403, code: errs.Forbidden},
			{name: "a unit that does not exist", who: "admin", method: "GET", url: "/api/v1/units/999999/account-candidates", status: 404, code: errs.NotFound},
		})
	})
}
