package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/audit"
	"manyi/internal/booking"
	"manyi/internal/complaint"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/sampling"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
	"manyi/internal/target"
	"manyi/internal/webhook"
	"manyi/internal/workorder"
)

// seedAreas adds one record of each area the API addresses by id, through the area
// functions: a complaint, an inspection with a finding charged to 张三 (awaiting sign-off), a
// sampling draw, a survey campaign over 永馨园 and 玫瑰区 and the follow-up of an opinion.
func (f *fixture) seedAreas() {
	t := f.t
	t.Helper()
	ctx := context.Background()
	admin := *f.who["admin"]
	id := func(key string) int64 {
		var n int64
		fmt.Sscan(f.vars["{"+key+"}"], &n)
		return n
	}
	c, err := complaint.Register(ctx, f.db, admin, complaint.Input{UnitID: id("yx"), Channel: complaint.Phone, Category: complaint.Attitude,
		Complainant: "刘先生", Contact: "13900001111", Description: "保安态度恶劣"})
	if err != nil {
		t.Fatalf("complaint: %v", err)
	}
	f.vars["{complaint}"] = fmt.Sprint(c.ID)
	now := f.db.Now()
	b, err := booking.Register(ctx, f.db, admin, booking.Input{UnitID: id("yx"), Channel: booking.Phone, Customer: "周女士", Phone: "13900002222",
		Service: "更换门锁", WindowStart: now.Add(2 * time.Hour), WindowEnd: now.Add(4 * time.Hour)})
	if err != nil {
		t.Fatalf("booking: %v", err)
	}
	f.vars["{booking}"] = fmt.Sprint(b.ID)

	cl, err := inspection.SaveChecklist(ctx, f.db, admin, inspection.ChecklistInput{Code: "WY", Name: "物业服务标准", Items: "WY1 | 地面不洁 | 1\nWY2 | 岗位脱岗 | 2 | 1-3 | person"})
	if err != nil {
		t.Fatalf("checklist: %v", err)
	}
	f.vars["{item1}"], f.vars["{item2}"] = fmt.Sprint(cl.Items[0].ID), fmt.Sprint(cl.Items[1].ID)
	ins, err := inspection.File(ctx, f.db, admin, inspection.Input{Kind: inspection.Routine, UnitID: id("yx"), ChecklistID: cl.ID,
		Findings: []inspection.FindingInput{{ItemID: cl.Items[1].ID, Description: "夜班岗位无人", PersonID: id("zhang")}}})
	if err != nil {
		t.Fatalf("inspection: %v", err)
	}
	f.vars["{inspection}"] = fmt.Sprint(ins.ID)
	d, err := inspection.Get(ctx, f.db, admin, ins.ID)
	if err != nil || len(d.Findings) != 1 {
		t.Fatalf("inspection findings: %v %v", d.Findings, err)
	}
	f.vars["{finding}"] = fmt.Sprint(d.Findings[0].ID)

	plan, err := sampling.SavePlan(ctx, f.db, admin, sampling.PlanInput{Code: "HT", Name: "合同抽查", Source: sampling.FromImport, MinCount: 2})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	f.vars["{plan}"] = fmt.Sprint(plan.ID)
	seed := int64(7)
	s, err := sampling.DrawWeek(ctx, f.db, admin, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W08", Population: "C1,合同一\nC2,合同二\nC3,合同三", Seed: &seed})
	if err != nil {
		t.Fatalf("draw: %v", err)
	}
	f.vars["{draw}"], f.vars["{sitem}"] = fmt.Sprint(s.ID), fmt.Sprint(s.Items[0].ID)

	if err := survey.SeedTemplates(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	ts, err := survey.ListTemplates(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl int64
	for _, x := range ts {
		if x.Code == "property-quarterly" {
			tmpl = x.ID
		}
	}
	camp, err := survey.CreateCampaign(ctx, f.db, admin, survey.CampaignInput{Name: "2026 年第一季度满意度调查", Quarter: "2026-Q1", TemplateID: tmpl,
		Units: []survey.CampaignUnitInput{{UnitID: id("yx")}, {UnitID: id("mg")}}})
	if err != nil {
		t.Fatalf("campaign: %v", err)
	}
	f.vars["{campaign}"] = fmt.Sprint(camp.ID)
	invs, err := survey.ListInvitations(ctx, f.db, admin, camp.ID, survey.InvitationFilter{UnitID: id("mg"), Unanswered: true, Limit: 1})
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations: %v %v", invs, err)
	}
	if _, err := survey.SubmitOnline(ctx, f.db, invs[0].Code, survey.AnswerInput{Values: map[string][]string{"overall": {"3"}}, Opinion: "门岗夜间无人"}, "", "c"); err != nil {
		t.Fatalf("answer: %v", err)
	}
	fs, err := survey.ListFollowups(ctx, f.db, admin, survey.FollowupFilter{})
	if err != nil || len(fs) != 1 {
		t.Fatalf("follow-ups: %v %v", fs, err)
	}
	f.vars["{followup}"] = fmt.Sprint(fs[0].ID)
}

// rows counts a table's rows.
func (f *fixture) rows(table string) int {
	f.t.Helper()
	var n int
	if err := f.db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n)
	}); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// send is do with request headers (an Idempotency-Key), answering the parsed body.
func (f *fixture) send(who, method, url, body string, header map[string]string) (*httptest.ResponseRecorder, map[string]any) {
	f.t.Helper()
	req := httptest.NewRequest(method, f.expand(url), strings.NewReader(f.expand(body)))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	caller(f.mux, f.who[who], locale.ZH).ServeHTTP(rec, req)
	f.checkDocumented(req, rec)
	var v map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			f.t.Fatalf("%s %s: %v", method, url, err)
		}
	}
	return rec, v
}

// ids lists the ids of a list body's items.
func ids(v map[string]any) []string {
	var out []string
	items, _ := v["items"].([]any)
	for _, it := range items {
		out = append(out, fmt.Sprint(it.(map[string]any)["id"]))
	}
	return out
}

