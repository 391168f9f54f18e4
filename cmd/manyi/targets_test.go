package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"manyi/internal/store"
)

// htmlNodes returns the elements of page for which keep is true.
func htmlNodes(t *testing.T, page string, keep func(n *html.Node) bool) []*html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && keep(n) {
			out = append(out, n)
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(doc)
	return out
}

// insideClass reports whether an ancestor of n has the class.
func insideClass(n *html.Node, class string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if nodeAttr(p, "class") == class {
			return true
		}
	}
	return false
}

// TestTargetsBreachToRecords: on the demo, the engineering clerk finds a month in which a
// construction plan was filed late or not at all, opens the breach's records and follows one
// to its project.
func TestTargetsBreachToRecords(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		c := newClient(t, m.URL())
		c.login("clerk.eng", "manyi-demo-2026")
		now := time.Now()
		var month, unit string
		for i := range 13 {
			mo := now.AddDate(0, -i, 0).Format("2006-01")
			status, page := c.get("/targets?month=" + mo)
			if status != http.StatusOK {
				t.Fatalf("/targets?month=%s: %d", mo, status)
			}
			breaches := htmlNodes(t, page, func(n *html.Node) bool {
				return n.Data == "tr" && nodeAttr(n, "class") == "breach" && nodeAttr(n, "data-unit") != "" && n.Parent != nil && n.Parent.Parent != nil &&
					n.Parent.Parent.Parent != nil && nodeAttr(n.Parent.Parent.Parent, "data-target") == "eng-plan-filing"
			})
			if len(breaches) > 0 {
				month, unit = mo, nodeAttr(breaches[0], "data-unit")
				break
			}
		}
		if month == "" {
			t.Fatal("no month of the demo's year shows a late construction plan")
		}
		_, page := c.get("/targets?month=" + month + "&target=eng-plan-filing&unit=" + unit)
		links := htmlNodes(t, page, func(n *html.Node) bool {
			return n.Data == "a" && strings.HasPrefix(nodeAttr(n, "href"), "/projects/") && insideClass(n, "records")
		})
		if len(links) == 0 {
			t.Fatalf("the breach of %s in unit %s lists no project", month, unit)
		}
		status, project := c.get(nodeAttr(links[0], "href"))
		if status != http.StatusOK {
			t.Fatalf("%s: %d", nodeAttr(links[0], "href"), status)
		}
		if plans := htmlNodes(t, project, func(n *html.Node) bool { return nodeAttr(n, "data-plan") != "" }); len(plans) == 0 {
			t.Errorf("the project page shows no plan status")
		}

		// The breach raises an improvement item on the page, once; the API takes the same path
		// and refuses the second, and refuses a breach that is none.
		ref := "eng-plan-filing/" + unit + "/" + month
		c.get("/improvements/new?source_kind=target_breach&source_id=" + ref)
		form := url.Values{"source_kind": {"target_breach"}, "source_id": {ref}, "item_title": {"施工组织设计按时报审"}, "item_owner": {"工程处处长"}, "item_due_on": {"2099-12-31"}}
		status, body, loc := c.post("/improvements", form)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/improvements/") {
			t.Fatalf("raise from the breach: %d %q %.300s", status, loc, body)
		}
		token := apiToken(t, m.URL(), "clerk.eng")
		raise := func(ref string) (int, string) {
			t.Helper()
			body := `{"source_kind": "target_breach", "source_id": "` + ref + `", "title": "再报一次", "owner": "工程处处长", "due_on": "2099-12-31"}`
			status, out, _ := c.do("POST", "/api/v1/improvements", strings.NewReader(body), token)
			return status, out
		}
		item := strings.TrimPrefix(loc, "/improvements/")
		if status, out := raise(ref); status != http.StatusUnprocessableEntity || !strings.Contains(out, `"field":"source_id"`) || !strings.Contains(out, item) {
			t.Fatalf("a second raise from the breach through the API: %d %.300s", status, out)
		}
		if status, out := raise("eng-plan-filing/" + unit + "/2099-01"); status != http.StatusUnprocessableEntity || !strings.Contains(out, `"field":"source_id"`) {
			t.Fatalf("a raise from no breach through the API: %d %.300s", status, out)
		}
	})
}

// TestProjectImportPage: a workbook with a bad row is refused whole, the row named; the
// mended file imports.
func TestProjectImportPage(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		c := newClient(t, m.URL())
		c.login("clerk.eng", "manyi-demo-2026")
		// The register is paged, so its size is read from the database.
		projects := func() int { return len(idsOf(t, m.DB, "SELECT id FROM projects")) }
		rowsBefore := projects()
		upload := func(handover string) (int, string) {
			x := excelize.NewFile()
			x.SetSheetRow("Sheet1", "A1", &[]any{"项目编号", "项目名称", "工程处", "重大工程", "计划开工", "施工组织设计报送", "交付日期"})
			x.SetSheetRow("Sheet1", "A2", &[]any{"IMP-1", "导入测试一", "ENG-GC2", "是", "2026-03-10", "2026-03-05", ""})
			x.SetSheetRow("Sheet1", "A3", &[]any{"IMP-2", "导入测试二", "第三工程处", "否", "2026-03-12", "", handover})
			var file bytes.Buffer
			x.Write(&file)
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			w.WriteField("csrf", c.csrf)
			fw, _ := w.CreateFormFile("file", "register.xlsx")
			fw.Write(file.Bytes())
			w.Close()
			status, body, _ := c.do("POST", "/projects/import", &b, map[string]string{"Content-Type": w.FormDataContentType()})
			return status, body
		}
		status, body := upload("2026-03-01") // handed over before its start
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("a file with a bad row: %d", status)
		}
		bad := htmlNodes(t, body, func(n *html.Node) bool { return n.Data == "tr" && nodeAttr(n, "data-row") != "" })
		if len(bad) != 1 || nodeAttr(bad[0], "data-row") != "3" {
			t.Fatalf("refused rows %v, want row 3 only", len(bad))
		}
		if n := projects(); n != rowsBefore {
			t.Fatalf("a refused file changed the register: %d projects, %d before", n, rowsBefore)
		}
		if status, _ = upload("2026-04-20"); status != http.StatusSeeOther {
			t.Fatalf("the mended file: %d", status)
		}
		if n := projects(); n != rowsBefore+2 {
			t.Fatalf("%d projects after the import, want %d", n, rowsBefore+2)
		}
	})
}
