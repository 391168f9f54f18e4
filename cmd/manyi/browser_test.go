package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"manyi/internal/store"
)

// The browser tests drive the real server in headless Chromium, as a user does: they click
// links and buttons and type into forms, so they also prove the pages work without the
// test's HTTP client doing the browser's job (cookies, redirects, CSRF fields).
//
// With MANYI_SCREENSHOTS=dir they also save full-page PNGs of the main pages, in both
// languages and on a phone-sized screen, for a person to look at.

// browserTimeout bounds one browser test, start of Chromium included.
const browserTimeout = 60 * time.Second

// chromiumPath returns Debian's chromium, or skips the test, or fails it in CI, where the
// browser test must never be skipped silently.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("MANYI_TEST_POSTGRES") != "" {
		t.Fatal("chromium is not installed; the browser test must run in CI (make chromium installs it)")
	}
	t.Skip("chromium is not installed; install it with `make chromium` (apt-get install chromium) to run the browser test")
	return ""
}

// browser is one headless Chromium tab on a running server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	lang string // for screenshot names
	shot int
}

// newBrowser starts Chromium with a fresh profile and opens a tab on the server at base. The
// browser is closed, and waited for, before the test's temporary directories are removed.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	exe := chromiumPath(t)
	profile := t.TempDir()
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate"),
		// A Chinese user's browser asks for Chinese; headless Chromium would send en-US, and
		// pages before login follow Accept-Language.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for Chromium to exit, so the profile directory can be removed
		cancelTimeout()
	})
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return &browser{t: t, ctx: tabCtx, base: base, lang: "zh"}
}

// phone makes the tab a phone's screen (390×844); its screenshots are named so.
func (b *browser) phone() {
	b.t.Helper()
	b.lang += "-phone"
	b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
}

// do runs the actions and fails the test at the first error, naming the step.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// click clicks the element that leads to another page, waits until that page has loaded
// and shows the element waitFor, and returns the HTTP status of the page. Waiting for the
// load first keeps the wait from matching, or getting stuck on, the page being left.
func (b *browser) click(step, sel, waitFor string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	b.do(step, chromedp.WaitVisible(chromedp.CSS(waitFor)))
	return resp.Status
}

// text returns the rendered text of the first element the CSS selector matches.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// open navigates to path and waits until the page's main content is shown.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("main")))
}

// path returns the path and query of the page shown.
func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// screenshot saves the whole page as a PNG when MANYI_SCREENSHOTS names a directory.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("MANYI_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.shot++
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%s-%02d-%s.png", b.lang, b.shot, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// login fills in the login form and waits for the home page.
func (b *browser) login(username, password string) {
	b.t.Helper()
	b.open("/login")
	b.do("log in",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
	)
	b.click("log in", `form[action="/login"] button[type="submit"]`, "nav.main")
	if p := b.path(); p != "/" {
		b.t.Fatalf("after login the browser is on %s, want /", p)
	}
}

// onPhone runs fn in a second tab of the same browser sized as a phone (390×844), so it
// shares the session and leaves the first tab's size alone.
func (b *browser) onPhone(fn func(phone *browser)) {
	b.t.Helper()
	tab, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	phone := &browser{t: b.t, ctx: tab, base: b.base, lang: b.lang + "-phone", shot: b.shot}
	phone.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	fn(phone)
	b.shot = phone.shot
}

// shotName is the screenshot name of a page's path.
func shotName(path string) string {
	if name := strings.Trim(strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(path), "-"); name != "" {
		return name
	}
	return "home"
}

// phoneScreenshots saves the given pages as a phone shows them.
func (b *browser) phoneScreenshots(paths ...string) {
	b.t.Helper()
	if os.Getenv("MANYI_SCREENSHOTS") == "" {
		return
	}
	b.onPhone(func(phone *browser) {
		for _, p := range paths {
			phone.open(p)
			phone.screenshot(shotName(p))
		}
	})
}