// TestComplaintsAPI drives the desk through the API: register (the response code shown
// once), list by cursor with unit and period filters, read, reply, classify, SLA state and
// statistics; a head registering outside their unit and a complaint without a complainant
// are refused and store nothing.
func TestComplaintsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedAreas()
		before := f.rows("complaints")
		f.refused(t, []scenario{
			{name: "outside the head's unit", who: "head", method: "POST", url: "/api/v1/complaints",
				body: `{"unit_id": {mg}, "channel": "phone", "category": "delay", "complainant": "李女士", "description": "报修三天无人来"}`, status: 403, code: errs.Forbidden},
			{name: "no complainant", who: "admin", method: "POST", url: "/api/v1/complaints",
				body: `{"unit_id": {mg}, "channel": "phone", "category": "delay", "description": "报修三天无人来"}`, status: 422, code: errs.Invalid, field: "complainant"},
			{name: "unknown verb", who: "admin", method: "POST", url: "/api/v1/complaints/{complaint}/actions", body: `{"verb": "shout"}`, status: 422, code: errs.Invalid, field: "verb"},
			{name: "bad cursor", who: "admin", method: "GET", url: "/api/v1/complaints?cursor=xyz", status: 422, code: errs.Invalid, field: "cursor"},
			{name: "bad period", who: "admin", method: "GET", url: "/api/v1/complaints?period=2026-Q5", status: 422, code: errs.Invalid, field: "period",
				want: []string{"期间的值“2026-Q5”无效"}},
			{name: "bad period, in English", who: "admin", lang: locale.EN, method: "GET", url: "/api/v1/complaints?period=2026-13", status: 422, code: errs.Invalid, field: "period",
				want: []string{"Period: “2026-13” is not valid; use YYYY, YYYY-MM or YYYY-Qn"}},
		})
		if n := f.rows("complaints"); n != before {
			t.Fatalf("refused requests stored %d complaints", n-before)
		}
		f.run(t, []scenario{
			{name: "register", who: "head", method: "POST", url: "/api/v1/complaints",
				body: `{"unit_id": {yx}, "channel": "phone", "category": "delay", "complainant": "李女士", "contact": "13812345678", "description": "报修三天无人来"}`, status: 201, save: "c2",
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if v["status"] != "registered" || v["classification"] != "unclassified" || len(fmt.Sprint(v["response_code"])) < 8 {
						t.Errorf("registered: %v", v)
					}
				}},
			{name: "register in 玫瑰区", who: "admin", method: "POST", url: "/api/v1/complaints",
				body: `{"unit_id": {mg}, "channel": "email", "category": "process", "complainant": "赵先生", "description": "收费不透明"}`, status: 201, save: "c3"},
			{name: "the head acts on 玫瑰区's complaint", who: "head", method: "POST", url: "/api/v1/complaints/{c3}/actions", body: `{"verb": "reply", "text": "x"}`, status: 404, code: errs.NotFound},
			{name: "reply", who: "head", method: "POST", url: "/api/v1/complaints/{c2}/actions", body: `{"verb": "reply", "text": "已安排维修"}`, status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if v["status"] != "replied" || v["reply_clock"].(map[string]any)["state"] != "met" {
						t.Errorf("replied: %v", v)
					}
				}},
			{name: "a head may not classify", who: "head", method: "PUT", url: "/api/v1/complaints/{c2}/classification", body: `{"classification": "valid", "reason": "x"}`, status: 403, code: errs.Forbidden},
			{name: "classify", who: "admin", method: "PUT", url: "/api/v1/complaints/{c2}/classification", body: `{"classification": "valid", "reason": "无故拖延"}`, status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if v["classification"] != "valid" || v["classification_reason"] != "无故拖延" {
						t.Errorf("classified: %v", v)
					}
				}},
			{name: "read", who: "head", method: "GET", url: "/api/v1/complaints/{c2}", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if v["can_handle"] != true || v["can_classify"] != false || len(v["events"].([]any)) != 3 {
						t.Errorf("detail: %v", v)
					}
				}},
			{name: "the head's list has 永馨园 only", who: "head", method: "GET", url: "/api/v1/complaints", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{c2},{complaint}") || v["next_cursor"] != nil {
						t.Errorf("head's list %s, next %v", got, v["next_cursor"])
					}
				}},
			{name: "filtered by unit and period", who: "admin", method: "GET", url: "/api/v1/complaints?unit_id={mg}&period=2026-Q1", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{c3}") {
						t.Errorf("玫瑰区 in 2026-Q1: %s", got)
					}
				}},
			{name: "another period", who: "admin", method: "GET", url: "/api/v1/complaints?period=2025", status: 200, want: []string{`"items":[]`, `"next_cursor":null`}},
			{name: "SLA state", who: "admin", method: "GET", url: "/api/v1/complaints/sla", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if v["open"] != 3.0 {
						t.Errorf("sla: %v", v)
					}
				}},
			{name: "statistics", who: "admin", method: "GET", url: "/api/v1/complaints/stats?period=2026", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					all := v["all"].(map[string]any)
					if all["total"] != 3.0 || all["valid"] != 1.0 {
						t.Errorf("stats: %v", all)
					}
				}},
		})

		// Pages of one: each id once, newest first, then the end.
		var seen []string
		url := "/api/v1/complaints?limit=1"
		for range 5 {
			rec, v := f.send("admin", "GET", url, "", nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("page: %d %s", rec.Code, rec.Body)
			}
			seen = append(seen, ids(v)...)
			next, ok := v["next_cursor"].(string)
			if !ok {
				break
			}
			url = "/api/v1/complaints?limit=1&cursor=" + next
		}
		if got := strings.Join(seen, ","); got != f.expand("{c3},{c2},{complaint}") {
			t.Errorf("pages: %s", got)
		}
	})
}

// TestIdempotencyKey: a write retried with its key stores once and answers the first
// status and body again (without the response code, stored only hashed); the same key with
// another body is refused naming the header; another token's same key is its own.
func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedAreas()
		body := `{"unit_id": {yx}, "channel": "phone", "category": "delay", "complainant": "李女士", "description": "报修三天无人来"}`
		key := map[string]string{"Idempotency-Key": "7f0c2a4e-0d5b-4b8e-9a51-6c2f1e0b9d11"}
		before := f.rows("complaints")
		rec1, v1 := f.send("admin", "POST", "/api/v1/complaints", body, key)
		rec2, v2 := f.send("admin", "POST", "/api/v1/complaints", body, key)
		if rec1.Code != 201 || rec2.Code != 201 || v1["id"] != v2["id"] || rec2.Header().Get("Location") != rec1.Header().Get("Location") {
			t.Fatalf("replay: %d %v / %d %v", rec1.Code, v1["id"], rec2.Code, v2["id"])
		}
		if rec2.Header().Get("Idempotent-Replayed") != "true" || v1["response_code"] == nil || v2["response_code"] != nil || v2["tracking_code"] != v1["tracking_code"] {
			t.Errorf("replayed answer: %v", v2)
		}
		if n := f.rows("complaints"); n != before+1 {
			t.Errorf("stored %d complaints, want 1", n-before)
		}
		rec3, v3 := f.send("admin", "POST", "/api/v1/complaints", strings.Replace(body, "李女士", "王女士", 1), key)
		if e, _ := v3["error"].(map[string]any); rec3.Code != 422 || e["field"] != "Idempotency-Key" || e["code"] != "invalid" {
			t.Errorf("same key, other body: %d %v", rec3.Code, v3)
		}
		// A refusal is an answer too: its retry is refused the same way, without running again.
		bad := `{"unit_id": {yx}, "channel": "phone", "category": "delay", "description": "x"}`
		badKey := map[string]string{"Idempotency-Key": "bad-1"}
		r1, b1 := f.send("admin", "POST", "/api/v1/complaints", bad, badKey)
		r2, b2 := f.send("admin", "POST", "/api/v1/complaints", bad, badKey)
		if r1.Code != 422 || r2.Code != 422 || fmt.Sprint(b1) != fmt.Sprint(b2) {
			t.Errorf("refusal replay: %d %v / %d %v", r1.Code, b1, r2.Code, b2)
		}
		// Another token of the same user: the key is not theirs.
		other := *f.who["admin"]
		other.TokenID = 99
		f.who["admin-token"] = &other
		rec4, v4 := f.send("admin-token", "POST", "/api/v1/complaints", body, key)
		if rec4.Code != 201 || v4["id"] == v1["id"] {
			t.Errorf("other token: %d %v", rec4.Code, v4["id"])
		}
		if n := f.rows("complaints"); n != before+2 {
			t.Errorf("stored %d complaints, want 2", n-before)
		}
		rec5, v5 := f.send("admin", "POST", "/api/v1/complaints", body, map[string]string{"Idempotency-Key": "has space"})
		if e, _ := v5["error"].(map[string]any); rec5.Code != 422 || e["field"] != "Idempotency-Key" {
			t.Errorf("bad key: %d %v", rec5.Code, v5)
		}
	})
}

