package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestImprovementFromSurveyOpinion follows an item on the demo from a survey opinion to
// verified: the opinion's page offers the button, the page form raises the item, a second
// raise from the same opinion is refused, verification without measures is refused through
// the API, the owner's measures and evidence go through the API, the clerk verifies on the
// page; a unit head of another company neither sees the item nor raises from the opinion;
// the tracking table's XLSX has the item's id as a number.
func TestImprovementFromSurveyOpinion(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		api := newClient(t, m.URL())
		clerkAPI, outsider := apiToken(t, m.URL(), "clerk"), apiToken(t, m.URL(), "head.gc1")
		call := func(who map[string]string, method, path, body string, want int) map[string]any {
			t.Helper()
			status, out, _ := api.do(method, path, strings.NewReader(body), who)
			if status != want {
				t.Fatalf("%s %s: %d, want %d: %.500s", method, path, status, want, out)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			return v
		}
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)

		// A dissatisfied answer with an opinion no item has been raised from yet.
		fus := call(clerkAPI, "GET", "/api/v1/surveys/followups?limit=20", "", 200)["items"].([]any)
		var answer, item string
		for _, fu := range fus {
			answer = fmt.Sprint(int64(fu.(map[string]any)["answer_id"].(float64)))
			status, page := clerk.get("/surveys/answers/" + answer)
			if status != 200 || !strings.Contains(page, `source_kind=survey_opinion&amp;source_id=`+answer) {
				continue
			}
			clerk.get("/improvements/new?source_kind=survey_opinion&source_id=" + answer)
			form := url.Values{"source_kind": {"survey_opinion"}, "source_id": {answer}, "item_title": {"住户意见整改"}, "item_owner": {"物业服务中心主任"}, "item_due_on": {"2099-12-31"}}
			status, body, loc := clerk.post("/improvements", form)
			if status == 303 {
				item = strings.TrimPrefix(loc, "/improvements/")
				// The same opinion again: refused on the form, naming the item that exists.
				clerk.get("/improvements/new")
				if status, body, _ := clerk.post("/improvements", form); status != 422 || !strings.Contains(body, item) {
					t.Fatalf("a second raise from the opinion: %d %.300s", status, body)
				}
				break
			}
			if status != 422 {
				t.Fatalf("raise from answer %s: %d %.300s", answer, status, body)
			}
		}
		if item == "" {
			t.Fatal("no survey opinion to raise an item from")
		}
		path := "/api/v1/improvements/" + item
		call(outsider, "GET", path, "", 404)
		call(outsider, "POST", "/api/v1/improvements", `{"source_kind": "survey_opinion", "source_id": "`+answer+`", "title": "x", "owner": "y", "due_on": "2099-12-31"}`, 404)

		call(clerkAPI, "POST", path+"/report", `{"evidence": "已整改，附照片"}`, 200)
		e := call(clerkAPI, "POST", path+"/verify", `{"accept": true}`, 422)
		if e["error"].(map[string]any)["field"] != "measures" {
			t.Fatalf("verifying without measures: %v", e)
		}
		call(clerkAPI, "PATCH", path, `{"measures": "楼道照明纳入周巡检", "cause": "巡检路线遗漏"}`, 200)
		clerk.get("/improvements/" + item)
		if status, body, loc := clerk.post("/improvements/"+item+"/verify", url.Values{"verdict": {"accept"}}); status != 303 || loc != "/improvements/"+item {
			t.Fatalf("verify on the page: %d %q %.300s", status, loc, body)
		}
		v := call(clerkAPI, "GET", path, "", 200)
		if v["status"] != "verified" || v["verified_by"] != "clerk" || v["source_kind"] != "survey_opinion" || v["source_url"] != "/surveys/answers/"+answer {
			t.Fatalf("the verified item: %v", v)
		}
		list := call(clerkAPI, "GET", "/api/v1/improvements?status=verified&source_kind=survey_opinion&limit=50", "", 200)
		if !strings.Contains(fmt.Sprint(list["items"]), "住户意见整改") {
			t.Fatalf("the list of verified items lacks it: %v", list)
		}

		status, data := clerk.get("/improvements/export?source_kind=survey_opinion")
		if status != 200 {
			t.Fatalf("export: %d", status)
		}
		x, err := excelize.OpenReader(bytes.NewReader([]byte(data)))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheet := x.GetSheetName(0)
		rows, _ := x.GetRows(sheet)
		found := false
		for i := 2; i <= len(rows); i++ {
			cell := fmt.Sprintf("A%d", i)
			if v, _ := x.GetCellValue(sheet, cell); v == item {
				typ, _ := x.GetCellType(sheet, cell)
				if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Fatalf("the item's id is a %v cell, want a number", typ)
				}
				found = true
			}
		}
		if !found {
			t.Fatalf("the XLSX lacks item %s", item)
		}
	})
}
