package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"manyi/internal/store"
)

// TestTextInputRefused sends NUL bytes and invalid UTF-8 through the public complaint form, a
// resident's survey answer, a staff form and the API: each is refused with the field named,
// the same on both databases, and nothing is stored (PostgreSQL used to answer 500 to a NUL,
// SQLite to store the raw bytes).
func TestTextInputRefused(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		const nul, notUTF8 = "王\x00先生", "caf\xe9 latin-1"
		refused := func(what string, status int, body, label, problem string) {
			t.Helper()
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, label) || !strings.Contains(body, problem) {
				t.Errorf("%s: %d, want 422 naming %q with %q: %.600s", what, status, label, problem, body)
			}
		}

		// The public complaint form.
		resident := newClient(t, m.URL())
		_, form := resident.get("/complain")
		unit := regexp.MustCompile(`<option value="(\d+)"[^>]*>[^<]*永馨园`).FindStringSubmatch(form)
		if unit == nil {
			t.Fatalf("the public form offers no 永馨园: %.500s", form)
		}
		complaints := func() int { return sqlCount(t, m, "SELECT COUNT(*) FROM complaints") }
		before := complaints()
		complaint := func(field, value string) url.Values {
			v := url.Values{"unit_id": {unit[1]}, "category": {"delay"}, "complainant": {"王先生"}, "contact": {"13800001111"}, "description": {"楼道灯坏了三天"}}
			v.Set(field, value)
			return v
		}
		status, body, _ := resident.post("/complain", complaint("description", "灯坏了"+nul))
		refused("complaint with a NUL", status, body, "投诉内容", "控制字符")
		status, body, _ = resident.post("/complain", complaint("complainant", notUTF8))
		refused("complaint with invalid UTF-8", status, body, "投诉人", "UTF-8")
		status, body, _ = resident.post("/complain?lang=en", complaint("contact", "138\x1b[0m"))
		refused("complaint with an escape, in English", status, body, "Contact", "control character")
		if n := complaints(); n != before {
			t.Fatalf("%d refused complaints stored", n-before)
		}

		// A resident's survey answer.
		var code string
		ctx := context.Background()
		err := m.DB.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT i.code FROM survey_invitations i JOIN survey_campaigns c ON c.id = i.campaign_id
				WHERE NOT EXISTS (SELECT 1 FROM survey_answers a WHERE a.invitation_id = i.id) ORDER BY c.ends_on DESC, i.id LIMIT 1`).Scan(&code)
		})
		if err != nil {
			t.Fatal(err)
		}
		answers := func() int { return sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers") }
		before = answers()
		status, body, _ = resident.post("/s/"+code, url.Values{"idem": {"text-test"}, "q_overall": {"4"}, "survey_opinion": {"好" + notUTF8}})
		refused("survey answer with invalid UTF-8", status, body, "意见或建议", "UTF-8")
		status, body, _ = resident.post("/s/"+code, url.Values{"idem": {"text-test"}, "q_overall": {"4"}, "survey_opinion": {nul}})
		refused("survey answer with a NUL", status, body, "意见或建议", "控制字符")
		if n := answers(); n != before {
			t.Fatalf("%d refused answers stored", n-before)
		}
		// Line breaks and tabs are text: the same answer with them is stored.
		status, body, _ = resident.post("/s/"+code, url.Values{"idem": {"text-test"}, "q_overall": {"4"}, "survey_opinion": {"第一行\r\n第二行\t缩进"}})
		if status != http.StatusSeeOther || answers() != before+1 {
			t.Fatalf("answer with line breaks: %d %.300s", status, body)
		}

		// A staff form.
		admin := newClient(t, m.URL())
		admin.login("admin", testAdminPassword)
		yongxin := unitID(t, admin, "永馨园")
		people := func() int { return sqlCount(t, m, "SELECT COUNT(*) FROM people") }
		before = people()
		admin.get("/org/people/new")
		status, body, _ = admin.post("/org/people", url.Values{"unit_id": {yongxin}, "name": {nul}, "phone": {"13800002222"}})
		refused("person with a NUL", status, body, "名称", "控制字符")
		if n := people(); n != before {
			t.Fatalf("%d refused people stored", n-before)
		}
		// A query string is text input too.
		if status, body := admin.get("/org/people?q=" + url.QueryEscape(notUTF8)); status != http.StatusUnprocessableEntity || !strings.Contains(body, "UTF-8") {
			t.Errorf("search with invalid UTF-8: %d", status)
		}

		// The API: a JSON NUL escape and raw invalid UTF-8, each naming the field.
		api := newClient(t, m.URL())
		bearer := map[string]string{"Authorization": "Bearer " + newToken(t, admin), "Content-Type": "application/json"}
		for _, body := range []string{`{"name": "永馨园\u0000"}`, "{\"name\": \"\xff\xfe\"}", `{"code": "YX", "name": "a\u001b"}`} {
			status, resp, _ := api.do("PATCH", "/api/v1/units/"+yongxin, strings.NewReader(body), bearer)
			if status != http.StatusUnprocessableEntity || !strings.Contains(resp, `"field":"name"`) {
				t.Errorf("API %q: %d %s", body, status, resp)
			}
		}
		if n := sqlCount(t, m, "SELECT COUNT(*) FROM units WHERE name = ?", "永馨园"); n != 1 {
			t.Fatalf("the unit was renamed by a refused request")
		}
	})
}