// TestInspectionsAPI: the lists by cursor and filter, a finding added and signed off; a unit
// head cannot add to another unit's inspection, the committee cannot sign off, and a
// deduction that is not a number is refused naming it.
func TestInspectionsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedAreas()
		before := f.rows("inspection_findings")
		f.refused(t, []scenario{
			{name: "deduction not a number", who: "admin", method: "POST", url: "/api/v1/inspections/{inspection}/findings",
				body: `{"item_id": {item1}, "description": "走廊垃圾", "deduction": "一分"}`, status: 422, code: errs.Invalid, field: "deduction"},
			{name: "the committee signs off", who: "committee", method: "POST", url: "/api/v1/inspections/findings/{finding}/signoff", body: `{"accept": true}`, status: 403, code: errs.Forbidden},
		})
		if n := f.rows("inspection_findings"); n != before {
			t.Fatalf("refused requests stored %d findings", n-before)
		}
		f.run(t, []scenario{
			{name: "add a finding", who: "admin", method: "POST", url: "/api/v1/inspections/{inspection}/findings",
				body: `{"item_id": {item1}, "description": "走廊垃圾未清"}`, status: 201, save: "f2", want: []string{`"deduction":100`, `"signoff":"none"`}},
			{name: "read it", who: "head", method: "GET", url: "/api/v1/inspections/findings/{f2}", status: 200, want: []string{`"走廊垃圾未清"`}},
			{name: "the head signs off", who: "head", method: "POST", url: "/api/v1/inspections/findings/{finding}/signoff", body: `{"accept": true, "note": "属实"}`, status: 200,
				want: []string{`"signoff":"signed"`, `"signed_by":"王五"`}},
			{name: "inspections of 永馨园 in March", who: "head", method: "GET", url: "/api/v1/inspections?unit_id={yx}&period=2026-03", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{inspection}") {
						t.Errorf("inspections: %s", got)
					}
				}},
			{name: "none in 玫瑰区", who: "admin", method: "GET", url: "/api/v1/inspections?unit_id={mg}", status: 200, want: []string{`"items":[]`}},
			{name: "a kind no inspection has", who: "admin", method: "GET", url: "/api/v1/inspections?kind=picnic", status: 400, code: errs.Malformed, field: "kind"},
			{name: "findings of a kind no inspection has", who: "admin", method: "GET", url: "/api/v1/inspections/findings?kind=picnic", status: 400, code: errs.Malformed, field: "kind"},
			{name: "findings page by page", who: "admin", method: "GET", url: "/api/v1/inspections/findings?limit=1", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{f2}") || v["next_cursor"] == nil {
						t.Errorf("first page: %s %v", got, v["next_cursor"])
					}
					f.vars["{next}"] = v["next_cursor"].(string)
				}},
			{name: "second page", who: "admin", method: "GET", url: "/api/v1/inspections/findings?limit=1&cursor={next}", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{finding}") || v["next_cursor"] != nil {
						t.Errorf("second page: %s %v", got, v["next_cursor"])
					}
				}},
			{name: "person filter", who: "admin", method: "GET", url: "/api/v1/inspections/findings?person_id={zhang}", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{finding}") {
						t.Errorf("张三's findings: %s", got)
					}
				}},
		})
	})
}

// TestSurveysAPI: templates, campaigns by unit and period, a campaign, its rates and
// invitations, and an opinion's follow-up recorded by the unit and closed by the clerk; a unit
// head may not print invitations, and a follow-up without its cause is refused.
func TestSurveysAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedAreas()
		f.who["mghead"] = &access.Principal{PersonID: 1 << 40, Username: "mghead", Name: "玫瑰区负责人", Grants: []access.Grant{{Role: access.UnitHead, UnitID: mustID(f, "mg")}}}
		// A second campaign of the same quarter, over 玫瑰区 alone: the list pages within a
		// quarter by id, and the 永馨园 head does not see it.
		first, err := survey.GetCampaign(context.Background(), db, access.System, mustID(f, "campaign"))
		if err != nil {
			t.Fatal(err)
		}
		second, err := survey.CreateCampaign(context.Background(), db, access.System, survey.CampaignInput{Name: "玫瑰区补充调查", Quarter: first.Quarter,
			TemplateID: first.TemplateID, Units: []survey.CampaignUnitInput{{UnitID: mustID(f, "mg")}}})
		if err != nil {
			t.Fatal(err)
		}
		f.vars["{campaign2}"] = fmt.Sprint(second.ID)
		f.refused(t, []scenario{
			{name: "campaigns after a bad cursor", who: "admin", method: "GET", url: "/api/v1/surveys/campaigns?cursor=xyz", status: 422, code: errs.Invalid, field: "cursor"},
			{name: "a head prints invitations", who: "head", method: "GET", url: "/api/v1/surveys/campaigns/{campaign}/invitations?unit_id={yx}", status: 403, code: errs.Forbidden},
			{name: "the 永馨园 head records 玫瑰区's follow-up", who: "head", method: "PUT", url: "/api/v1/surveys/followups/{followup}",
				body: `{"cause": "x", "action": "y", "outcome": "z"}`, status: 403, code: errs.Forbidden},
			{name: "no cause", who: "mghead", method: "PUT", url: "/api/v1/surveys/followups/{followup}", body: `{"action": "调整排班"}`, status: 422, code: errs.Invalid, field: "followup_cause"},
		})
		f.run(t, []scenario{
			{name: "templates", who: "head", method: "GET", url: "/api/v1/surveys/templates", status: 200, want: []string{`"code":"property-quarterly"`}},
			{name: "campaigns of 2026-Q1 over 永馨园", who: "head", method: "GET", url: "/api/v1/surveys/campaigns?unit_id={yx}&period=2026-Q1", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{campaign}") {
						t.Errorf("campaigns: %s", got)
					}
				}},
			{name: "campaigns page by page", who: "admin", method: "GET", url: "/api/v1/surveys/campaigns?limit=1", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{campaign2}") || v["next_cursor"] == nil {
						t.Fatalf("first page: %s %v", got, v["next_cursor"])
					}
					f.vars["{next}"] = v["next_cursor"].(string)
				}},
			{name: "the second page", who: "admin", method: "GET", url: "/api/v1/surveys/campaigns?limit=1&cursor={next}", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{campaign}") || v["next_cursor"] != nil {
						t.Errorf("second page: %s %v", got, v["next_cursor"])
					}
				}},
			{name: "the head's campaigns", who: "head", method: "GET", url: "/api/v1/surveys/campaigns", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{campaign}") {
						t.Errorf("the 永馨园 head's campaigns: %s", got)
					}
				}},
			{name: "none in 2025", who: "admin", method: "GET", url: "/api/v1/surveys/campaigns?period=2025", status: 200, want: []string{`"items":[]`}},
			{name: "the head sees only 永馨园 of it", who: "head", method: "GET", url: "/api/v1/surveys/campaigns/{campaign}", status: 200, want: []string{`"unit_name":"永馨园"`}, absent: []string{"玫瑰区"}},
			{name: "rates", who: "admin", method: "GET", url: "/api/v1/surveys/campaigns/{campaign}/rates", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					for _, it := range v["items"].([]any) {
						u := it.(map[string]any)
						if u["unit_name"] == "玫瑰区" && (u["valid"] != 1.0 || u["opinions"] != 1.0 || u["households"] != 520.0) {
							t.Errorf("玫瑰区 rates: %v", u)
						}
					}
				}},
			{name: "invitations, two a page", who: "admin", method: "GET", url: "/api/v1/surveys/campaigns/{campaign}/invitations?unit_id={yx}&limit=2", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					items := v["items"].([]any)
					if len(items) != 2 || items[0].(map[string]any)["seq"] != 1.0 || v["next_cursor"] == nil {
						t.Fatalf("invitations: %v", v)
					}
					f.vars["{next}"] = v["next_cursor"].(string)
				}},
			{name: "the next two", who: "admin", method: "GET", url: "/api/v1/surveys/campaigns/{campaign}/invitations?unit_id={yx}&limit=2&cursor={next}", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if items := v["items"].([]any); len(items) != 2 || items[0].(map[string]any)["seq"] != 3.0 {
						t.Errorf("next invitations: %v", items)
					}
				}},
			{name: "follow-ups of 玫瑰区", who: "admin", method: "GET", url: "/api/v1/surveys/followups?unit_id={mg}&period=2026-03", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					if got := strings.Join(ids(v), ","); got != f.expand("{followup}") {
						t.Errorf("follow-ups: %s", got)
					}
				}},
			{name: "the head's list lacks it", who: "head", method: "GET", url: "/api/v1/surveys/followups", status: 200, want: []string{`"items":[]`}},
			{name: "record", who: "mghead", method: "PUT", url: "/api/v1/surveys/followups/{followup}",
				body: `{"cause": "夜班人员脱岗", "action": "调整排班", "outcome": "业主认可"}`, status: 200, want: []string{`"status":"answered"`}},
			{name: "close", who: "admin", method: "POST", url: "/api/v1/surveys/followups/{followup}/close", body: `{"note": "已电话核实"}`, status: 200, want: []string{`"status":"closed"`}},
		})
	})
}

