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

// TestBrowserCallbackQueue is a dispatcher's morning in Chromium on demo data: the queue shows
// the next call with its script and no rating chosen; pressing 1 then Enter saves 满意 and
// brings the next call; U records an unanswered call.
func TestBrowserCallbackQueue(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	b := newBrowser(t, m.URL())
	b.login("dispatcher1", demo.DemoPassword)
	b.open("/workorders/queue")
	b.screenshot("wo-queue")
	first := b.attr("#current", "data-order")
	if first == "" {
		t.Fatal("no current call in the dispatcher's queue")
	}
	if checked, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector('input[name="score"]:checked')`)); checked {
		t.Fatal("a rating is preselected")
	}
	b.do("press 1", chromedp.KeyEvent("1"))
	if focused, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.id`)); focused != "save" {
		t.Fatalf("after 1 the focus is on %q, want the save button", focused)
	}
	resp, err := chromedp.RunResponse(b.ctx, chromedp.KeyEvent("\r"))
	if err != nil || resp.Status != 200 {
		t.Fatalf("Enter: %v %v", resp, err)
	}
	b.do("wait for the queue", chromedp.WaitVisible(chromedp.CSS("main")))
	if flash := b.text(".flash"); !strings.Contains(flash, first) || !strings.Contains(flash, "10") {
		t.Fatalf("flash after rating %s: %q", first, flash)
	}
	second := b.attr("#current", "data-order")
	if second == "" || second == first {
		t.Fatalf("the next call is %q after %q", second, first)
	}
	resp, err = chromedp.RunResponse(b.ctx, chromedp.KeyEvent("u"))
	if err != nil || resp.Status != 200 {
		t.Fatalf("U: %v %v", resp, err)
	}
	b.do("wait for the queue", chromedp.WaitVisible(chromedp.CSS("main")))
	if flash := b.text(".flash"); !strings.Contains(flash, "未接通") {
		t.Fatalf("flash after U: %q", flash)
	}
	b.screenshot("wo-queue-after")
	for _, p := range []struct{ path, name string }{
		{"/workorders", "wo-list"},
		{"/workorders/" + first, "wo-order"},
		{"/workorders/daily", "wo-daily"},
		{"/workorders/followups", "wo-followups"},
		{"/improvements?source_kind=workorder_followup", "wo-improvements"},
		{"/workorders/duty", "wo-duty"},
		{"/workorders/import", "wo-import"},
	} {
		b.open(p.path)
		b.screenshot(p.name)
	}
	// Import a day's workbook whose fault column has another name: map it on the screen,
	// see the bad row, import the good ones.
	csv := filepath.Join(t.TempDir(), "2026-11-02.csv")
	os.WriteFile(csv, []byte("报修时间,报修人,联系电话,报修地点,设备/系统,报障内容,班组,维修人,关闭时间,故障原因,处理措施\n"+
		"2026-11-02 08:30,浏览器甲,13911120001,3号楼201,交换机,网络不通,网络班,何海涛,2026-11-02 10:00,网线松动,重新压接\n"+
		"2026-11-02 09:00,浏览器乙,13911120002,图书馆,打印机,卡纸,网络班,不存在的人,,,\n"), 0o644)
	b.open("/workorders/import")
	b.do("upload", chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{csv}))
	b.click("upload", `#upload button[type="submit"]`, "#mapping")
	b.do("map the fault column", chromedp.SetValue(chromedp.CSS(`select[name="col5"]`), "fault"))
	b.click("save the mapping", `#mapping button[type="submit"]`, "#check-summary")
	b.screenshot("wo-import-check")
	if row := b.text("#problems tbody td"); row != "3" {
		t.Fatalf("the bad row is listed as %q, want row 3", row)
	}
	b.click("import the good rows", "#import-good", "#summary")
	if n := b.text("#imported"); n != "1" {
		t.Fatalf("imported %q orders, want 1", n)
	}
	b.screenshot("wo-import-done")

	// The improvement tracking table reads in English too, and its print button appears
	// only with scripts.
	b.open("/lang/en?next=/improvements")
	if title := b.text("h1"); title != "Improvement item tracking table" {
		t.Fatalf("English title %q", title)
	}
	if hidden, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("[data-print]").hidden`)); hidden {
		t.Fatal("the print button stays hidden with scripts running")
	}
	b.lang = "en"
	b.screenshot("wo-improvements")
}

// attr returns an attribute of the first element the selector matches, "" if none.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(`+"`"+sel+"`"+`)?.getAttribute(`+"`"+name+"`"+`) ?? ""`))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}
