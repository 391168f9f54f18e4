package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestBrowserSurveyPhone answers a printed questionnaire's QR link on a phone-sized Chromium
// page without logging in: nothing is preselected, the labels are large tap targets, and
// the answer arrives. With MANYI_SCREENSHOTS set it also saves the survey pages in Chinese
// and English.
func TestBrowserSurveyPhone(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	clerk := newClient(t, m.URL())
	clerk.login("clerk", demo.DemoPassword)
	_, index := clerk.get("/surveys")
	q4 := regexp.MustCompile(`<td>` + quarterOf(demoMonth(0)) + `</td><td><a href="(/surveys/campaigns/\d+)">`).FindStringSubmatch(index)
	if q4 == nil {
		t.Fatal("no fourth-quarter campaign")
	}
	_, sheets := clerk.get(q4[1] + "/print?limit=1")
	link := regexp.MustCompile(`扫描二维码在线填写（([^）]+)）`).FindStringSubmatch(sheets)
	if link == nil || !strings.HasPrefix(link[1], m.URL()+"/s/") {
		t.Fatalf("the printed questionnaire has no link: %.500s", sheets)
	}
	path := strings.TrimPrefix(link[1], m.URL())

	b := newBrowser(t, m.URL())
	b.phone()
	b.open(path)
	b.screenshot("survey-public")
	if checked, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector('input[type=radio]:checked')`)); checked {
		t.Fatal("a rating is preselected")
	}
	// A tap target is at least 44 px high, the size a thumb hits.
	if h, _ := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`document.querySelector('#q-overall .choices label').getBoundingClientRect().height`)); h < 44 {
		t.Errorf("rating labels are %.0f px high, want at least 44", h)
	}
	if w, _ := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`)); w > 392 {
		t.Errorf("the page is %.0f px wide on a 390 px phone", w)
	}
	b.do("answer",
		chromedp.Click(chromedp.CSS(`#q-overall label:nth-child(2)`)),
		chromedp.Click(chromedp.CSS(`#q-repair label:nth-child(1)`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="survey_opinion"]`), "希望增加夜间照明"),
	)
	b.screenshot("survey-public-filled")
	b.click("submit", `#survey-form button[type="submit"]`, "#thanks")
	b.screenshot("survey-thanks")
	if n := sqlCount(t, m, "SELECT COUNT(*) FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id WHERE i.code = ? AND a.band = 16 AND a.opinion = '希望增加夜间照明'", path[3:]); n != 1 {
		t.Fatalf("the phone's answer is not stored (%d)", n)
	}
	b.open(path)
	if !strings.Contains(b.text("#already-answered"), "已经提交过") {
		t.Fatal("the answered questionnaire does not say so")
	}

	if os.Getenv("MANYI_SCREENSHOTS") == "" {
		return
	}
	staff := newBrowser(t, m.URL())
	for _, lang := range []string{"zh", "en"} {
		staff.lang = lang
		if lang == "en" {
			staff.open("/lang/en?next=/")
		} else {
			staff.login("clerk", demo.DemoPassword)
		}
		for _, p := range []string{"/surveys", q4[1], q4[1] + "/print?limit=2", "/surveys/entry", "/surveys/followups", "/surveys/quarters/" + quarterOf(demoMonth(-3)), "/surveys/answers?opinions=1", "/surveys/templates"} {
			staff.open(p)
			staff.screenshot(strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(strings.Trim(p, "/")))
		}
	}
}
