package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// TestBrowserCloseMaintainers walks a maintainer-monthly close in Chromium: the clerk starts
// the month before last for 信息维修中心 on the assessment page; the close lists maintainers
// with their teams, the best teams on the 12–20 scale and the maintenance star pending; the
// clerk has no approve button. The committee member opens the close, approves it, and sees
// the star approved and the star's points in the close's ledger lines; the ledger page lists
// them; a maintainer's result drills down to a work order.
func TestBrowserCloseMaintainers(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	clerk := newBrowser(t, m.URL())
	clerk.login("clerk", demo.DemoPassword)
	clerk.open("/assessment")
	imc, err := chromedp.Run(clerk.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#start-close select[name="parent_id"] option')].find(o => o.textContent.includes('信息维修中心'))?.value ?? ""`))
	if err != nil || imc == "" {
		t.Fatalf("the start form offers no 信息维修中心: %v", err)
	}
	month := demoMonth(-2)
	clerk.do("fill in the start form",
		chromedp.SetValue(chromedp.CSS(`#start-close select[name="scheme"]`), "maintainer-monthly"),
		chromedp.SetValue(chromedp.CSS(`#start-close input[name="period"]`), month),
		chromedp.SetValue(chromedp.CSS(`#start-close select[name="parent_id"]`), imc),
	)
	if status := clerk.click("start", `#start-close button[type="submit"]`, "#ranking"); status != 200 {
		t.Fatalf("start: status %d", status)
	}
	closePath := clerk.path()
	if !strings.HasPrefix(closePath, "/assessment/closes/") {
		t.Fatalf("after starting the browser is on %s", closePath)
	}
	if txt := clerk.text("#ranking"); !strings.Contains(txt, "网络班") || !strings.Contains(txt, "何海涛") {
		t.Fatalf("ranking: %q", txt)
	}
	if txt := clerk.text("#awards"); !strings.Contains(txt, "待绩效考核委员会审定") || !strings.Contains(txt, "÷") {
		t.Fatalf("awards on review: %q", txt)
	}
	if n, _ := chromedp.Run(clerk.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#approve').length`)); n != 0 {
		t.Fatal("the clerk is offered approval")
	}
	clerk.screenshot("close-maintainers-review")

	committee := newBrowser(t, m.URL())
	committee.login("committee", demo.DemoPassword)
	committee.open(closePath)
	if status := committee.click("approve", "#approve", "#close-ledger"); status != 200 {
		t.Fatalf("approve: status %d", status)
	}
	if txt := committee.text("#awards"); !strings.Contains(txt, "已审定") {
		t.Fatalf("awards after approval: %q", txt)
	}
	if txt := committee.text("#close-ledger"); !strings.Contains(txt, "维修之星") || !strings.Contains(txt, "0.5") {
		t.Fatalf("close ledger: %q", txt)
	}
	committee.screenshot("close-maintainers-approved")
	if status := committee.click("lock", "#lock", "#close-ledger"); status != 200 {
		t.Fatalf("lock: status %d", status)
	}
	// Drill down from the locked result of a maintainer to a work order.
	if status := committee.click("open a maintainer", `#ranking a.subject`, ".component"); status != 200 {
		t.Fatalf("result: status %d", status)
	}
	if n, _ := chromedp.Run(committee.ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('a.record-link')].filter(a => a.getAttribute('href').startsWith('/workorders/')).length`)); n == 0 {
		t.Fatal("the maintainer's result does not lead to a work order")
	}
	committee.open("/assessment/ledger?month=" + demoMonth(-1))
	if txt := committee.text("#ledger"); !strings.Contains(txt, "扣分扣款") {
		t.Fatalf("ledger page: %q", txt)
	}
	committee.screenshot("ledger")
}
