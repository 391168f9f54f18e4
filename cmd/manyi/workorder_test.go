package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"manyi/internal/demo"
	"manyi/internal/store"
	"manyi/internal/workorder"
)

var (
	currentOrderRE = regexp.MustCompile(`id="current" data-order="(\d+)"`)
	phoneRE        = regexp.MustCompile(`id="phone"[^>]*>([^<]+)<`)
	followUpRE     = regexp.MustCompile(`href="/workorders/followups/(\d+)"`)
)

// TestWorkOrderDay walks the "done when" on the demo data: a dispatcher works the
// callback queue, refusals are clear, a foreman files a follow-up, the clerk sees the
// month's ranking with best team and star, and the daily workbook opens with the seed's
// columns.
func TestWorkOrderDay(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		now := m.DB.Now().In(workorder.Zone)

		disp := newClient(t, m.URL())
		disp.login("dispatcher1", demo.DemoPassword)
		status, body := disp.get("/workorders/queue")
		if status != http.StatusOK {
			t.Fatalf("queue: %d %.300s", status, body)
		}
		match := currentOrderRE.FindStringSubmatch(body)
		if match == nil {
			t.Fatalf("the dispatcher's queue is empty on demo data: %.2000s", body)
		}
		order := match[1]
		if p := phoneRE.FindStringSubmatch(body); p == nil || strings.Contains(p[1], "*") {
			t.Fatalf("the assigned caller does not see the reporter's number: %v", p)
		}
		// Seeing the number in full is access-logged.
		var views int
		if err := m.DB.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND entity = 'work_order' AND entity_id = ?`, order).Scan(&views)
		}); err != nil || views != 1 {
			t.Fatalf("%d access-log entries for the shown number (%v), want 1", views, err)
		}
		for _, want := range []string{"1小时内与您联系", `data-key="1"`, `value="6"`, "workorder.js"} {
			if !strings.Contains(body, want) {
				t.Errorf("queue page lacks %q", want)
			}
		}
		if strings.Contains(body, " checked") {
			t.Error("a rating is preselected")
		}
		// No choice, a rating outside the three: refused, naming the field.
		for _, score := range []string{"", "7"} {
			status, body, _ = disp.post("/workorders/evaluate", url.Values{"order_id": {order}, "kind": {"callback"}, "score": {score}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "评价") {
				t.Fatalf("score %q: %d %.300s", score, status, body)
			}
		}
		// 不满意 without the reporter's problem: refused on the page, naming the field.
		status, body, _ = disp.post("/workorders/evaluate", url.Values{"order_id": {order}, "kind": {"callback"}, "score": {"6"}, "comment": {" "}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "问题与建议") {
			t.Fatalf("dissatisfied without a problem: %d %.300s", status, body)
		}
		status, _, loc := disp.post("/workorders/evaluate", url.Values{"order_id": {order}, "kind": {"callback"}, "score": {"8"}, "note_device": {"已恢复"}})
		if status != http.StatusSeeOther || loc != "/workorders/queue" {
			t.Fatalf("rating: %d %s", status, loc)
		}
		status, body, _ = disp.post("/workorders/evaluate", url.Values{"order_id": {order}, "kind": {"callback"}, "score": {"10"}})
		if status != http.StatusConflict || !strings.Contains(body, "已有该项评价") {
			t.Fatalf("second rating: %d %.300s", status, body)
		}
		// The order's page shows the rating; the number is masked there.
		status, body = disp.get("/workorders/" + order)
		if status != http.StatusOK || !strings.Contains(body, "基本满意 8") || !strings.Contains(body, "****") {
			t.Fatalf("order page: %d %.300s", status, body)
		}

		// Another caller cannot take the dispatcher's call.
		mgr := newClient(t, m.URL())
		mgr.login("manager1", demo.DemoPassword)
		_, body = disp.get("/workorders/queue")
		if next := currentOrderRE.FindStringSubmatch(body); next != nil {
			status, body, _ = mgr.post("/workorders/evaluate", url.Values{"order_id": {next[1]}, "kind": {"callback"}, "score": {"10"}})
			if status != http.StatusForbidden || !strings.Contains(body, "只有被分配人") {
				t.Fatalf("manager rating a dispatcher's call: %d %.300s", status, body)
			}
		}

		// The foreman files the open follow-up of a 不满意 callback.
		fm := newClient(t, m.URL())
		fm.login("foreman.net", demo.DemoPassword)
		var fu string
		for _, month := range []string{now.Format("2006-01"), now.AddDate(0, -1, 0).Format("2006-01")} {
			_, body = fm.get("/workorders/followups?month=" + month)
			if f := followUpRE.FindStringSubmatch(body); f != nil && strings.Contains(body, "待回访") {
				fu = f[1]
				break
			}
		}
		if fu == "" {
			t.Fatal("foreman.net has no open follow-up on demo data")
		}
		status, body, _ = fm.post("/workorders/followups/"+fu+"/file", url.Values{"visited_on": {now.Format(time.DateOnly)}, "findings": {""}, "rectification": {"x"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "回访情况不能为空") {
			t.Fatalf("empty findings: %d %.300s", status, body)
		}
		status, _, _ = fm.post("/workorders/followups/"+fu+"/file", url.Values{"visited_on": {now.Format(time.DateOnly)}, "findings": {"到场较晚"},
			"rectification": {"接单后30分钟内联系报修人"}, "item_title": {"接单后及时联系报修人"}})
		if status != http.StatusSeeOther {
			t.Fatalf("filing: %d", status)
		}
		if _, body = fm.get("/workorders/followups/" + fu); !strings.Contains(body, "已填报") || !strings.Contains(body, `href="/workorders/followups/`+fu+`/print"`) {
			t.Fatalf("filed follow-up: %.500s", body)
		}
		// The paper form and the improvement item the rectification became.
		if status, body = fm.get("/workorders/followups/" + fu + "/print"); status != http.StatusOK || !strings.Contains(body, "接单后30分钟内联系报修人") || !strings.Contains(body, "报修人签字") {
			t.Fatalf("printable follow-up form: %d %.500s", status, body)
		}
		_, body = fm.get("/improvements?source_kind=workorder_followup")
		if !strings.Contains(body, "改善项目跟踪管理表") || !strings.Contains(body, "接单后及时联系报修人") || !strings.Contains(body, "已验证") {
			t.Fatalf("improvement tracking table lacks the new item or the demo's verified ones: %.3000s", body)
		}

		// The clerk sees last month's ranking with the best team and the star.
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)

		// The order page offers the revise form by workorder.MayRevise, as Revise decides: the
		// dispatcher on the callback assigned to him but not on the foreman's self-evaluation,
		// the clerk on both.
		var rated, callback, self string
		if err := m.DB.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT k.order_id, k.id, s.id FROM workorder_tasks k
				JOIN users u ON u.person_id = k.assignee_id AND u.username = 'dispatcher1'
				JOIN workorder_tasks s ON s.order_id = k.order_id AND s.kind = 'self' AND s.version > 0
				WHERE k.kind = 'callback' AND k.version > 0 ORDER BY k.order_id LIMIT 1`).Scan(&rated, &callback, &self)
		}); err != nil {
			t.Fatalf("no order with both ratings saved on demo data: %v", err)
		}
		for _, c := range []struct {
			who  string
			c    *client
			want []string
		}{{"dispatcher1", disp, []string{callback}}, {"clerk", clerk, []string{callback, self}}} {
			slices.Sort(c.want)
			status, body := c.c.get("/workorders/" + rated)
			if got := reviseForms(t, body); status != http.StatusOK || !slices.Equal(got, c.want) {
				t.Errorf("order %s as %s: %d, revise forms on tasks %v, want %v", rated, c.who, status, got, c.want)
			}
		}
		last := now.AddDate(0, -1, 0).Format("2006-01")
		status, body = clerk.get("/workorders/monthly?month=" + last)
		if status != http.StatusOK {
			t.Fatalf("monthly: %d", status)
		}
		for _, want := range []string{`id="best-team"`, `id="star"`, "待绩效考核委员会审定", "评价工单多者在前", `id="ranking"`} {
			if !strings.Contains(body, want) {
				t.Errorf("monthly page lacks %q", want)
			}
		}
		if strings.Contains(body, "本月还没有已评价的工单") {
			t.Errorf("last month has no scores on demo data")
		}
		// A centre the clerk cannot see is refused with a message naming the field.
		if status, body = clerk.get("/workorders/monthly?month=" + last + "&centre=999999"); status != http.StatusUnprocessableEntity {
			t.Errorf("monthly of an unknown centre: %d, want 422", status)
		} else if alerts := htmlNodes(t, body, func(n *html.Node) bool { return nodeAttr(n, "role") == "alert" }); len(alerts) != 1 || !strings.HasPrefix(htmlText(alerts[0]), "维修中心") {
			t.Errorf("monthly of an unknown centre: alerts %d", len(alerts))
		}

		// The daily workbook of a working day of last month.
		day := time.Date(now.Year(), now.Month()-1, 15, 0, 0, 0, 0, workorder.Zone)
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		status, raw, h := clerk.do("GET", "/workorders/export.xlsx?day="+day.Format(time.DateOnly), nil, nil)
		if status != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export: %d %s", status, h.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(raw)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(day.Format(time.DateOnly))
		if err != nil || len(rows) < 2 {
			t.Fatalf("workbook rows %d, %v", len(rows), err)
		}
		for _, col := range []string{"工长测评分值", "工长评语", "调度测评分值", "调度测评情况记录", "管理人员测评人", "管理人员测评分值", "管理人员测评情况记录", "分值合计", "不满意问题与建议记录"} {
			if !strings.Contains(strings.Join(rows[0], "|"), col) {
				t.Errorf("workbook lacks column %s", col)
			}
		}

		// The draw button: the clerk may run it, a dispatcher may not; a second run adds nothing.
		yesterday := now.AddDate(0, 0, -1).Format(time.DateOnly)
		clerk.get("/workorders/daily?day=" + yesterday)
		if status, _, loc := clerk.post("/workorders/draw", url.Values{"day": {yesterday}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/workorders/daily") {
			t.Fatalf("draw: %d %s", status, loc)
		}
		if status, _, _ := disp.post("/workorders/draw", url.Values{"day": {yesterday}}); status != http.StatusForbidden {
			t.Fatalf("dispatcher's draw: %d", status)
		}
		_ = context.Background()
	})
}

// reviseForms returns the ids of the tasks whose revise form an order page offers, sorted.
func reviseForms(t *testing.T, page string) []string {
	t.Helper()
	var ids []string
	for _, n := range htmlNodes(t, page, func(n *html.Node) bool {
		return n.Data == "form" && strings.HasSuffix(nodeAttr(n, "action"), "/revise")
	}) {
		ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(nodeAttr(n, "action"), "/workorders/tasks/"), "/revise"))
	}
	slices.Sort(ids)
	return ids
}
