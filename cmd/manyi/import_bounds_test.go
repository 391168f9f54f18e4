package main

import (
	"archive/zip"
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

	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestImportRefusalsEndToEnd sends the fault workbooks that used to get through or mislead,
// through the upload page and the API, on both databases: a small workbook hiding a 64 MB cell,
// CSVs in Big5 and UTF-16, and report times of 0001-01-01 and 1900-01-01. Each is refused
// with a message that says what is wrong, and nothing is stored.
func TestImportRefusalsEndToEnd(t *testing.T) {
	t.Parallel()
	// The bomb: one worksheet part of 64 MB of one letter, a few dozen kilobytes compressed.
	var bomb bytes.Buffer
	z := zip.NewWriter(&bomb)
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	w.Write([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`))
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for range 64 {
		w.Write(chunk)
	}
	w.Write([]byte(`</t></is></c></row></sheetData></worksheet>`))
	z.Close()
	big5, _ := traditionalchinese.Big5.NewEncoder().Bytes([]byte("報修時間,報修人,聯絡電話,報修地點,故障情況\n2026-11-02 08:30,王老師,13911110001,3號樓201,網路不通\n"))
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("报修时间,报修人\n2026-11-02 08:30,王老师\n"))

	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		team, maint := importTeam(t, m)
		orders := func() int { return sqlCount(t, m, "SELECT COUNT(*) FROM work_orders") }
		before := orders()

		c := newClient(t, m.URL())
		c.login("dispatcher1", demo.DemoPassword)
		c.get("/workorders/import")
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("csrf", c.csrf)
		f, _ := mw.CreateFormFile("file", "bomb.xlsx")
		f.Write(bomb.Bytes())
		mw.Close()
		status, page, _ := c.do("POST", "/workorders/import", &b, map[string]string{"Content-Type": mw.FormDataContentType()})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "xl/worksheets/sheet1.xml") || !strings.Contains(page, "100 倍") {
			t.Errorf("upload of the bomb: %d %.1500s", status, page)
		}

		token := newToken(t, c)
		api := newClient(t, m.URL())
		for _, tc := range []struct {
			name, file string
			data       []byte
			want       string
		}{
			{"bomb", "bomb.xlsx", bomb.Bytes(), "compressed more than 100-fold"},
			{"Big5", "big5.csv", big5, "Supported encodings: UTF-8, GBK/GB18030"},
			{"UTF-16", "utf16.csv", utf16, "is in UTF-16"},
		} {
			status, body, _ := api.do("POST", "/api/v1/workorders/import?lang=en&file_name="+tc.file, bytes.NewReader(tc.data),
				map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/octet-stream", "Accept-Language": "en"})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || !strings.Contains(body, `"field":"import_file"`) {
				t.Errorf("API %s: %d %s", tc.name, status, body)
			}
		}

		csv := fmt.Sprintf("报修时间,报修人,联系电话,报修地点,设备/系统,故障情况,班组,维修人\n"+
			"2026-11-02 08:30,甲,13911110001,3号楼,交换机,不通,%[1]s,%[2]s\n"+
			"0001-01-01 00:00,乙,13911110002,3号楼,交换机,不通,%[1]s,%[2]s\n"+
			"1900-01-01 08:00,丙,13911110003,3号楼,交换机,不通,%[1]s,%[2]s\n", team, maint)
		status, body, _ := api.do("POST", "/api/v1/workorders/import?file_name=day.csv", strings.NewReader(csv),
			map[string]string{"Authorization": "Bearer " + token, "Content-Type": "text/csv"})
		var refused struct {
			Problems []struct {
				Row     int
				Field   string
				Message string
			}
		}
		json.Unmarshal([]byte(body), &refused)
		if status != http.StatusUnprocessableEntity || len(refused.Problems) != 2 || refused.Problems[0].Row != 3 || refused.Problems[1].Row != 4 ||
			refused.Problems[0].Field != "reported_at" || !strings.Contains(refused.Problems[1].Message, "2000-01-01") {
			t.Errorf("API file with implausible times: %d %s", status, body)
		}
		if n := orders(); n != before {
			t.Fatalf("%d orders stored from refused files", n-before)
		}
	})
}

// importTeam is a maintenance team of the demo and one of its active maintainers, by name.
func importTeam(t *testing.T, m *Main) (team, maint string) {
	t.Helper()
	if err := m.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT u.name, p.name FROM units u JOIN people p ON p.unit_id = u.id
			WHERE u.kind = 'team' AND u.code LIKE 'IMC%' AND p.active = ? ORDER BY p.id LIMIT 1`, true).Scan(&team, &maint)
	}); err != nil {
		t.Fatal(err)
	}
	return team, maint
}

// newToken creates an API token on the logged-in user's account page and returns it.
func newToken(t *testing.T, c *client) string {
	t.Helper()
	c.get("/account")
	_, page, _ := c.post("/account/tokens", url.Values{"name": {"test"}})
	tm := regexp.MustCompile(`id="new-token">(manyi_[^<]+)<`).FindStringSubmatch(page)
	if tm == nil {
		t.Fatalf("no token shown: %.500s", page)
	}
	return tm[1]
}