func mustID(f *fixture, key string) int64 {
	var n int64
	fmt.Sscan(f.vars["{"+key+"}"], &n)
	return n
}

// TestSamplingAPI: plans, a plan saved, a week drawn reproducibly and an item checked; the
// committee may not draw, and a check that is neither ok nor problem is refused naming it.
func TestSamplingAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedAreas()
		draws := f.rows("sampling_draws")
		f.refused(t, []scenario{
			{name: "the committee draws", who: "committee", method: "POST", url: "/api/v1/sampling/draws",
				body: `{"plan_id": {plan}, "week": "2026-W09", "population": "A,一\nB,二"}`, status: 403, code: errs.Forbidden},
			{name: "a bad check", who: "admin", method: "POST", url: "/api/v1/sampling/items/{sitem}/check", body: `{"result": "maybe"}`, status: 422, code: errs.Invalid, field: "result"},
		})
		if n := f.rows("sampling_draws"); n != draws {
			t.Fatalf("refused requests stored %d draws", n-draws)
		}
		f.run(t, []scenario{
			{name: "plans", who: "committee", method: "GET", url: "/api/v1/sampling/plans", status: 200, want: []string{`"code":"HT"`}},
			{name: "save a plan", who: "admin", method: "PUT", url: "/api/v1/sampling/plans",
				body: `{"code": "XM", "name": "项目抽查", "source": "import", "min_count": 2, "strata": "A,B"}`, status: 200, want: []string{`"strata":["A","B"]`}},
			{name: "draw", who: "admin", method: "POST", url: "/api/v1/sampling/draws",
				body: `{"plan_id": {plan}, "week": "2026-W09", "population": "A,一\nB,二\nC,三\nD,四", "seed": 42}`, status: 201, save: "d2",
				want: []string{`"seed":42`, `"population_size":4`, `"sample_size":2`, `"verified":true`}},
			{name: "check an item", who: "admin", method: "POST", url: "/api/v1/sampling/items/{sitem}/check", body: `{"result": "problem", "note": "缺签字"}`, status: 200,
				want: []string{`"checked":1`, `"problems":1`}},
			{name: "the draw", who: "committee", method: "GET", url: "/api/v1/sampling/draws/{draw}", status: 200, want: []string{`"result":"problem"`}},
		})
	})
}

// TestCalendarAPI: a year imported by an administrator and its working days; the committee
// may not import, and a year the calendar lacks is refused naming it.
func TestCalendarAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		body := `{"source": "国务院办公厅通知", "years": [2031], "days": [{"date": "2031-01-01", "kind": "holiday", "name": "元旦"}, {"date": "2031-01-04", "kind": "workday", "name": "调休"}]}`
		f.refused(t, []scenario{
			{name: "the committee imports", who: "committee", method: "POST", url: "/api/v1/calendar/import", body: body, status: 403, code: errs.Forbidden},
			{name: "a year not known", who: "admin", method: "GET", url: "/api/v1/calendar/working-days?year=2031", status: 422, code: errs.Invalid, field: "year"},
		})
		f.run(t, []scenario{
			{name: "import", who: "admin", method: "POST", url: "/api/v1/calendar/import", body: body, status: 200, want: []string{`"years":[2031]`, `"days":2`}},
			{name: "working days", who: "committee", method: "GET", url: "/api/v1/calendar/working-days?year=2031", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					days := v["working_days"].([]any)
					// 2031 has 261 weekdays; New Year's Day is off, Saturday 4 January on.
					if len(days) != 261 || days[0] != "2031-01-02" || days[2] != "2031-01-04" || v["source"] != "国务院办公厅通知" {
						t.Errorf("2031: %d days from %v, source %v", len(days), days[:3], v["source"])
					}
				}},
		})
		rec, v := f.send("admin", "POST", "/api/v1/calendar/import", `{"years": [2032], "days": [{"date": "2032-02-30", "kind": "holiday"}]}`, nil)
		if rec.Code != 422 || len(v["problems"].([]any)) != 1 {
			t.Errorf("bad import: %d %v", rec.Code, v)
		}
	})
}

