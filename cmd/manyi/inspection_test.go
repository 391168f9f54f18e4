package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"manyi/internal/demo"
	"manyi/internal/inspection"
	"manyi/internal/sampling"
	"manyi/internal/store"
)

// testPNG is a small real photo: what a phone camera sends, only smaller.
func testPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// postMultipart submits a form with a photo the way the inspection pages do.
func (c *client) postMultipart(path string, fields map[string]string, photoName string, photo []byte) (int, string, string) {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", c.csrf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if photo != nil {
		f, _ := w.CreateFormFile("photos", photoName)
		f.Write(photo)
	}
	w.Close()
	status, body, h := c.do("POST", path, &b, map[string]string{"Content-Type": w.FormDataContentType()})
	return status, body, h.Get("Location")
}

func optionValue(t *testing.T, page, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<option value="(\d+)"[^>]*>` + regexp.QuoteMeta(label)).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no option %q on the page", label)
	}
	return m[1]
}

// TestInspectionDay walks issue 7's "done when" on the demo data: the clerk files an
// inspection of 玫瑰区 with a finding and a photo, bad input is refused and changes nothing,
// the finding reaches unit-monthly's problems in a period close, the care director signs off
// a deduction the clerk may not, the care worker's 30-point last month shows base salary only,
// and last week's sample meets every quota, on screen and as XLSX.
func TestInspectionDay(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		now := m.DB.Now().In(inspection.Zone)
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)
		mg := unitID(t, clerk, "玫瑰区")

		status, page := clerk.get("/inspections/new?kind=routine&unit=" + mg)
		if status != http.StatusOK || !strings.Contains(page, `capture="environment"`) || !strings.Contains(page, `accept="image/*"`) {
			t.Fatalf("new inspection page: %d %.500s", status, page)
		}
		checklist := regexp.MustCompile(`name="checklist_id" value="(\d+)"`).FindStringSubmatch(page)
		if checklist == nil {
			t.Fatal("the form preselects no checklist")
		}
		item := optionValue(t, page, "P01 ")
		form := func(at, deduction string) map[string]string {
			return map[string]string{"inspection_kind": "routine", "unit_id": mg, "checklist_id": checklist[1], "inspected_at": at,
				"checklist_item": item, "finding_description": "5 号楼大堂地面有积水未清理", "deduction": deduction, "rectify_due": now.AddDate(0, 0, 3).Format(time.DateOnly)}
		}
		// The demo's last month is not closed yet: the clerk files a late inspection for it.
		last := demoMonth(-1)
		today := last + "-28T10:00"
		count := func() int {
			_, list := clerk.get("/inspections?unit=" + mg + "&month=" + last)
			return strings.Count(list, `<tr data-id=`)
		}
		before := count()

		// Refused: a PDF named like a photo, a deduction outside the item's range, a finding in
		// a locked month. Nothing is stored.
		pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
		for _, tt := range []struct {
			name, at, deduction, photoName string
			photo                          []byte
			status                         int
			want                           string
		}{
			{"not an image", today, "", "IMG_0001.jpg", pdf, http.StatusUnprocessableEntity, "不是图片"},
			{"deduction out of range", today, "5", "IMG_0002.png", testPNG(), http.StatusUnprocessableEntity, "超出检查项目 P01 的范围 1–1"},
			{"closed period", demoMonth(-2) + "-10T10:00", "", "IMG_0003.png", testPNG(), http.StatusConflict, "已审定或锁定"},
		} {
			status, body, _ := clerk.postMultipart("/inspections", form(tt.at, tt.deduction), tt.photoName, tt.photo)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("%s: %d %.300s", tt.name, status, body)
			}
		}
		if n := count(); n != before {
			t.Fatalf("refused inspections were stored: %d → %d", before, n)
		}

		status, body, loc := clerk.postMultipart("/inspections", form(today, ""), "IMG_0004.png", testPNG())
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/inspections/") {
			t.Fatalf("file: %d %.300s", status, body)
		}
		_, show := clerk.get(loc)
		photo := regexp.MustCompile(`<img src="(/inspections/photos/\d+)"`).FindStringSubmatch(show)
		if photo == nil || !strings.Contains(show, "5 号楼大堂地面有积水未清理") {
			t.Fatalf("inspection page: %.1500s", show)
		}
		if status, img := clerk.get(photo[1]); status != http.StatusOK || !bytes.Equal([]byte(img), testPNG()) {
			t.Fatalf("photo: %d", status)
		}
		// The head of 永馨园 may not see 玫瑰区's photo.
		head := newClient(t, m.URL())
		head.login("head.yongxin", demo.DemoPassword)
		if status, _ := head.get(photo[1]); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Fatalf("another unit's head reads the photo: %d", status)
		}

		// The month's problems reach unit-monthly: the open month's close counts the finding beside
		// the nine of the demo, and its drill-down links to the inspection.
		_, index := clerk.get("/assessment")
		prop := optionValue(t, index, "物业公司<")
		status, body, closeURL := clerk.post("/assessment/closes", url.Values{"scheme": {"unit-monthly"}, "period": {last}, "parent_id": {prop}})
		if status != http.StatusSeeOther {
			t.Fatalf("start close: %d %s", status, regexp.MustCompile(`id="form-error">[^<]*`).FindString(body))
		}
		_, cl := clerk.get(closeURL)
		if strings.Contains(cl, "inspections, problems") {
			t.Fatal("the close says the inspection facts have no source")
		}
		res := regexp.MustCompile(`href="(/assessment/closes/\d+/units/` + mg + `)"`).FindStringSubmatch(cl)
		if res == nil {
			t.Fatalf("no result for 玫瑰区: %.1000s", cl)
		}
		_, result := clerk.get(res[1])
		if !strings.Contains(result, loc+"#finding-") || !strings.Contains(result, "50 − 10 项问题 × 1 = 40") {
			t.Fatalf("玫瑰区's result does not count the finding (50 − 10): %.3000s", result)
		}

		// Drill-down: 玫瑰区's problems of the month on the per-unit page lead to exactly those findings.
		_, units := clerk.get("/inspections/units?month=" + last)
		pm := regexp.MustCompile(`(?s)<tr data-unit="` + mg + `">.*?<a class="problems" href="([^"]+)">(\d+)</a>`).FindStringSubmatch(units)
		if pm == nil || pm[2] != "10" {
			t.Fatalf("玫瑰区 on the per-unit page: %v", pm)
		}
		if _, fl := clerk.get(strings.ReplaceAll(pm[1], "&amp;", "&")); strings.Count(fl, `<tr id="finding-`) != 10 {
			t.Fatalf("drill-down from 10 problems shows %d findings", strings.Count(fl, `<tr id="finding-`))
		}

		// Sign-off: the clerk is refused, the care director signs.
		_, pending := clerk.get("/inspections/findings?pending=1")
		fm := regexp.MustCompile(`<tr id="finding-(\d+)" data-signoff="pending"`).FindStringSubmatch(pending)
		if fm == nil {
			t.Fatalf("no finding awaiting sign-off on demo data: %.1500s", pending)
		}
		if status, body, _ := clerk.post("/inspections/findings/"+fm[1]+"/signoff", url.Values{"decision": {"sign"}}); status != http.StatusForbidden || !strings.Contains(body, "只有该部门的负责人") {
			t.Fatalf("sign-off by the clerk: %d %.300s", status, body)
		}
		director := newClient(t, m.URL())
		director.login("head.care", demo.DemoPassword)
		director.get("/inspections/findings?pending=1")
		if status, _, _ := director.post("/inspections/findings/"+fm[1]+"/signoff", url.Values{"decision": {"sign"}, "back": {"/inspections/findings?pending=1"}}); status != http.StatusSeeOther {
			t.Fatalf("sign-off by the director: %d", status)
		}
		if _, after := director.get("/inspections/findings?pending=1"); strings.Contains(after, `id="finding-`+fm[1]+`"`) {
			t.Fatal("the signed finding still awaits sign-off")
		}

		// The care worker's last month: 30 points, 300 yuan, base salary only; the other worker's
		// second month of 30 or more is referred for dismissal review.
		_, people := director.get("/inspections/people?month=" + last)
		for _, page := range []string{people, units} {
			if bad := misalignedColumns(t, page); len(bad) > 0 {
				t.Errorf("personal deductions or units by month: numbers under a left-aligned heading: %v", bad)
			}
		}
		rows := regexp.MustCompile(`(?s)<tr data-person="\d+">.*?</tr>`).FindAllString(people, -1)
		var base, dismissal bool
		for _, r := range rows {
			if strings.Contains(r, `<td class="num points"`) && strings.Contains(r, ">30</td>") && strings.Contains(r, ">300</td>") && strings.Contains(r, "flag-base") {
				base = true
			}
			if strings.Contains(r, "flag-dismissal") {
				dismissal = true
			}
		}
		if !base || !dismissal {
			t.Fatalf("last month's care deductions: base salary only %v, dismissal review %v: %.3000s", base, dismissal, people)
		}

		// The nurse charged with a signed-off deduction has a notice and sees her own month only.
		nurse := newClient(t, m.URL())
		nurse.login("nurse1", demo.DemoPassword)
		if _, notes := nurse.get("/inspections/notifications"); !strings.Contains(notes, "杨春梅：") || !strings.Contains(notes, "已经部门负责人签认") {
			t.Fatalf("the nurse's notices: %.1500s", notes)
		}
		if _, own := nurse.get("/inspections/people?month=" + now.AddDate(0, 0, -2).Format("2006-01")); strings.Count(own, `<tr data-person=`) != 1 || !strings.Contains(own, "杨春梅") {
			t.Fatalf("the nurse's month: %.2000s", own)
		}

		// The work group compares the logistics departments' self-checks with its spot checks.
		_, checks := clerk.get("/inspections/checks?quarter=" + quarterOf(demoMonth(-3)))
		if !strings.Contains(checks, "市场经营部") || !regexp.MustCompile(`<td class="num penalty">\d`).MatchString(checks) {
			t.Fatalf("self-check comparison: %.2000s", checks)
		}

		// Last week's sample meets every quota; the report opens as XLSX.
		week := sampling.WeekOf(now.AddDate(0, 0, -7))
		_, sp := clerk.get("/sampling?week=" + week)
		if !strings.Contains(sp, "本周所有抽样计划均已完成") || strings.Count(sp, `class="status ok met"`) != 4 {
			t.Fatalf("last week's sampling: %.3000s", sp)
		}
		status, xlsx, h := clerk.do("GET", "/sampling/report.xlsx?week="+week, nil, nil)
		if status != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx: %d", status)
		}
		wb, err := excelize.OpenReader(strings.NewReader(xlsx))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := wb.GetCellValue("汇总", "A1"); v != "抽样计划" {
			t.Fatalf("xlsx summary header: %q", v)
		}
		if rows, _ := wb.GetRows("抽样明细"); len(rows) != 1+4+10+6+5 {
			t.Fatalf("xlsx items: %d rows", len(rows))
		}
		// A sample larger than its population is refused, naming both numbers.
		_, sp = clerk.get("/sampling?week=" + sampling.WeekOf(now))
		plan := regexp.MustCompile(`<option value="(\d+)"[^>]*>合同`).FindStringSubmatch(sp)
		if plan == nil {
			t.Fatalf("the draw form offers no 合同 plan this week: %.2000s", sp)
		}
		status, body, _ = clerk.post("/sampling/draws", url.Values{"week": {sampling.WeekOf(now)}, "plan_id": {plan[1]}, "sample_size": {"4"}, "population": {"C1,合同一\nC2,合同二\nC3,合同三"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "样本量 4 大于总体数量 3") {
			t.Fatalf("sample larger than its population: %d %.300s", status, body)
		}
	})
}
