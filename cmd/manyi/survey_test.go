package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	qr "github.com/piglig/go-qr"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/demo"
	"manyi/internal/store"
)

// secondClerk gives the demo's second quality clerk (a 质检员 without an account) a login,
// for double entry.
func secondClerk(t *testing.T, m *Main) {
	t.Helper()
	ctx := context.Background()
	var person int64
	err := m.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT p.id FROM people p JOIN role_assignments r ON r.person_id = p.id
			WHERE r.role = 'clerk' AND p.title = '质检员' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id) ORDER BY p.id LIMIT 1`).Scan(&person)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.CreateUser(ctx, m.DB, access.System, auth.UserInput{PersonID: person, Username: "clerk2", Password: demo.DemoPassword}); err != nil {
		t.Fatal(err)
	}
}

func sqlCount(t testing.TB, m *Main, q string, args ...any) int {
	t.Helper()
	var n int
	ctx := context.Background()
	if err := m.DB.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, q, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// decodeSVG reads the QR code of a printed questionnaire back, as a phone's camera would:
// the SVG's modules drawn as pixels, decoded.
func decodeSVG(t *testing.T, svg string) string {
	t.Helper()
	vb := regexp.MustCompile(`viewBox="0 0 (\d+) \d+"`).FindStringSubmatch(svg)
	if vb == nil {
		t.Fatalf("no QR svg: %.200s", svg)
	}
	n, _ := strconv.Atoi(vb[1])
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, mm := range regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.Atoi(mm[1])
		y, _ := strconv.Atoi(mm[2])
		for dy := range scale {
			for dx := range scale {
				img.SetGray(x*scale+dx, y*scale+dy, color.Gray{})
			}
		}
	}
	text, err := qr.Decode(img)
	if err != nil {
		t.Fatalf("decode the printed QR code: %v", err)
	}
	return text
}

// TestSurveyQuarter runs a quarter as the Quality Department does, on demo data: print a
// questionnaire and answer it from its QR link without logging in (refusals, a retry and a
// second answer included), enter a paper one twice (and resolve a mismatch), read the
// rates, answer and close a follow-up, and check the third quarter's survey-quarterly
// results against a count made straight from the tables.
func TestSurveyQuarter(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		secondClerk(t, m)
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)

		// q4 is the demo's current quarter, q3 the one before.
		current, previous := quarterOf(demoMonth(0)), quarterOf(demoMonth(-3))
		_, index := clerk.get("/surveys")
		q4 := regexp.MustCompile(`<tr data-audience="residents" data-id="\d+"><td>` + current + `</td><td><a href="/surveys/campaigns/(\d+)">`).FindStringSubmatch(index)
		q3 := regexp.MustCompile(`<tr data-audience="residents" data-id="\d+"><td>` + previous + `</td><td><a href="/surveys/campaigns/(\d+)">`).FindStringSubmatch(index)
		if q4 == nil || q3 == nil {
			t.Fatalf("the demo has no campaigns of %s and %s: %.1500s", previous, current, index)
		}
		campaign := "/surveys/campaigns/" + q4[1]
		q4ID, _ := strconv.ParseInt(q4[1], 10, 64)
		q3ID, _ := strconv.ParseInt(q3[1], 10, 64)
		_, page := clerk.get(campaign)
		yx := regexp.MustCompile(`<tr id="unit-(\d+)"><td><a [^>]*>永馨园</a>`).FindStringSubmatch(page)
		if yx == nil {
			t.Fatalf("the campaign page has no 永馨园 row: %.2000s", page)
		}
		yxID, _ := strconv.ParseInt(yx[1], 10, 64)

		// Print: one A4 sheet per household with its code and a QR code of its link.
		status, sheets := clerk.get(campaign + "/print?unit=" + yx[1] + "&limit=3")
		codes := regexp.MustCompile(`id="sheet-([0-9A-Z]{8})"`).FindAllStringSubmatch(sheets, -1)
		if status != http.StatusOK || len(codes) != 3 {
			t.Fatalf("print: %d, %d sheets", status, len(codes))
		}
		svg := sheets[strings.Index(sheets, "<svg"):]
		svg = svg[:strings.Index(svg, "</svg>")]
		link := decodeSVG(t, svg)
		if link != m.URL()+"/s/"+codes[0][1] {
			t.Fatalf("the QR code says %q, want the questionnaire's link", link)
		}
		u, _ := url.Parse(link)
		paper, mismatch := codes[1][1], codes[2][1]

		// The resident answers without logging in.
		resident := newClient(t, m.URL())
		status, form := resident.get(u.Path)
		if status != http.StatusOK || !strings.Contains(form, `id="privacy"`) || strings.Contains(form, " checked") || !strings.Contains(form, "永馨园") {
			t.Fatalf("public questionnaire: %d %.1500s", status, form)
		}
		idem := regexp.MustCompile(`name="idem" value="([0-9a-f]+)"`).FindStringSubmatch(form)[1]
		answers := func() int { return sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers") }
		before := answers()
		for _, bad := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"q_overall": {"9"}}, "不在量表内"},
			{url.Values{"q_cleaning": {"1"}}, "请回答"},
			{url.Values{"q_overall": {"1"}, "survey_opinion": {strings.Repeat("太长", 501)}}, "意见或建议太长"},
		} {
			bad.form.Set("idem", idem)
			if status, body, _ := resident.post(u.Path, bad.form); status != http.StatusUnprocessableEntity || !strings.Contains(body, bad.want) {
				t.Errorf("bad answer %v: %d, want %q", bad.form, status, bad.want)
			}
		}
		good := url.Values{"idem": {idem}, "q_overall": {"4"}, "q_repair": {"5"}, "survey_opinion": {"报修后三天才有人来"}, "problem_location": {"户内"}, "problem_type": {"设施维修"}, "phone": {"13912345678"}}
		if status, _, loc := resident.post(u.Path, good); status != http.StatusSeeOther || loc != u.Path+"/thanks" {
			t.Fatalf("answer: %d %s", status, loc)
		}
		if status, _, loc := resident.post(u.Path, good); status != http.StatusSeeOther || loc != u.Path+"/thanks" {
			t.Fatalf("retried answer: %d %s", status, loc)
		}
		good.Set("idem", "another-submission")
		if status, body, _ := resident.post(u.Path, good); status != http.StatusConflict || !strings.Contains(body, "已经提交过") {
			t.Fatalf("second answer: %d", status)
		}
		if n := answers(); n != before+1 {
			t.Fatalf("%d answers stored, want 1", n-before)
		}
		if _, again := resident.get(u.Path); !strings.Contains(again, `id="already-answered"`) {
			t.Error("the questionnaire does not say it was answered")
		}
		if status, body := resident.get("/s/ZZZZZZZZ"); status != http.StatusNotFound || !strings.Contains(body, "不存在") {
			t.Errorf("unknown code: %d", status)
		}
		// The third quarter's campaign has ended.
		status, q3print := clerk.get("/surveys/campaigns/" + q3[1] + "/print?unit=" + yx[1] + "&limit=1")
		old := regexp.MustCompile(`id="sheet-([0-9A-Z]{8})"`).FindStringSubmatch(q3print)
		if status != http.StatusOK || old == nil {
			t.Fatalf("third-quarter print: %d", status)
		}
		if status, body, _ := resident.post("/s/"+old[1], url.Values{"q_overall": {"1"}}); status != http.StatusConflict || !strings.Contains(body, "已结束") {
			t.Errorf("answer to an ended campaign: %d", status)
		}
		if n := answers(); n != before+1 {
			t.Fatal("a refused answer was stored")
		}

		// Paper: two clerks enter a questionnaire; the second does not see the first entry.
		clerk2 := newClient(t, m.URL())
		clerk2.login("clerk2", demo.DemoPassword)
		paperForm := func() url.Values {
			return url.Values{"survey_answered_on": {demoToday()}, "q_overall": {"2"}, "q_security": {"3"}, "survey_opinion": {"夜间巡逻太少"}}
		}
		clerk.get("/surveys/entry/" + paper)
		if status, _, _ := clerk.post("/surveys/entry/"+paper, paperForm()); status != http.StatusSeeOther {
			t.Fatalf("first entry: %d", status)
		}
		clerk.get("/surveys/entry/" + paper)
		if status, body, _ := clerk.post("/surveys/entry/"+paper, paperForm()); status != http.StatusConflict || !strings.Contains(body, "另一位录入员") {
			t.Fatalf("second entry by the same clerk: %d", status)
		}
		if _, blind := clerk2.get("/surveys/entry/" + paper); strings.Contains(blind, "夜间巡逻太少") || strings.Contains(blind, " checked") {
			t.Fatal("the second clerk sees the first entry")
		}
		if status, body, _ := clerk2.post("/surveys/entry/"+paper, paperForm()); status != http.StatusSeeOther {
			t.Fatalf("second entry: %d %.500s", status, body)
		}
		if n := sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id WHERE i.code = ? AND a.channel = 'paper'", paper); n != 1 {
			t.Fatal("matching entries did not store the paper answer")
		}
		clerk.get("/surveys/entry/" + mismatch)
		clerk.post("/surveys/entry/"+mismatch, url.Values{"survey_answered_on": {demoToday()}, "q_overall": {"1"}})
		clerk2.get("/surveys/entry/" + mismatch)
		clerk2.post("/surveys/entry/"+mismatch, url.Values{"survey_answered_on": {demoToday()}, "q_overall": {"2"}})
		if _, list := clerk.get("/surveys/entry"); !strings.Contains(list, mismatch) {
			t.Fatal("the mismatch is not listed")
		}
		if _, res := clerk.get("/surveys/entry/" + mismatch); !strings.Contains(res, `class="differs"`) {
			t.Fatal("the resolution page does not show the difference")
		}
		if status, _, _ := clerk.post("/surveys/entry/"+mismatch, url.Values{"resolve": {"1"}, "survey_answered_on": {demoToday()}, "q_overall": {"2"}}); status != http.StatusSeeOther {
			t.Fatalf("resolve: %d", status)
		}
		if _, acc := clerk.get("/surveys/entry"); !strings.Contains(acc, "50.00%") || !strings.Contains(acc, "100.00%") {
			t.Errorf("entry accuracy is not shown: %.3000s", acc)
		}

		// Rates: 永馨园's valid questionnaires, counted from the table.
		valid := sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers WHERE campaign_id = ? AND unit_id = ? AND authenticity <> 'fake'", q4ID, yxID)
		_, page = clerk.get(campaign)
		row := regexp.MustCompile(`(?s)<tr id="unit-` + yx[1] + `">.*?</tr>`).FindString(page)
		if !strings.Contains(row, fmt.Sprintf(`<td class="num">%d`, valid)) || !strings.Contains(row, "≥ 30.00%") {
			t.Fatalf("永馨园's rates row does not show %d valid: %s", valid, row)
		}

		// Follow-up: the head of 永馨园 answers the opinion, the clerk checks and closes it.
		head := newClient(t, m.URL())
		head.login("head.yongxin", demo.DemoPassword)
		_, fl := head.get("/surveys/followups?status=open")
		if strings.Contains(fl, "玫瑰区") {
			t.Error("the head of 永馨园 sees 玫瑰区's follow-ups")
		}
		var fu string
		for _, r := range regexp.MustCompile(`<a href="(/surveys/followups/\d+)">\d+</a></td><td>永馨园</td><td>([^<]*)<`).FindAllStringSubmatch(fl, -1) {
			if r[2] == "报修后三天才有人来" {
				fu = r[1]
			}
		}
		if fu == "" {
			t.Fatalf("the opinion opened no follow-up: %.2000s", fl)
		}
		head.get(fu)
		if status, body, _ := head.post(fu, url.Values{"followup_cause": {"维修排班不足"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "措施不能为空") {
			t.Fatalf("follow-up without action: %d", status)
		}
		if status, _, _ := head.post(fu, url.Values{"followup_cause": {"维修排班不足"}, "followup_action": {"增加周末值班维修工"}, "followup_outcome": {"已上门修复，业主认可"}}); status != http.StatusSeeOther {
			t.Fatalf("follow-up: %d", status)
		}
		if status, _, _ := head.post(fu+"/close", url.Values{"followup_check": {"ok"}}); status != http.StatusForbidden {
			t.Fatalf("the head closes the follow-up: %d", status)
		}
		clerk.get(fu)
		if status, _, _ := clerk.post(fu+"/close", url.Values{"followup_check": {"电话抽查业主，属实"}}); status != http.StatusSeeOther {
			t.Fatalf("close: %d", status)
		}
		if _, closed := clerk.get(fu); !strings.Contains(closed, "已检查关闭") {
			t.Fatal("the follow-up is not closed")
		}

		// An answer's page shows the respondent's name in full: the view is access-logged.
		named := sqlCount(t, m, "SELECT MIN(id) FROM survey_answers WHERE respondent <> ''")
		if named == 0 {
			t.Fatal("no demo answer carries a respondent's name")
		}
		viewsBefore := sqlCount(t, m, "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND entity = 'survey_answer'")
		if status, _ := clerk.get(fmt.Sprintf("/surveys/answers/%d", named)); status != http.StatusOK {
			t.Fatalf("answer page: %d", status)
		}
		if after := sqlCount(t, m, "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal' AND entity = 'survey_answer'"); after != viewsBefore+1 {
			t.Fatalf("%d access-log entries after viewing a named answer, want %d", after, viewsBefore+1)
		}

		// survey-quarterly for the third quarter, against a hand count from the tables.
		_, qp := clerk.get("/surveys/quarters/" + previous)
		qFirst, qLast := quarterMonths(previous)
		qEnd := mustDay(t, qLast+"-28").AddDate(0, 0, 1) // the day after the snapshot
		checked := 0
		for _, r := range regexp.MustCompile(`(?s)<tr id="q-unit-(\d+)"><td>([^<]+)</td>.*?<td class="num big">([^<]+)</td>`).FindAllStringSubmatch(qp, -1) {
			unit, _ := strconv.ParseInt(r[1], 10, 64)
			households := sqlCount(t, m, "SELECT households FROM survey_campaign_units WHERE campaign_id = ? AND unit_id = ?", q3ID, unit)
			threshold := sqlCount(t, m, "SELECT threshold_bp FROM survey_campaign_units WHERE campaign_id = ? AND unit_id = ?", q3ID, unit)
			snap, _ := time.ParseInLocation("2006-01-02", qEnd.Format(time.DateOnly), time.FixedZone("CST", 8*3600))
			v := sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers WHERE campaign_id = ? AND unit_id = ? AND authenticity <> 'fake' AND answered_at < ?", q3ID, unit, snap.UTC())
			sat := sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers WHERE campaign_id = ? AND unit_id = ? AND authenticity <> 'fake' AND answered_at < ? AND satisfied", q3ID, unit, snap.UTC())
			faults := sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers WHERE campaign_id = ? AND unit_id = ? AND authenticity <> 'fake' AND answered_at < ? AND verified_fault", q3ID, unit, snap.UTC())
			improper := sqlCount(t, m, "SELECT COUNT(*) FROM survey_improper_cases WHERE unit_id = ? AND occurred_on >= ? AND occurred_on < ?", unit, qFirst+"-01", mustDay(t, qLast+"-01").AddDate(0, 1, 0).Format(time.DateOnly))
			want := -faults - 5*improper
			if v*10000 < threshold*households {
				want--
			}
			if sat*100 < 95*v {
				want -= 3
			}
			if v == 0 {
				if r[3] != "—" {
					t.Errorf("%s has no answers but a total %s", r[2], r[3])
				}
				continue
			}
			if r[3] != strconv.Itoa(want) {
				t.Errorf("%s: survey-quarterly %s, hand count %d (%d/%d households, threshold %d bp, %d satisfied, %d faults)", r[2], r[3], want, v, households, threshold, sat, faults)
			}
			checked++
		}
		if checked < 4 {
			t.Fatalf("only %d units checked on the quarter page: %.2000s", checked, qp)
		}
	})
}
