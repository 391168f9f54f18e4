package main

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestPeriodCloseFlow closes the demo's open month (the last before the current one) for unit-monthly on the demo data through the pages,
// as the clerk and the committee would: start, the incomplete
// subject, approval, lock, a refused late record, the unit head's view, reopening with a
// reason and the difference, and a drill-down to a ledger record.
func TestPeriodCloseFlow(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)
		committee := newClient(t, m.URL())
		committee.login("committee", demo.DemoPassword)

		last := demoMonth(-1) // the demo's open month
		_, index := clerk.get("/assessment")
		if n := strings.Count(index, "已锁定"); n != 11 {
			t.Fatalf("demo history shows %d locked closes, want 11 (all months of the year but the last)", n)
		}
		pm := regexp.MustCompile(`<option value="(\d+)"[^>]*>物业公司<`).FindStringSubmatch(index)
		if pm == nil {
			t.Fatalf("start form offers no 物业公司: %.500s", index)
		}
		status, body, loc := clerk.post("/assessment/closes", url.Values{"scheme": {"unit-monthly"}, "period": {last}, "parent_id": {pm[1]}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/assessment/closes/") {
			t.Fatalf("start: %d %s %.300s", status, loc, body)
		}
		closeURL := loc
		// Complaints come from the complaint desk: no fact is left without a source.
		_, page := clerk.get(closeURL)
		if strings.Contains(page, "complaints_valid, complaints_major") {
			t.Fatal("the close says the complaint facts have no source")
		}
		dm := regexp.MustCompile(`id="decide-(\d+)"`).FindStringSubmatch(page)
		if dm == nil || !strings.Contains(page, "绿化科 · 缺项") {
			t.Fatalf("绿化科 is not listed as incomplete: %.2000s", page)
		}
		committee.get(closeURL)
		if status, body, _ := committee.post(closeURL+"/approve", url.Values{}); status != http.StatusConflict || !strings.Contains(body, "绿化科") {
			t.Fatalf("approve with an undecided subject: %d", status)
		}
		if status, body, _ := clerk.post(closeURL+"/decisions", url.Values{"unit_id": {dm[1]}, "decision": {"survey=16"}, "reason": {""}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "理由不能为空") {
			t.Fatalf("decision without reason: %d", status)
		}
		if status, _, _ := clerk.post(closeURL+"/decisions", url.Values{"unit_id": {dm[1]}, "decision": {"survey=16"}, "reason": {"10 月 30 日电话回访业主，基本满意"}}); status != http.StatusSeeOther {
			t.Fatalf("decision: %d", status)
		}
		if status, _, _ := clerk.post(closeURL+"/approve", url.Values{}); status != http.StatusForbidden {
			t.Fatalf("approve by the clerk: %d", status)
		}
		committee.get(closeURL)
		if status, body, _ := committee.post(closeURL+"/approve", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("approve: %d %.500s", status, body)
		}
		clerk.get(closeURL)
		if status, _, _ := clerk.post(closeURL+"/lock", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("lock: %d", status)
		}
		_, page = clerk.get(closeURL)
		if !strings.Contains(page, "已锁定") || !strings.Contains(page, "取消年终评先资格") {
			t.Fatal("the locked close does not show its status or 玫瑰区's year-end flag")
		}
		mg := regexp.MustCompile(`href="(/assessment/closes/\d+/units/(\d+))">玫瑰区<`).FindStringSubmatch(page)
		if mg == nil {
			t.Fatal("no link to 玫瑰区's result")
		}

		// Drill-down: the standards component of 玫瑰区 lists its inspections, each a link to
		// the ledger row.
		_, result := clerk.get(mg[1])
		if !strings.Contains(result, "id=\"component-standards\"") {
			t.Fatalf("玫瑰区's result page: %.1500s", result)
		}
		rm := regexp.MustCompile(`href="(/[a-z/]+/\d+)" class="record-link"`).FindStringSubmatch(result)
		if rm == nil {
			t.Fatal("no drill-down link to a record")
		}
		if status, rec := clerk.get(rm[1]); status != http.StatusOK || !strings.Contains(rec, "玫瑰区") || !strings.Contains(rec, last+"-") {
			t.Fatalf("record page: %d", status)
		}

		// The complaints component drills down to the complaints themselves.
		var complaintLink string
		for _, u := range regexp.MustCompile(`href="(/assessment/closes/\d+/units/\d+)"`).FindAllStringSubmatch(page, -1) {
			_, res := clerk.get(u[1])
			if cm := regexp.MustCompile(`href="(/complaints/\d+)"`).FindStringSubmatch(res); cm != nil {
				complaintLink = cm[1]
				break
			}
		}
		if complaintLink == "" {
			t.Fatal("no result of the open month links to a complaint")
		}
		if status, c := clerk.get(complaintLink); status != http.StatusOK || !strings.Contains(c, "有效") && !strings.Contains(c, "重大") {
			t.Fatalf("complaint drill-down %s: %d", complaintLink, status)
		}

		// The head of 永馨园 sees 永馨园's result only.
		head := newClient(t, m.URL())
		head.login("head.yongxin", demo.DemoPassword)
		if _, hp := head.get(closeURL); strings.Contains(hp, "玫瑰区") || !strings.Contains(hp, "永馨园") {
			t.Fatal("the head's close page shows 玫瑰区 or hides 永馨园")
		}
		if status, _ := head.get(mg[1]); status != http.StatusForbidden {
			t.Fatalf("head reads 玫瑰区's result: %d", status)
		}
		if status, _ := head.get(rm[1]); status != http.StatusForbidden {
			t.Fatalf("head reads 玫瑰区's record: %d", status)
		}

		// Reopen needs a reason and makes version 2, both kept, with the difference shown.
		clerk.get(closeURL)
		if status, body, _ := clerk.post(closeURL+"/reopen", url.Values{"reason": {" "}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "理由不能为空") {
			t.Fatalf("reopen without reason: %d", status)
		}
		status, _, loc = clerk.post(closeURL+"/reopen", url.Values{"reason": {"绿化科补录 10 月调查问卷"}})
		if status != http.StatusSeeOther || loc == closeURL {
			t.Fatalf("reopen: %d %s", status, loc)
		}
		// The clerk records 绿化科's survey of the month: an opinion collected on a visit.
		_, surveys := clerk.get("/surveys")
		q4 := regexp.MustCompile(`<td>` + quarterOf(last) + `</td><td><a href="(/surveys/campaigns/\d+)">`).FindStringSubmatch(surveys)
		if q4 == nil {
			t.Fatalf("no campaign of %s: %.1000s", quarterOf(last), surveys)
		}
		clerk.get(q4[1] + "/visit")
		if status, body, _ := clerk.post(q4[1]+"/visit", url.Values{"unit_id": {dm[1]}, "survey_answered_on": {last + "-28"}, "q_overall": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("survey answer after reopening: %d %.500s", status, body)
		}
		clerk.get(loc)
		clerk.post(loc+"/recompute", url.Values{})
		_, v2 := clerk.get(loc)
		if !strings.Contains(v2, `id="diff"`) || !strings.Contains(v2, `class="changed"`) || !strings.Contains(v2, "绿化科补录") {
			t.Fatalf("version 2 shows no difference: %.3000s", v2)
		}
		if _, v1 := clerk.get(closeURL); !strings.Contains(v1, "已锁定") || !strings.Contains(v1, "已被新版本取代") {
			t.Fatal("version 1 is not kept as locked and superseded")
		}

		// Every step is in the audit log.
		admin := newClient(t, m.URL())
		admin.login("admin", testAdminPassword)
		_, auditPage := admin.get("/audit?entity=assessment_close")
		for _, want := range []string{"审定", "锁定", "重新打开", "创建"} {
			if !strings.Contains(auditPage, want) {
				t.Errorf("audit log lacks %q for closes", want)
			}
		}
		if _, decisions := admin.get("/audit?entity=assessment_decision"); !strings.Contains(decisions, "10 月 30 日电话回访业主") {
			t.Error("audit log lacks the decision on 绿化科")
		}
	})
}

// TestCloseScopeList: the start form offers every unit the clerk may close for, by the rule the
// start checks (clerk over the unit, subjects of some scheme somewhere below it): the org-wide
// clerk gets 物流公司, and 电信工程公司 for its departments (dept-quarterly-weighted assesses
// departments), and the logistics work group's clerk gets 物流公司 and 人力资源部, nothing
// outside 物流公司.
func TestCloseScopeList(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		option := regexp.MustCompile(`<option value="\d+"[^>]*>([^<]+)</option>`)
		parents := func(user string) []string {
			c := newClient(t, m.URL())
			c.login(user, demo.DemoPassword)
			_, page := c.get("/assessment")
			i := strings.Index(page, `name="parent_id"`)
			if i < 0 {
				t.Fatalf("%s: no start form", user)
			}
			sel := page[i : i+strings.Index(page[i:], "</select>")]
			var names []string
			for _, o := range option.FindAllStringSubmatch(sel, -1) {
				names = append(names, o[1])
			}
			sort.Strings(names)
			return names
		}
		if got := strings.Join(parents("clerk"), ","); got != "人力资源部,信息维修中心,养老中心,物业公司,物流公司,电信工程公司" {
			t.Errorf("org-wide clerk's scope list: %s", got)
		}
		if got := strings.Join(parents("clerk.log"), ","); got != "人力资源部,物流公司" {
			t.Errorf("logistics clerk's scope list: %s", got)
		}
	})
}
