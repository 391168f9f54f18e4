package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"manyi/internal/demo"
	"manyi/internal/store"
)

var importPageRE = regexp.MustCompile(`^/workorders/import/(\d+)$`)

// TestWorkOrderImport: a dispatcher uploads a fault workbook with a bad row, sees the row
// named on the mapping screen, fixes the mapping of a renamed column, imports the good rows;
// the same file through the API is refused whole, then imported with good_only, and a retry
// adds nothing.
func TestWorkOrderImport(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		team, maint := importTeam(t, m)
		// "报障内容" is not a header manyi knows: the user maps it to the fault.
		csv := fmt.Sprintf("报修时间,报修人,联系电话,报修地点,设备/系统,报障内容,班组,维修人,关闭时间,故障原因,处理措施\n"+
			"2026-11-02 08:30,导入测试甲,13911110001,3号楼201,交换机,网络不通,%[1]s,%[2]s,2026-11-02 10:00,网线松动,重新压接\n"+
			"2026-11-02 09:00,导入测试乙,13911110002,图书馆,打印机,卡纸,%[1]s,不存在的人,,,\n"+
			"2026-11-02 09:30,导入测试丙,13911110003,食堂,收银机,死机,%[1]s,%[2]s,,,\n", team, maint)

		c := newClient(t, m.URL())
		c.login("dispatcher1", demo.DemoPassword)
		c.get("/workorders/import")
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("csrf", c.csrf)
		f, _ := w.CreateFormFile("file", "2026-11-02.csv")
		f.Write([]byte(csv))
		w.Close()
		status, page, h := c.do("POST", "/workorders/import", &b, map[string]string{"Content-Type": w.FormDataContentType()})
		match := importPageRE.FindStringSubmatch(h.Get("Location"))
		if status != http.StatusSeeOther || match == nil {
			t.Fatalf("upload: %d %s %.300s", status, h.Get("Location"), page)
		}
		screen := h.Get("Location")
		_, page = c.get(screen)
		if !strings.Contains(page, `id="missing"`) || !strings.Contains(page, "故障情况") {
			t.Fatalf("the screen does not ask for the fault column: %.3000s", page)
		}
		mapping := url.Values{"columns": {"11"}}
		for i, f := range []string{"reported_at", "reporter", "phone", "location", "device", "fault", "team", "maintainer", "closed_at", "cause", "measures"} {
			mapping.Set(fmt.Sprintf("col%d", i), f)
		}
		if status, page, _ = c.post(screen+"/mapping", mapping); status != http.StatusSeeOther {
			t.Fatalf("mapping: %d %.300s", status, page)
		}
		_, page = c.get(screen)
		for _, want := range []string{"3 行：2 行可以导入，0 行与已有工单重复（将跳过），1 行有误", `id="problems"`, "<td class=\"num\">3</td><td>维修人</td>", "只导入正确的 2 行"} {
			if !strings.Contains(page, want) {
				t.Errorf("mapping screen lacks %q", want)
			}
		}
		if strings.Contains(page, `id="import-all"`) {
			t.Error("a file with a bad row offers to import everything")
		}
		// Importing all is refused and stores nothing; the good rows go in on request.
		status, page, _ = c.post(screen+"/commit", url.Values{"mode": {"all"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "未保存任何工单") {
			t.Fatalf("import all with a bad row: %d %.300s", status, page)
		}
		if n := countImported(t, m); n != 0 {
			t.Fatalf("%d orders stored by a refused import", n)
		}
		if status, _, loc := c.post(screen+"/commit", url.Values{"mode": {"good"}}); status != http.StatusSeeOther || loc != screen {
			t.Fatalf("import good rows: %d %s", status, loc)
		}
		_, page = c.get(screen)
		if !strings.Contains(page, `<dd id="imported">2</dd>`) || !strings.Contains(page, "已导入 2 条工单") {
			t.Fatalf("summary: %.2000s", page)
		}
		// A second click imports nothing more.
		if _, _, loc := c.post(screen+"/commit", url.Values{"mode": {"good"}}); loc != screen || countImported(t, m) != 2 {
			t.Fatalf("second commit: %s, %d orders", loc, countImported(t, m))
		}

		// The API, with the dispatcher's token.
		c.get("/account")
		_, page, _ = c.post("/account/tokens", url.Values{"name": {"import"}})
		tm := regexp.MustCompile(`id="new-token">(manyi_[^<]+)<`).FindStringSubmatch(page)
		if tm == nil {
			t.Fatalf("no token: %.300s", page)
		}
		api := newClient(t, m.URL())
		hdr := map[string]string{"Authorization": "Bearer " + tm[1], "Content-Type": "text/csv"}
		apiCSV := strings.ReplaceAll(strings.Replace(csv, "报障内容", "故障情况", 1), "2026-11-02", "2026-11-03")
		status, body, _ := api.do("POST", "/api/v1/workorders/import?file_name=day.csv", strings.NewReader(apiCSV), hdr)
		var refused struct {
			Error    struct{ Code, Message string }
			Problems []struct {
				Row   int
				Field string
			}
		}
		json.Unmarshal([]byte(body), &refused)
		if status != http.StatusUnprocessableEntity || len(refused.Problems) != 1 || refused.Problems[0].Row != 3 || refused.Problems[0].Field != "maintainer" {
			t.Fatalf("API file with a bad row: %d %s", status, body)
		}
		for try, want := range []struct{ imported, duplicates int }{{2, 0}, {0, 2}} {
			status, body, _ = api.do("POST", "/api/v1/workorders/import?file_name=day.csv&good_only=true", strings.NewReader(apiCSV), hdr)
			var res struct {
				Imported   int
				Duplicates []struct{ Row int }
			}
			json.Unmarshal([]byte(body), &res)
			if status != http.StatusOK || res.Imported != want.imported || len(res.Duplicates) != want.duplicates {
				t.Fatalf("API import, try %d: %d %s", try+1, status, body)
			}
		}
		if n := countImported(t, m); n != 4 {
			t.Fatalf("%d imported orders, want 4", n)
		}

		// The duty roster: the clerk puts dispatcher1 alone on duty on a day; a dispatcher
		// cannot change it.
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)
		_, page = clerk.get("/workorders/duty?from=2026-12-01")
		person := regexp.MustCompile(`value="2026-12-01\|(\d+)" aria-label="刘晓燕`).FindStringSubmatch(page)
		if person == nil {
			t.Fatalf("roster page lacks dispatcher1: %.2000s", page)
		}
		form := url.Values{"on": {"2026-12-01|" + person[1]}}
		for i := 1; i <= 7; i++ {
			form.Add("day", fmt.Sprintf("2026-12-%02d", i))
		}
		if status, page, _ := clerk.post("/workorders/duty", form); status != http.StatusSeeOther {
			t.Fatalf("saving the roster: %d %.300s", status, page)
		}
		_, page = clerk.get("/workorders/duty?from=2026-12-01")
		if !strings.Contains(page, `value="2026-12-01|`+person[1]+`" aria-label="刘晓燕 2026-12-01" checked`) || strings.Count(page, " checked") != 1 {
			t.Fatalf("saved roster not shown: %.2000s", page)
		}
		c.get("/workorders/duty")
		if status, _, _ := c.post("/workorders/duty", form); status != http.StatusForbidden {
			t.Fatalf("a dispatcher changing the roster: %d", status)
		}

		// A special case: the dispatcher moves the current call's deadline by a day, once.
		_, page = c.get("/workorders/queue")
		ext := regexp.MustCompile(`action="(/workorders/tasks/\d+/extend)"`).FindStringSubmatch(page)
		if ext == nil {
			t.Fatalf("the current call offers no extension: %.2000s", page)
		}
		if status, page, _ := c.post(ext[1], url.Values{"kind": {"callback"}, "extension_reason": {""}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, "顺延原因不能为空") {
			t.Fatalf("extension without a reason: %d %.300s", status, page)
		}
		if status, _, loc := c.post(ext[1], url.Values{"kind": {"callback"}, "extension_reason": {"报修人出差"}}); status != http.StatusSeeOther || loc != "/workorders/queue" {
			t.Fatalf("extension: %d %s", status, loc)
		}
		if status, page, _ := c.post(ext[1], url.Values{"kind": {"callback"}, "extension_reason": {"再延"}}); status != http.StatusConflict || !strings.Contains(page, "只能顺延一次") {
			t.Fatalf("second extension: %d %.300s", status, page)
		}
	})
}

func countImported(t *testing.T, m *Main) int {
	t.Helper()
	var n int
	if err := m.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM work_orders WHERE import_id IS NOT NULL").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
