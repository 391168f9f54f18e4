package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/access"
	"manyi/internal/demo"
	"manyi/internal/store"
	"manyi/internal/survey"
)

// TestPublicFormUnits: the public complaint form offers residents only the units flagged as
// serving the public (the demo's areas, serving sections, maintenance teams and wards), refuses
// an internal unit sent by hand naming the field, and an administrator's tick on the unit form
// puts a unit on the list.
func TestPublicFormUnits(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		unitID := func(code string) string {
			var id string
			if err := m.DB.Read(context.Background(), func(tx *store.Tx) error {
				return tx.QueryRow(context.Background(), "SELECT CAST(id AS TEXT) FROM units WHERE code = ?", code).Scan(&id)
			}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		option := regexp.MustCompile(`<option value="(\d+)"[^>]*>([^<]+)</option>`)
		offered := func() []string {
			resident := newClient(t, m.URL())
			_, page := resident.get("/complain")
			i := strings.Index(page, `name="unit_id"`)
			if i < 0 {
				t.Fatalf("no unit list on the public form: %.500s", page)
			}
			var names []string
			for _, o := range option.FindAllStringSubmatch(page[i:i+strings.Index(page[i:], "</select>")], -1) {
				names = append(names, strings.TrimSpace(o[2]))
			}
			sort.Strings(names)
			return names
		}
		got := offered()
		if len(got) != 14 || strings.Contains(strings.Join(got, ","), "人力资源部") || strings.Contains(strings.Join(got, ","), "质量管理工作小组") {
			t.Fatalf("the public form offers %d units: %v", len(got), got)
		}

		hr := unitID("LOG-RLZY")
		resident := newClient(t, m.URL())
		resident.get("/complain")
		status, body, _ := resident.post("/complain", url.Values{"unit_id": {hr}, "category": {"delay"}, "complainant": {"业主"},
			"contact": {"13800001111"}, "description": {"投诉内部单位"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "不受理公众投诉") {
			t.Fatalf("a complaint about 人力资源部 from the public form: %d %.300s", status, body)
		}

		admin := newClient(t, m.URL())
		admin.login("admin", testAdminPassword)
		if _, form := admin.get("/org/units/" + hr + "/edit"); !strings.Contains(form, `name="serves_public"`) {
			t.Fatal("the unit form has no serves_public box")
		}
		status, body, _ = admin.post("/org/units/"+hr, url.Values{"parent_id": {unitID("LOG")}, "code": {"LOG-RLZY"}, "name": {"人力资源部"},
			"kind": {"department"}, "active": {"1"}, "serves_public": {"1"}})
		if status != http.StatusSeeOther {
			t.Fatalf("ticking serves_public: %d %.300s", status, body)
		}
		if got := offered(); len(got) != 15 || !strings.Contains(strings.Join(got, ","), "人力资源部") {
			t.Fatalf("after the tick the public form offers %v", got)
		}
	})
}

// TestAdminResetPassword: `manyi admin reset-password` on the running server's database sets
// the password read from stdin (or a generated one, printed once), ends the account's
// sessions, and is audited with the command line as the actor; unknown accounts and short
// passwords are refused and change nothing.
func TestAdminResetPassword(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		ctx := context.Background()
		admin := newClient(t, m.URL())
		admin.login("admin", testAdminPassword)
		runReset := func(stdin string, args ...string) (string, error) {
			var out, errOut strings.Builder
			err := runAdmin(ctx, append([]string{"reset-password", "--db", m.Config.DB}, args...), strings.NewReader(stdin), &out, &errOut)
			return out.String(), err
		}
		if _, err := runReset("short\n", "admin"); err == nil || !strings.Contains(err.Error(), "at least 10") {
			t.Fatalf("a short password: %v", err)
		}
		if _, err := runReset("a-new-long-password\n", "nobody"); err == nil || !strings.Contains(err.Error(), "nobody") {
			t.Fatalf("an unknown account: %v", err)
		}
		if _, err := runReset("", "admin"); err == nil {
			t.Fatal("an empty stdin was taken as a password")
		}
		if status, _ := admin.get("/org"); status != http.StatusOK {
			t.Fatalf("a refused reset ended the session: %d", status)
		}

		if _, err := runReset("a-new-long-password\n", "admin"); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := admin.do("GET", "/org", nil, nil); status != http.StatusSeeOther {
			t.Fatalf("the administrator's session survived the reset: %d", status)
		}
		fresh := newClient(t, m.URL())
		fresh.get("/login")
		if status, _, _ := fresh.post("/login", url.Values{"username": {"admin"}, "password": {testAdminPassword}}); status == http.StatusSeeOther {
			t.Fatal("the old password still logs in")
		}
		fresh.login("admin", "a-new-long-password")
		if n := sqlCount(t, m, "SELECT COUNT(*) FROM audit_log WHERE action = 'reset_password' AND entity = 'user' AND actor = 'system/cli'"); n != 1 {
			t.Fatalf("%d audited resets by the command line, want 1", n)
		}

		out, err := runReset("", "--generate", "clerk")
		pw := regexp.MustCompile(`New password for "clerk": (\S+)`).FindStringSubmatch(out)
		if err != nil || pw == nil {
			t.Fatalf("--generate: %v %q", err, out)
		}
		newClient(t, m.URL()).login("clerk", pw[1])
	})
}