// seedCallbacks adds a maintenance centre (IMC) with a team, its foreman and maintainer, a
// dispatcher over the centre and one over another centre (other), and a hotline order
// ({order}) closed on 28 February whose tasks are drawn: a callback for the dispatcher and a
// self-evaluation for the foreman.
func (f *fixture) seedCallbacks() {
	f.t.Helper()
	ctx := context.Background()
	unit := func(parent int64, code string, kind org.Kind) int64 {
		u, err := org.CreateUnit(ctx, f.db, access.System, org.UnitInput{ParentID: parent, Code: code, Name: code, Kind: kind})
		if err != nil {
			f.t.Fatal(err)
		}
		return u.ID
	}
	centre := unit(mustID(f, "co"), "IMC", org.Department)
	team := unit(centre, "IMC-WL", org.Team)
	person := func(key string, u int64, role access.Role, scope int64) access.Principal {
		p, err := org.CreatePerson(ctx, f.db, access.System, org.PersonInput{UnitID: u, Name: key})
		if err != nil {
			f.t.Fatal(err)
		}
		g := []access.Grant{{Role: role, UnitID: scope}}
		if _, err := org.SetGrants(ctx, f.db, access.System, p.ID, g); err != nil {
			f.t.Fatal(err)
		}
		pr := access.Principal{UserID: p.ID, PersonID: p.ID, Username: key, Name: key, Grants: g}
		f.who[key] = &pr
		return pr
	}
	foreman := person("foreman", team, access.Foreman, team)
	maint := person("maint", team, access.Staff, team)
	disp := person("dispatcher", centre, access.Dispatcher, centre)
	other := unit(mustID(f, "co"), "IMC2", org.Department)
	person("other", other, access.Dispatcher, other)
	at := func(s string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", s, workorder.Zone)
		if err != nil {
			f.t.Fatal(err)
		}
		return x
	}
	o, err := workorder.Register(ctx, f.db, disp, workorder.Input{Reporter: "王老师", Phone: "13912345678", Location: "3号楼201", Device: "交换机",
		Fault: "网络不通", TeamID: team, MaintainerID: maint.PersonID, ReportedAt: at("2026-02-27 09:00")})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := workorder.Close(ctx, f.db, foreman, o.ID, workorder.CloseInput{ClosedAt: at("2026-02-28 10:00"), Cause: "网线松动", Measures: "重新压接"}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := workorder.Generate(ctx, f.db, access.System, "2026-02-28"); err != nil {
		f.t.Fatal(err)
	}
	f.vars["{order}"] = fmt.Sprint(o.ID)
	f.vars["{team}"] = fmt.Sprint(team)
}

// TestCallbacksAPI: a closed hotline order's callback drawn for the next day reaches the
// dispatcher's queue with the reporter's number; another dispatcher may not rate it; a rating
// outside 10/8/6 and one without its order are refused naming the field; the rating stores
// once under a replayed Idempotency-Key.
func TestCallbacksAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedCallbacks()
		f.refused(t, []scenario{
			{name: "the committee's queue", who: "committee", method: "GET", url: "/api/v1/callbacks/queue", status: 403, code: errs.Forbidden},
			{name: "no order", who: "dispatcher", method: "POST", url: "/api/v1/callbacks/unreachable", body: `{}`, status: 422, code: errs.Invalid, field: "order_id"},
			{name: "a score of 7", who: "dispatcher", method: "POST", url: "/api/v1/callbacks/ratings", body: `{"order_id": {order}, "score": 7}`, status: 422, code: errs.Invalid, field: "score"},
			{name: "a dispatcher not assigned", who: "other", method: "POST", url: "/api/v1/callbacks/ratings", body: `{"order_id": {order}, "score": 10}`, status: 403, code: errs.Forbidden},
		})
		f.run(t, []scenario{
			{name: "another dispatcher's queue is empty", who: "other", method: "GET", url: "/api/v1/callbacks/queue", status: 200, want: []string{`"items":[]`, `"total":0`}},
			{name: "the queue", who: "dispatcher", method: "GET", url: "/api/v1/callbacks/queue", status: 200,
				want: []string{`"total":1`, `"phone":"13912345678"`, `"kind":"callback"`, `"reporter":"王老师"`}},
			{name: "the foreman's self-evaluations", who: "foreman", method: "GET", url: "/api/v1/callbacks/queue?kind=self", status: 200, want: []string{`"total":1`}, absent: []string{`"phone"`}},
		})
		tasks := f.rows("workorder_evaluations")
		key := map[string]string{"Idempotency-Key": "rate-1"}
		body := f.expand(`{"order_id": {order}, "score": 8, "note_speed": "及时"}`)
		rec1, v1 := f.send("dispatcher", "POST", "/api/v1/callbacks/ratings", body, key)
		rec2, v2 := f.send("dispatcher", "POST", "/api/v1/callbacks/ratings", body, key)
		if rec1.Code != 200 || rec2.Code != 200 || v1["score"] != 8.0 || v2["id"] != v1["id"] || v2["version"] != 1.0 {
			t.Fatalf("rating: %d %v / %d %v", rec1.Code, v1, rec2.Code, v2)
		}
		if n := f.rows("workorder_evaluations"); n != tasks+1 {
			t.Errorf("stored %d evaluations, want 1", n-tasks)
		}
		f.run(t, []scenario{
			{name: "rated twice", who: "dispatcher", method: "POST", url: "/api/v1/callbacks/ratings", body: `{"order_id": {order}, "score": 10}`, status: 409, code: errs.Conflict},
			{name: "the queue is empty", who: "dispatcher", method: "GET", url: "/api/v1/callbacks/queue", status: 200, want: []string{`"total":0`}},
		})
	})
}