// phoneFits opens the given pages on a phone and fails the test for each that is wider than
// the screen (the user would scroll the whole page sideways); a wide table scrolls in its box.
func (b *browser) phoneFits(paths ...string) {
	b.t.Helper()
	b.onPhone(func(phone *browser) {
		for _, p := range paths {
			phone.open(p)
			w, err := chromedp.Run(phone.ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
			if err != nil || w > 390 {
				b.t.Errorf("%s on a 390 px phone is %.0f px wide (%v)", p, w, err)
			}
			phone.screenshot(shotName(p))
		}
	})
}

// wrapped returns the text of the cells the selector matches whose first text runs over more
// than one line: a day, a code or a unit name broken at its hyphen or between characters.
func (b *browser) wrapped(sel string) []string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(c => {
		const w = document.createTreeWalker(c, NodeFilter.SHOW_TEXT, {acceptNode: n => n.data.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
		const text = w.nextNode();
		if (!text) return false;
		const r = document.createRange();
		r.selectNodeContents(text);
		return r.getClientRects().length > 1;
	}).map(c => c.textContent.trim())`, sel)))
	if err != nil {
		b.t.Fatalf("wrapped %s: %v", sel, err)
	}
	return out
}

// fillUnitForm fills in the new-unit form; parent is matched against the options' text.
func (b *browser) fillUnitForm(parent, code, name, kind, households, threshold string) {
	b.t.Helper()
	parentID, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`[...document.querySelectorAll('select[name="parent_id"] option')].find(o => o.textContent.includes(%q))?.value ?? ""`, parent)))
	if err != nil || parentID == "" {
		b.t.Fatalf("the unit form offers no parent %s (%v)", parent, err)
	}
	b.do("fill in the unit form",
		chromedp.SetValue(chromedp.CSS(`select[name="parent_id"]`), parentID),
		chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), code),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), name),
		chromedp.SetValue(chromedp.CSS(`select[name="kind"]`), kind),
		chromedp.SendKeys(chromedp.CSS(`input[name="households"]`), households),
		chromedp.SendKeys(chromedp.CSS(`input[name="threshold"]`), threshold),
	)
}

// tour visits the pages not covered by a test's own steps, for screenshots only.
func (b *browser) tour() {
	b.t.Helper()
	if os.Getenv("MANYI_SCREENSHOTS") == "" {
		return
	}
	for _, p := range []struct{ path, name string }{
		{"/org/people", "people"},
		{"/org/users", "users"},
		{"/account", "account"},
		{"/audit", "audit"},
	} {
		b.open(p.path)
		b.screenshot(p.name)
	}
	b.phoneScreenshots("/", "/org", "/org/units/new")
}

// TestBrowserLoginCreateUnitLogout is the path of issue 2 in a real browser, in zh-CN: log in,
// create a unit, see it in the tree, be refused a bad household count, log out.
func TestBrowserLoginCreateUnitLogout(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	start := time.Now()
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())

	b.open("/org")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("/org without a session shows %s, want the login page", p)
	}
	b.screenshot("login")
	b.phoneScreenshots("/login")
	b.login("admin", testAdminPassword)

	// The default language is Chinese, and the navigation names the areas to come.
	lang, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "zh-CN" {
		t.Fatalf("home page lang = %q (%v), want zh-CN", lang, err)
	}
	nav := b.text("nav.main")
	for _, want := range []string{"组织机构", "工单评价", "满意度调查", "投诉处理"} {
		if !strings.Contains(nav, want) {
			t.Errorf("navigation %q lacks %s", nav, want)
		}
	}
	b.screenshot("home")

	// From the tree to the new-unit form by clicking, as a user does.
	b.click("open the organisation", `nav.main a[href="/org"]`, "table#unit-tree")
	b.screenshot("org-tree")
	b.click("open the new-unit form", `a[href="/org/units/new"]`, "form#unit-form")
	b.fillUnitForm("品质部", "BT-1", "浏览器测试班", "team", "", "")
	b.click("save the unit", `form#unit-form button.primary`, "dl.facts")
	if p := b.path(); !strings.HasPrefix(p, "/org/units/") {
		t.Fatalf("after saving, the browser is on %s, want the unit's page", p)
	}
	if h := b.text("main h1"); !strings.Contains(h, "浏览器测试班") || !strings.Contains(h, "BT-1") {
		t.Fatalf("unit page heading %q", h)
	}
	b.screenshot("unit")

	b.open("/org")
	row := b.text(`table#unit-tree tr[data-unit="BT-1"]`)
	if !strings.Contains(row, "浏览器测试班") || !strings.Contains(row, "班组") {
		t.Fatalf("tree row of BT-1 = %q", row)
	}
	if parent := b.text(`table#unit-tree tr[data-unit="PROP-PZB"]`); !strings.Contains(parent, "品质部") {
		t.Fatalf("tree row of 品质部 = %q", parent)
	}
	// The tree shows depth by indentation, which only a browser applying the stylesheet under
	// the page's Content-Security-Policy can tell.
	indent, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](
		`(s => s('BT-1') - s('PROP-PZB'))(c => document.querySelector('tr[data-unit="' + c + '"] a').getBoundingClientRect().left)`))
	if err != nil || indent < 8 {
		t.Errorf("BT-1 is indented %vpx more than its parent 品质部 (%v), want it visibly deeper", indent, err)
	}

	// A negative household count is refused: the page names the field, marks it invalid and
	// keeps what was typed.
	b.open("/org/units/new")
	b.fillUnitForm("品质部", "BT-2", "负户数小区", "area", "-1", "30")
	if status := b.click("save the bad unit", `form#unit-form button.primary`, "#form-error"); status != 422 {
		t.Errorf("refused form answered %d, want 422", status)
	}
	if e := b.text("#form-error"); !strings.Contains(e, "户数") {
		t.Errorf("form error %q does not name 户数", e)
	}
	invalid, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(`input[name="households"]`), "aria-invalid"))
	if err != nil || invalid.Value != "true" {
		t.Errorf("households field aria-invalid = %+v (%v)", invalid, err)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`input[name="name"]`))); v != "负户数小区" {
		t.Errorf("the refused form lost the name: %q", v)
	}
	b.screenshot("unit-form-error")
	b.open("/org")
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-unit="BT-2"]').length`)); n != 0 {
		t.Error("the refused unit is in the tree")
	}

	b.open("/org/units/new")
	b.tour()

	// Log out with the header's button; the session is gone.
	b.click("log out", `form[action="/logout"] button`, `input[name="password"]`)
	if p := b.path(); p != "/login" {
		t.Fatalf("after logout the browser is on %s, want /login", p)
	}
	if h := b.text("main h1"); !strings.Contains(h, "登录") {
		t.Errorf("login page heading %q", h)
	}
	b.open("/org")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("/org after logout shows %s, want the login page", p)
	}
	t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond))
}