// TestQuarterPageTwoCampaigns: a second campaign of 2026-Q3 over 永馨园 (400 households) with
// 300 answers puts the quarter's valid questionnaires above one campaign's households; the
// quarter page still shows 永馨园, once, over both campaigns (800 questionnaires handed out),
// instead of answering 422 for the whole page.
func TestQuarterPageTwoCampaigns(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		ctx := context.Background()
		var yxy int64
		var tmpl int64
		if err := m.DB.Read(ctx, func(tx *store.Tx) error {
			if err := tx.QueryRow(ctx, "SELECT id FROM units WHERE code = 'PROP-YXY'").Scan(&yxy); err != nil {
				return err
			}
			return tx.QueryRow(ctx, "SELECT template_id FROM survey_campaigns WHERE quarter = '2026-Q3'").Scan(&tmpl)
		}); err != nil {
			t.Fatal(err)
		}
		clerk := access.Principal{Username: "clerk", Name: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
		c, err := survey.CreateCampaign(ctx, m.DB, clerk, survey.CampaignInput{Name: "2026 年第三季度走访补充调查", Quarter: "2026-Q3", TemplateID: tmpl,
			Units: []survey.CampaignUnitInput{{UnitID: yxy}}})
		if err != nil {
			t.Fatal(err)
		}
		var rows []survey.ImportRow
		for i := range 300 {
			rows = append(rows, survey.ImportRow{UnitID: yxy, AnsweredOn: fmt.Sprintf("2026-08-%02d", 1+i%27), Level: 1 + i%2})
		}
		if _, err := survey.Import(ctx, m.DB, clerk, c.ID, rows); err != nil {
			t.Fatal(err)
		}
		web := newClient(t, m.URL())
		web.login("clerk", demo.DemoPassword)
		status, page := web.get("/surveys/quarters/2026-Q3")
		if status != http.StatusOK {
			t.Fatalf("quarter page: %d %.500s", status, page)
		}
		row := regexp.MustCompile(`(?s)<tr id="q-unit-`+fmt.Sprint(yxy)+`">(.*?)</tr>`).FindAllStringSubmatch(page, -1)
		if len(row) != 1 || !strings.Contains(row[0][1], "800") {
			t.Fatalf("永馨园 rows on the quarter page: %q", row)
		}
	})
}

// TestBrowserFirstHour looks at the pages this change touched, in zh-CN and English, on demo
// data: the public form's unit list, the unit form's public flag, the close form's parent list,
// the quarter page, and a 不满意 callback refused for its missing problem text.
func TestBrowserFirstHour(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	var hr string
	if err := m.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT CAST(id AS TEXT) FROM units WHERE code = 'LOG-RLZY'").Scan(&hr)
	}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh", "en"} {
		as := func(user, password string) *browser {
			b := newBrowser(t, m.URL())
			if user != "" {
				b.login(user, password)
			}
			if lang == "en" {
				b.open("/lang/en?next=/")
			}
			b.lang = lang
			return b
		}
		pub := as("", "")
		pub.open("/complain")
		n, err := chromedp.Run(pub.ctx, chromedp.Evaluate[int](`document.querySelectorAll('select[name="unit_id"] option:not([value=""])').length`))
		if err != nil || n != 14 {
			t.Fatalf("%s: the public form offers %d units (%v), want 14", lang, n, err)
		}
		pub.screenshot("public-form")

		admin := as("admin", testAdminPassword)
		admin.open("/org/units/" + hr + "/edit")
		if checked, err := chromedp.Run(admin.ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="serves_public"]').checked`)); err != nil || checked {
			t.Fatalf("%s: 人力资源部's serves_public box: checked %v (%v)", lang, checked, err)
		}
		admin.screenshot("unit-form")

		clerk := as("clerk", demo.DemoPassword)
		clerk.open("/assessment")
		if opts := clerk.text(`select[name="parent_id"]`); !strings.Contains(opts, "物流公司") {
			t.Fatalf("%s: the close form's parents: %q", lang, opts)
		}
		clerk.screenshot("close-form")
		clerk.open("/surveys/quarters/2026-Q3")
		clerk.do("wait for the table", chromedp.WaitVisible(chromedp.CSS("table#quarter")))
		clerk.screenshot("quarter")

		disp := as("dispatcher1", demo.DemoPassword)
		disp.open("/workorders/queue")
		disp.do("choose 不满意", chromedp.Click(chromedp.CSS(`input[name="score"][value="6"]`)))
		if status := disp.click("save without a problem", "#save", "#form-error"); status != 422 {
			t.Fatalf("%s: 不满意 without a problem: %d", lang, status)
		}
		disp.screenshot("callback-refused")
	}
}