// TestWorkOrderLoopAPI: a 不满意 callback opens a follow-up; the foreman files it, its
// rectification becoming an improvement item; the meeting confirms both; the order's tasks
// show the ratings. A foreman of another team may not file it, and a filing without the visit
// day is refused naming it.
func TestWorkOrderLoopAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedCallbacks()
		f.who["otherforeman"] = &access.Principal{PersonID: 1 << 40, Username: "of", Name: "别队工长", Grants: []access.Grant{{Role: access.Foreman, UnitID: mustID(f, "yx")}}}
		f.run(t, []scenario{
			{name: "不满意 without the problem", who: "dispatcher", method: "POST", url: "/api/v1/callbacks/ratings", body: `{"order_id": {order}, "score": 6}`, status: 422, code: errs.Invalid, field: "comment"},
			{name: "不满意", who: "dispatcher", method: "POST", url: "/api/v1/callbacks/ratings", body: `{"order_id": {order}, "score": 6, "comment": "修完第二天又断网"}`, status: 200},
			{name: "a month mistyped", who: "foreman", method: "GET", url: "/api/v1/workorders/followups?month=2026-13", status: 400, code: errs.Malformed, field: "month"},
			{name: "the follow-ups of February", who: "foreman", method: "GET", url: "/api/v1/workorders/followups?month=2026-02", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					items := v["items"].([]any)
					if len(items) != 1 || items[0].(map[string]any)["status"] != "open" || items[0].(map[string]any)["comment"] != "修完第二天又断网" {
						t.Fatalf("follow-ups: %v", v)
					}
					f.vars["{fu}"] = fmt.Sprint(items[0].(map[string]any)["id"])
				}},
		})
		before := f.rows("improvements")
		f.refused(t, []scenario{
			{name: "another team's foreman", who: "otherforeman", method: "PUT", url: "/api/v1/workorders/followups/{fu}",
				body: `{"visited_on": "2026-03-01", "findings": "x", "rectification": "y"}`, status: 403, code: errs.Forbidden},
			{name: "no visit day", who: "foreman", method: "PUT", url: "/api/v1/workorders/followups/{fu}", body: `{"findings": "x", "rectification": "y"}`, status: 422, code: errs.Invalid, field: "visited_on"},
		})
		if n := f.rows("improvements"); n != before {
			t.Fatalf("refused requests stored %d items", n-before)
		}
		f.run(t, []scenario{
			{name: "file", who: "foreman", method: "PUT", url: "/api/v1/workorders/followups/{fu}",
				body: `{"visited_on": "2026-03-01", "findings": "水晶头氧化", "rectification": "更换水晶头并巡检同楼层", "item_title": "三号楼网络巡检"}`, status: 200, want: []string{`"status":"filed"`}},
			{name: "the meeting confirms it", who: "admin", method: "POST", url: "/api/v1/workorders/followups/{fu}/decision", body: `{"confirm": true}`, status: 200, want: []string{`"status":"confirmed"`}},
			{name: "the item it became", who: "foreman", method: "GET", url: "/api/v1/improvements?unit_id={team}&source_kind=workorder_followup", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) {
					items := v["items"].([]any)
					if len(items) != 1 || items[0].(map[string]any)["title"] != "三号楼网络巡检" {
						t.Fatalf("items: %v", v)
					}
					f.vars["{item}"] = fmt.Sprint(items[0].(map[string]any)["id"])
				}},
			{name: "done", who: "foreman", method: "POST", url: "/api/v1/improvements/{item}/report", body: `{"evidence": "已更换 12 个水晶头"}`, status: 200, want: []string{`"status":"done"`}},
			{name: "verified", who: "admin", method: "POST", url: "/api/v1/improvements/{item}/verify", body: `{"accept": true, "decision": "效果良好"}`, status: 200, want: []string{`"status":"verified"`, `"verified_by":"clerk"`}},
			{name: "raise another", who: "admin", method: "POST", url: "/api/v1/improvements",
				body: `{"source_kind": "direct", "unit_id": {team}, "title": "备件库存", "problem": "常用备件缺货", "measures": "每周盘点", "owner": "工长", "due_on": "2026-03-20"}`, status: 201, want: []string{`"status":"open"`}},
			{name: "an item without a source kind", who: "admin", method: "POST", url: "/api/v1/improvements", body: `{}`, status: 422, code: errs.Invalid, field: "source_kind"},
			{name: "an item raised by a dispatcher", who: "dispatcher", method: "POST", url: "/api/v1/improvements", body: `{}`, status: 403, code: errs.Forbidden},
			{name: "an item without an owner", who: "admin", method: "POST", url: "/api/v1/improvements",
				body: `{"source_kind": "direct", "unit_id": {team}, "title": "x", "problem": "y", "measures": "z", "due_on": "2026-03-20"}`, status: 422, code: errs.Invalid, field: "owner"},
			{name: "an item due before it is raised", who: "admin", method: "POST", url: "/api/v1/improvements",
				body: `{"source_kind": "direct", "unit_id": {team}, "title": "x", "problem": "y", "owner": "z", "due_on": "2026-02-20"}`, status: 422, code: errs.Invalid, field: "due_on"},
			{name: "a meeting of a quarter not begun", who: "admin", method: "POST", url: "/api/v1/meetings",
				body: `{"org_id": {team}, "quarter": "2026-Q3"}`, status: 422, code: errs.Invalid, field: "quarter"},
			{name: "the order's tasks", who: "admin", method: "GET", url: "/api/v1/workorders/orders/{order}/tasks", status: 200,
				want: []string{`"kind":"callback"`, `"score":6`, `"kind":"self"`, `"comment":"修完第二天又断网"`}},
		})
	})
}

// TestWebhooksAPI: an administrator registers a receiver (the secret never shown again), lists
// it, reads its empty delivery log and stops it; a unit-scoped administrator is refused and a
// receiver on a private address is refused naming the URL; nothing is stored by a refusal.
func TestWebhooksAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		// The fixture's changes sealed, as the sealer does within a second: a webhook
		// registered after them receives only what follows.
		if _, _, err := audit.SealAll(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		body := `{"url": "https://hooks.example.com/manyi", "secret": "0123456789abcdef", "events": ["complaint.*", "unit.create"]}`
		f.refused(t, []scenario{
			{name: "a unit's administrator", who: "yxadmin", method: "POST", url: "/api/v1/webhooks", body: body, status: 403, code: errs.Forbidden},
			{name: "a private address", who: "admin", method: "POST", url: "/api/v1/webhooks",
				body: `{"url": "http://10.0.0.8/hook", "secret": "0123456789abcdef", "events": ["*"]}`, status: 422, code: errs.Invalid, field: "url"},
			{name: "a short secret", who: "admin", method: "POST", url: "/api/v1/webhooks",
				body: `{"url": "https://hooks.example.com/manyi", "secret": "short", "events": ["*"]}`, status: 422, code: errs.Invalid, field: "secret"},
		})
		if n := f.rows("webhooks"); n != 0 {
			t.Fatalf("refusals stored %d webhooks", n)
		}
		f.run(t, []scenario{
			{name: "register", who: "admin", method: "POST", url: "/api/v1/webhooks", body: body, status: 201, save: "hook",
				want: []string{`"events":["complaint.*","unit.create"]`, `"active":true`}, absent: []string{"0123456789abcdef"}},
			{name: "list", who: "admin", method: "GET", url: "/api/v1/webhooks", status: 200, want: []string{`"url":"https://hooks.example.com/manyi"`}, absent: []string{"0123456789abcdef"}},
			{name: "deliveries", who: "admin", method: "GET", url: "/api/v1/webhooks/{hook}/deliveries", status: 200, want: []string{`"items":[]`}},
			{name: "a DingTalk group", who: "admin", method: "POST", url: "/api/v1/webhooks", status: 201, save: "ding",
				body: `{"url": "https://oapi.dingtalk.com/robot/send?access_token=abc", "events": ["complaint.create"], "format": "dingtalk"}`,
				want: []string{`"format":"dingtalk"`}},
			{name: "edited to WeCom", who: "admin", method: "PATCH", url: "/api/v1/webhooks/{ding}", status: 200,
				body: `{"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "format": "wecom"}`, want: []string{`"format":"wecom"`, `"events":["complaint.create"]`}},
		})
		// A delivery of the first webhook, queued as the dispatcher does, to redeliver.
		f.run(t, []scenario{{name: "a unit", who: "admin", method: "POST", url: "/api/v1/units", status: 201,
			body: `{"parent_id": {yx}, "code": "HOOKED", "name": "新单位", "kind": "team"}`}})
		if _, _, err := audit.SealAll(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		if n, err := webhook.Queue(context.Background(), db); err != nil || n != 1 {
			t.Fatalf("queued %d, %v", n, err)
		}
		var delivery int64
		if err := db.SQL().QueryRow("SELECT id FROM webhook_deliveries").Scan(&delivery); err != nil {
			t.Fatal(err)
		}
		f.vars["{delivery}"] = strconv.FormatInt(delivery, 10)
		f.refused(t, []scenario{
			{name: "WeCom with a secret", who: "admin", method: "PATCH", url: "/api/v1/webhooks/{ding}", body: `{"secret": "0123456789abcdef"}`, status: 422, code: errs.Invalid, field: "secret"},
			{name: "an unknown format", who: "admin", method: "PATCH", url: "/api/v1/webhooks/{ding}", body: `{"format": "slack"}`, status: 422, code: errs.Invalid, field: "format"},
			{name: "a unit's administrator edits", who: "yxadmin", method: "PATCH", url: "/api/v1/webhooks/{ding}", body: `{"active": false}`, status: 403, code: errs.Forbidden},
			{name: "a unit's administrator redelivers", who: "yxadmin", method: "POST", url: "/api/v1/webhooks/deliveries/{delivery}/redeliver", status: 403, code: errs.Forbidden},
			{name: "a missing delivery", who: "admin", method: "POST", url: "/api/v1/webhooks/deliveries/999999/redeliver", status: 404, code: errs.NotFound},
		})
		f.run(t, []scenario{
			{name: "redeliver", who: "admin", method: "POST", url: "/api/v1/webhooks/deliveries/{delivery}/redeliver", status: 204},
			{name: "the log", who: "admin", method: "GET", url: "/api/v1/webhooks/{hook}/deliveries", status: 200, want: []string{`"event":"unit.create"`, `"status":"pending"`, `"log":null`}},
			{name: "stop", who: "admin", method: "DELETE", url: "/api/v1/webhooks/{hook}", status: 204},
			{name: "stopped", who: "admin", method: "GET", url: "/api/v1/webhooks/{hook}", status: 200, want: []string{`"active":false`}},
		})
		f.refused(t, []scenario{
			{name: "redelivery of a stopped webhook's", who: "admin", method: "POST", url: "/api/v1/webhooks/deliveries/{delivery}/redeliver", status: 409, code: errs.Conflict},
		})
	})
}