// TestBrowserEnglish switches the language with the header's link and reads the pages in
// English.
func TestBrowserEnglish(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	start := time.Now()
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("admin", testAdminPassword)

	b.open("/lang/en?next=/org")
	b.lang = "en"
	b.do("wait for the tree", chromedp.WaitVisible(chromedp.CSS("table#unit-tree")))
	if p := b.path(); p != "/org" {
		t.Fatalf("after switching, the browser is on %s, want /org", p)
	}
	lang, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "en" {
		t.Fatalf("lang = %q (%v), want en", lang, err)
	}
	if h := b.text("main h1"); h != "Units" {
		t.Errorf("tree heading %q, want Units", h)
	}
	if nav := b.text("nav.main"); !strings.Contains(nav, "Organisation") || !strings.Contains(nav, "Work orders") {
		t.Errorf("navigation %q is not in English", nav)
	}
	b.screenshot("org-tree")

	// The choice is kept across pages, and the switch back is offered in Chinese.
	b.click("go home", "a.brand", ".grid")
	if h := b.text("main h1"); !strings.HasPrefix(h, "Hello") {
		t.Errorf("home heading %q is not in English", h)
	}
	if other := b.text(`.langs a[hreflang="zh-CN"]`); other != "中文" {
		t.Errorf("the link back to Chinese reads %q", other)
	}
	b.screenshot("home")

	b.open("/org/units/new")
	b.fillUnitForm("品质部", "BT-EN", "Negative", "area", "-1", "30")
	b.click("save the bad unit", `form#unit-form button.primary`, "#form-error")
	if e := b.text("#form-error"); !strings.Contains(strings.ToLower(e), "household") {
		t.Errorf("form error %q does not name the household count", e)
	}
	b.screenshot("unit-form-error")

	b.open("/org")
	b.click("open a unit", `tr[data-unit="PROP-PZB"] a`, "dl.facts")
	b.screenshot("unit")
	b.tour()
	// The webhook form's event names are long words: they break rather than widen the page.
	b.phoneFits("/webhooks")

	// The login page is in English too once logged out, since the choice is a cookie.
	b.click("log out", `form[action="/logout"] button`, `input[name="password"]`)
	b.screenshot("login")
	b.phoneScreenshots("/login")
	if h := b.text("main h1"); h != "Log in" {
		t.Errorf("login heading after logout %q", h)
	}
	t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond))
}
