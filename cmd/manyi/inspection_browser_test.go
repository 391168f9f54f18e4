package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestBrowserPhoneInspection is an inspector on a phone (390×844) in Chromium: she picks the
// unit on the new-inspection page, the checklist comes with it, she chooses the item, types
// what she saw, adds a photo through the camera's file input and files; the inspection page
// shows the finding with the photo. The form fits the screen without sideways scrolling.
func TestBrowserPhoneInspection(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("clerk", demo.DemoPassword)
	b.phone()
	b.open("/inspections/new")
	// Choosing the unit reloads the form with that unit's checklist.
	mg, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#inspection-setup select[name="unit"] option')].find(o => o.textContent.includes('玫瑰区'))?.value ?? ""`))
	if err != nil || mg == "" {
		t.Fatalf("no 玫瑰区 in the unit choice: %v", err)
	}
	b.do("choose the unit", chromedp.SetValue(chromedp.CSS(`#inspection-setup select[name="unit"]`), mg))
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Submit(chromedp.CSS(`#inspection-setup`))); err != nil {
		t.Fatalf("choose the unit: %v", err)
	}
	b.do("wait for the finding fields", chromedp.WaitVisible(chromedp.CSS(`#finding-fields select[name="checklist_item"]`)))
	item, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('select[name="checklist_item"] option')].find(o => o.textContent.startsWith('P02'))?.value ?? ""`))
	if err != nil || item == "" {
		t.Fatalf("the checklist has no P02: %v", err)
	}
	photo := filepath.Join(t.TempDir(), "IMG_2041.png")
	if err := os.WriteFile(photo, testPNG(), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("fill in the finding",
		chromedp.SetValue(chromedp.CSS(`select[name="checklist_item"]`), item),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="finding_description"]`), "12 栋电梯报修 2 小时无人响应"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="photos"]`), []string{photo}),
	)
	if capture := b.attr(`input[name="photos"]`, "capture"); capture != "environment" {
		t.Fatalf("the photo input does not open the camera: capture=%q", capture)
	}
	if wide, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
		t.Fatal("the inspection form is wider than the phone's screen")
	}
	b.screenshot("inspection-new")
	if status := b.click("file", `#inspection-form button.primary`, "#inspection"); status != 200 {
		t.Fatalf("filing: status %d", status)
	}
	if p := b.path(); !strings.HasPrefix(p, "/inspections/") {
		t.Fatalf("after filing the browser is on %s", p)
	}
	if txt := b.text(".finding"); !strings.Contains(txt, "12 栋电梯报修 2 小时无人响应") || !strings.Contains(txt, "P02") {
		t.Fatalf("finding shown: %q", txt)
	}
	b.do("wait for the photo", chromedp.WaitVisible(chromedp.CSS(".finding img")))
	if loaded, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(async () => { const i = document.querySelector('.finding img'); await i.decode(); return i.naturalWidth === 8 })()`, chromedp.EvalAwaitPromise)); !loaded {
		t.Fatal("the photo does not load on the inspection page")
	}
	b.screenshot("inspection-show")
	shot := func() {
		for _, p := range []string{"/inspections", "/inspections/units?month=2026-10", "/inspections/people?month=2026-10", "/inspections/findings?pending=1",
			"/inspections/duty", "/inspections/checklists", "/sampling"} {
			b.open(p)
			b.screenshot(shotName(p))
		}
	}
	shot()
	if os.Getenv("MANYI_SCREENSHOTS") == "" {
		return
	}
	// The same pages on a desktop, in Chinese and in English, for a person to look at.
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.lang = "zh"
	shot()
	b.open("/lang/en?next=/inspections")
	b.lang = "en"
	shot()
}

// TestBrowserFindingFilters is the clerk narrowing the findings list to one unit's ward
// rounds with the form above it, in Chromium: every row shown is of that unit and kind, the
// form keeps what was chosen, and the pending tab's filter survives a change of kind.
func TestBrowserFindingFilters(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("clerk", demo.DemoPassword)
	b.open("/inspections/findings")
	ward, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#finding-filters select[name="unit"] option')].find(o => o.textContent.trim() === '一病区')?.value ?? ""`))
	if err != nil || ward == "" {
		t.Fatalf("no 一病区 in the unit choice: %v", err)
	}
	b.do("choose unit and kind",
		chromedp.SetValue(chromedp.CSS(`#finding-filters select[name="unit"]`), ward),
		chromedp.SetValue(chromedp.CSS(`#finding-filters select[name="kind"]`), "ward_round"))
	b.click("filter", `#finding-filters button[type="submit"]`, "#findings")
	rows := func() (n int, others []string) {
		t.Helper()
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#findings tbody tr[data-id]')].map(r => r.dataset.unit + ' ' + r.dataset.kind)`))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			if g != ward+" ward_round" {
				others = append(others, g)
			}
		}
		return len(got), others
	}
	if n, others := rows(); n == 0 || len(others) > 0 {
		t.Fatalf("%d findings shown for 一病区's ward rounds, of them of another unit or kind: %v", n, others)
	}
	chosen, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`['unit', 'kind'].map(n => document.querySelector('#finding-filters select[name="' + n + '"]').value)`))
	if err != nil {
		t.Fatal(err)
	}
	if unit, kind := chosen[0], chosen[1]; unit != ward || kind != "ward_round" {
		t.Fatalf("the form forgot the choice: unit %q kind %q", unit, kind)
	}
	b.screenshot("findings-filtered")
	b.open("/inspections/findings?pending=1")
	b.do("choose the kind", chromedp.SetValue(chromedp.CSS(`#finding-filters select[name="kind"]`), "ward_round"))
	b.click("filter pending", `#finding-filters button[type="submit"]`, "#findings")
	if q := b.path(); !strings.Contains(q, "pending=1") || !strings.Contains(q, "kind=ward_round") {
		t.Fatalf("filtering the pending sign-offs went to %s", q)
	}
	pending, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#findings tbody tr[data-id]')].map(r => r.dataset.signoff + ' ' + r.dataset.kind)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if p != "pending ward_round" {
			t.Fatalf("the pending ward rounds show %q", p)
		}
	}
}