// TestSchemesAPI: the schemes through the API call the assessment area as the pages do: list,
// export a version's YAML, import a changed YAML as the next version, activate it; YAML that
// says nothing new is refused naming yaml, a committee member may not import, and a version
// that does not exist is 404.
func TestSchemesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if err := assessment.SeedSchemes(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		var first int64
		if err := db.SQL().QueryRow("SELECT id FROM assessment_schemes WHERE code = 'unit-monthly'").Scan(&first); err != nil {
			t.Fatal(err)
		}
		f.vars["{scheme}"] = strconv.FormatInt(first, 10)
		var yaml string
		f.run(t, []scenario{
			{name: "list", who: "head", method: "GET", url: "/api/v1/assessment/schemes", status: 200, want: []string{`"code":"unit-monthly"`, `"active":true`}},
			{name: "export", who: "admin", method: "GET", url: "/api/v1/assessment/schemes/{scheme}", status: 200,
				check: func(t *testing.T, f *fixture, v map[string]any) { yaml, _ = v["yaml"].(string) }},
		})
		if !strings.Contains(yaml, "Monthly unit customer-satisfaction assessment") {
			t.Fatalf("exported YAML: %.300s", yaml)
		}
		body := func(y string) string {
			b, _ := json.Marshal(map[string]string{"yaml": y})
			return string(b)
		}
		revised := strings.Replace(yaml, "Monthly unit customer-satisfaction assessment", "Monthly unit assessment, revised", 1)
		f.refused(t, []scenario{
			{name: "unchanged", who: "admin", method: "POST", url: "/api/v1/assessment/schemes", body: body(yaml), status: 422, code: errs.Invalid, field: "yaml"},
			{name: "empty", who: "admin", method: "POST", url: "/api/v1/assessment/schemes", body: `{"yaml": ""}`, status: 422, code: errs.Invalid, field: "yaml"},
			{name: "a committee member imports", who: "committee", method: "POST", url: "/api/v1/assessment/schemes", body: body(revised), status: 403, code: errs.Forbidden},
			{name: "a unit's administrator activates", who: "yxadmin", method: "POST", url: "/api/v1/assessment/schemes/{scheme}/activate", status: 403, code: errs.Forbidden},
			{name: "a missing version", who: "admin", method: "POST", url: "/api/v1/assessment/schemes/999999/activate", status: 404, code: errs.NotFound},
		})
		f.run(t, []scenario{
			{name: "import", who: "admin", method: "POST", url: "/api/v1/assessment/schemes", body: body(revised), status: 201, save: "v2",
				want: []string{`"version":2`, `"active":false`, "Monthly unit assessment, revised"}},
			{name: "activate", who: "admin", method: "POST", url: "/api/v1/assessment/schemes/{v2}/activate", status: 200, want: []string{`"version":2`, `"active":true`}},
			{name: "the first is no longer active", who: "admin", method: "GET", url: "/api/v1/assessment/schemes/{scheme}", status: 200, want: []string{`"version":1`, `"active":false`}},
		})
	})
}

// TestDutyAPI: the callback duty roster through the API: an administrator reads a week and
// puts a dispatcher on duty for a day; a malformed day, someone who does not make callbacks and
// a bad ?from= are refused naming the field; a unit head may read but not change it.
func TestDutyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		yx, _ := strconv.ParseInt(f.vars["{yx}"], 10, 64)
		d, err := org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: yx, Name: "赵调度", Phone: "13700000000", Title: "调度"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := org.SetGrants(ctx, db, access.System, d.ID, []access.Grant{{Role: access.Dispatcher, UnitID: yx}}); err != nil {
			t.Fatal(err)
		}
		f.vars["{disp}"] = strconv.FormatInt(d.ID, 10)
		f.refused(t, []scenario{
			{name: "a malformed day", who: "admin", method: "PUT", url: "/api/v1/workorders/duty", body: `{"days": [{"day": "2026-13-01", "on": []}]}`, status: 422, code: errs.Invalid, field: "days"},
			{name: "not a caller", who: "admin", method: "PUT", url: "/api/v1/workorders/duty", body: `{"days": [{"day": "2026-03-02", "on": [{zhang}]}]}`, status: 422, code: errs.Invalid, field: "days"},
			{name: "a bad from", who: "admin", method: "GET", url: "/api/v1/workorders/duty?from=2026-02-30", status: 422, code: errs.Invalid, field: "from"},
			{name: "a unit head changes it", who: "head", method: "PUT", url: "/api/v1/workorders/duty", body: `{"days": [{"day": "2026-03-02", "on": [{disp}]}]}`, status: 403, code: errs.Forbidden},
		})
		f.run(t, []scenario{
			{name: "a week", who: "admin", method: "GET", url: "/api/v1/workorders/duty?from=2026-03-02", status: 200,
				want: []string{`"person_id":{disp}`, `"role":"dispatcher"`, `{"day":"2026-03-02","on":[]}`, `{"day":"2026-03-08","on":[]}`}},
			{name: "on duty", who: "admin", method: "PUT", url: "/api/v1/workorders/duty", body: `{"days": [{"day": "2026-03-02", "on": [{disp}]}]}`, status: 200,
				want: []string{`{"day":"2026-03-02","on":[{disp}]}`, `{"day":"2026-03-03","on":[]}`}},
			{name: "the head reads it", who: "head", method: "GET", url: "/api/v1/workorders/duty?from=2026-03-02", status: 200,
				want: []string{`{"day":"2026-03-02","on":[{disp}]}`}},
		})
	})
}

// TestProjectsAndTargetsAPI (issue 16): a unit head registers a project of their office and
// lists it, an administrator imports one from a CSV workbook; a project without a code is
// refused naming code, a bad import row is listed, and a unit head may not register a project
// of another office; the targets' attainment answers per target, and a bad month is refused.
func TestProjectsAndTargetsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if err := target.Seed(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		f.refused(t, []scenario{
			{name: "no code", who: "head", method: "POST", url: "/api/v1/projects", body: `{"name": "一号楼", "unit_id": {yx}, "planned_start": "2026-04-01"}`, status: 422, code: errs.Invalid, field: "code"},
			{name: "another office", who: "head", method: "POST", url: "/api/v1/projects", body: `{"code": "P-9", "name": "九号楼", "unit_id": {mg}, "planned_start": "2026-04-01"}`, status: 403, code: errs.Forbidden},
			{name: "a committee member imports", who: "committee", method: "POST", url: "/api/v1/projects/import?file_name=p.csv", ctype: "text/csv", body: "code,name,unit,planned_start\nP-2,二号楼,YXY,2026-04-02\n", status: 403, code: errs.Forbidden},
			{name: "a bad month", who: "admin", method: "GET", url: "/api/v1/targets/attainment?month=2026-13", status: 422, code: errs.Invalid, field: "month"},
			{name: "a bad from", who: "admin", method: "GET", url: "/api/v1/projects?from=2026-02-30", status: 422, code: errs.Invalid, field: "from"},
		})
		f.run(t, []scenario{
			{name: "register", who: "head", method: "POST", url: "/api/v1/projects", body: `{"code": "P-1", "name": "一号楼", "unit_id": {yx}, "planned_start": "2026-04-01"}`, status: 201, save: "p1",
				want: []string{`"code":"P-1"`, `"unit_name":"永馨园"`}},
			{name: "import", who: "admin", method: "POST", url: "/api/v1/projects/import?file_name=p.csv", ctype: "text/csv", body: "code,name,unit,planned_start\nP-2,二号楼,YXY,2026-04-02\n", status: 200,
				want: []string{`"imported":1`}},
			{name: "list", who: "head", method: "GET", url: "/api/v1/projects?unit_id={yx}&from=2026-04-01", status: 200, want: []string{`"code":"P-1"`, `"code":"P-2"`}},
			{name: "one", who: "head", method: "GET", url: "/api/v1/projects/{p1}", status: 200, want: []string{`"name":"一号楼"`}},
			{name: "attainment", who: "admin", method: "GET", url: "/api/v1/targets/attainment?month=2026-02", status: 200, want: []string{`"target":{`, `"total":{`}},
		})
		rec := f.do("admin", locale.ZH, "POST", "/api/v1/projects/import?file_name=p.csv", "text/csv", "code,name,unit,planned_start\nP-3,,YXY,2026-04-03\n")
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"problems":[{"row":2`) {
			t.Errorf("a bad row: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestAssessmentRecordsAPI: a clerk records an expense against the reward budget; an
// administrator who is not a clerk is refused, and a missing amount is refused naming amount.
// HR's decision names its refused fields by the body's keys: an outcome other than kept or
// dismissed, and a person who is no subject of an approved period.
func TestAssessmentRecordsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.who["clerk"] = &access.Principal{Username: "clerk", Name: "考评员", Grants: []access.Grant{{Role: access.Clerk}}}
		f.refused(t, []scenario{
			{name: "an administrator", who: "admin", method: "POST", url: "/api/v1/assessment/expenses", body: `{"spent_on": "2026-02-10", "amount": "300", "note": "表彰会"}`, status: 403, code: errs.Forbidden},
			{name: "no amount", who: "clerk", method: "POST", url: "/api/v1/assessment/expenses", body: `{"spent_on": "2026-02-10", "note": "表彰会"}`, status: 422, code: errs.Invalid, field: "amount"},
			{name: "a bad outcome", who: "admin", method: "POST", url: "/api/v1/assessment/hr-decisions",
				body: `{"scheme_code": "unit-monthly", "period": "2026-01", "person_id": {zhang}, "outcome": "maybe", "reason": "复核"}`, status: 422, code: errs.Invalid, field: "outcome"},
			{name: "not a subject", who: "head", method: "POST", url: "/api/v1/assessment/hr-decisions",
				body: `{"scheme_code": "unit-monthly", "period": "2026-01", "person_id": {zhang}, "outcome": "kept", "reason": "复核后留用"}`, status: 422, code: errs.Invalid, field: "person_id"},
		})
		f.run(t, []scenario{
			{name: "an expense", who: "clerk", method: "POST", url: "/api/v1/assessment/expenses", body: `{"spent_on": "2026-02-10", "amount": "300", "note": "表彰会"}`, status: 200,
				want: []string{`"amount":"300"`, `"year":2026`, `"recorded_by":"clerk"`}},
		})
	})
}

// TestSurveyPaperEntryAPI: a clerk types a returned paper questionnaire by its code as on the
// entry page; the same clerk may not type the second entry, a unit head may not type at all,
// a clerk over 玫瑰区 may not type 永馨园's questionnaire, and an answer without the overall
// level is refused naming it, with nothing stored.
func TestSurveyPaperEntryAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedAreas()
		invs, err := survey.ListInvitations(context.Background(), f.db, *f.who["admin"], mustID(f, "campaign"), survey.InvitationFilter{UnitID: mustID(f, "yx"), Unanswered: true, Limit: 1})
		if err != nil || len(invs) != 1 {
			t.Fatalf("invitations: %v %v", invs, err)
		}
		f.vars["{code}"] = invs[0].Code
		f.who["mgclerk"] = &access.Principal{UserID: 1 << 40, Username: "mgclerk", Name: "玫瑰区考评员", Grants: []access.Grant{{Role: access.Clerk, UnitID: mustID(f, "mg")}}}
		before := f.rows("survey_entries")
		f.refused(t, []scenario{
			{name: "a unit head types", who: "head", method: "POST", url: "/api/v1/surveys/paper-entries",
				body: `{"code": "{code}", "answers": {"values": {"overall": ["1"]}}}`, status: 403, code: errs.Forbidden},
			{name: "a clerk over 玫瑰区 types 永馨园's", who: "mgclerk", method: "POST", url: "/api/v1/surveys/paper-entries",
				body: `{"code": "{code}", "answers": {"values": {"overall": ["1"]}}}`, status: 403, code: errs.Forbidden},
			{name: "no overall level", who: "admin", method: "POST", url: "/api/v1/surveys/paper-entries",
				body: `{"code": "{code}", "answers": {"values": {}}}`, status: 422, code: errs.Invalid, field: "q_overall"},
		})
		if n := f.rows("survey_entries"); n != before {
			t.Fatalf("refused entries stored: %d rows, want %d", n, before)
		}
		f.run(t, []scenario{
			{name: "the first entry", who: "admin", method: "POST", url: "/api/v1/surveys/paper-entries",
				body: `{"code": "{code}", "answers": {"values": {"overall": ["1"]}}}`, status: 200, want: []string{`"pass":1`, `"mismatch":false`}},
		})
		f.refused(t, []scenario{
			{name: "the same clerk types the second", who: "admin", method: "POST", url: "/api/v1/surveys/paper-entries",
				body: `{"code": "{code}", "answers": {"values": {"overall": ["1"]}}}`, status: 409, code: errs.Conflict},
		})
	})
}
