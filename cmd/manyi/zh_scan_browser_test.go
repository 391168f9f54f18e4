package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"manyi/internal/store"
)

// zhAllowed are the Latin words a zh-CN page may show inside Chinese text: names of file
// formats and standards a Chinese user reads as they are, names that are never translated,
// and words of the organisation's own data. Anything else is an untranslated identifier or an
// English word. Codes that are data (scheme, checklist and work-order codes, usernames, time
// zones) are not listed: templates mark them with <code> or class="code", and the scan skips
// those elements, as it skips <kbd>.
var zhAllowed = map[string]bool{
	"XLSX": true, "CSV": true, "PDF": true, "PNG": true, "JPEG": true, // file formats
	"API": true, "JSON": true, "ID": true, "URL": true, "HTTP": true, // interfaces
	"SLA": true, "ISO": true, "PDCA": true, // standards and methods named in the policies
	"GM":      true,                            // the general manager's meeting, as the seed calls it
	"manyi":   true,                            // the product's name, beside 满意 in the header
	"English": true,                            // the language switch names each language in itself
	"AP":      true, "UPS": true, "VLAN": true, // demo work orders' equipment (无线AP, 机房UPS): data
}

var (
	// snakeCase is an internal code: inspection_finding, unit_head.
	snakeCase = regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)
	// latinInHan is a Latin word written against Chinese text, with or without a space: 按month考评.
	latinInHan = regexp.MustCompile(`\p{Han}[ ]?([A-Za-z]{2,})|([A-Za-z]{2,})[ ]?\p{Han}`)
	// halfWidth is ASCII punctuation touching a Chinese character, where the full-width form
	// belongs: 原因:  (见下)  是否?
	halfWidth = regexp.MustCompile(`\p{Han}[,:;()!?]|[,:;()!?]\p{Han}`)
)

// zhFindings lists what a page's visible text shows that a zh-CN reader should not see.
func zhFindings(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, m := range snakeCase.FindAllString(line, -1) {
			out = append(out, fmt.Sprintf("code %q in %q", m, line))
		}
		for _, m := range latinInHan.FindAllStringSubmatch(line, -1) {
			w := m[1] + m[2]
			if !zhAllowed[w] && !zhAllowed[strings.ToUpper(w)] {
				out = append(out, fmt.Sprintf("Latin word %q in %q", w, line))
			}
		}
		for _, m := range halfWidth.FindAllString(line, -1) {
			out = append(out, fmt.Sprintf("half-width punctuation %q in %q", m, line))
		}
	}
	return out
}

// offeredOnlyTo are links and forms that open only for some roles: a page that shows one to a
// role outside the list offers what would answer 403.
var offeredOnlyTo = []struct {
	sel   string
	users []string
}{
	{`a[href="/surveys/entry"], form[action^="/surveys/entry"]`, []string{"admin", "clerk"}},
	{`a[href^="/inspections/new"], form[method="post"][action="/inspections"]`, []string{"admin", "clerk", "head.yongxin"}},
	{`a[href^="/sampling"], form[action^="/sampling"]`, []string{"admin", "clerk", "committee"}},
}

// scannedPage is what the scan reads of a page: its visible text and its navigation links.
type scannedPage struct {
	Text  string   `json:"text"`
	Links []string `json:"links"`
}

// TestBrowserZhPages logs in as every demo role, visits every page the navigation and the tab
// bars reach, in zh-CN, and scans the visible text for internal codes, English words inside
// Chinese phrases and half-width punctuation against Chinese characters. On the same walk it
// checks that links and forms some roles may not use are not shown to them, by selector.
func TestBrowserZhPages(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	m := MustRunMain(t, store.SQLite)
	var seenMu sync.Mutex
	seen := map[string]bool{} // each finding once, however many pages show it
	// firstSeen reports whether no walk has shown the finding before.
	firstSeen := func(f string) bool {
		seenMu.Lock()
		defer seenMu.Unlock()
		first := !seen[f]
		seen[f] = true
		return first
	}
	// One account a role: the pages and their words are the same for two accounts of a role.
	// The roles walk side by side, each in its own Chromium, on the one server: the walks only
	// read pages.
	for _, user := range []string{"admin", "clerk", "committee", "head.yongxin", "foreman.net", "dispatcher1", "manager1", "staff1", "nurse1"} {
		t.Run(user, func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t, m.URL())
			if user == "admin" {
				b.login(user, testAdminPassword)
			} else {
				b.login(user, "manyi-demo-2026")
			}
			visited := map[string]bool{"/": true}
			queue := []string{"/"}
			for len(queue) > 0 {
				path := queue[0]
				queue = queue[1:]
				b.open(path)
				// Data codes and keys are blanked before the text is read; the page is left next.
				page, err := chromedp.Run(b.ctx, chromedp.Evaluate[scannedPage](`({
					links: [...document.querySelectorAll('nav.main a, nav.tabs a')].map(a => a.getAttribute('href')),
					text: (document.querySelectorAll('code, .code, kbd').forEach(e => e.textContent = ''), document.body.innerText),
				})`))
				if err != nil {
					t.Fatalf("read %s: %v", path, err)
				}
				for _, f := range zhFindings(page.Text) {
					if firstSeen(f) {
						t.Errorf("%s: %s", path, f)
					}
				}
				for _, o := range offeredOnlyTo {
					if slices.Contains(o.users, user) {
						continue
					}
					n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+fmt.Sprintf("%q", o.sel)+`).length`))
					if err != nil {
						t.Fatal(err)
					}
					if n > 0 {
						t.Errorf("%s: %s offers %s", user, path, o.sel)
					}
				}
				for _, href := range page.Links {
					if strings.HasPrefix(href, "?") {
						href = strings.SplitN(path, "?", 2)[0] + href
					}
					if strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//") && !strings.HasPrefix(href, "/lang/") && !visited[href] {
						visited[href] = true
						queue = append(queue, href)
					}
				}
			}
		})
	}
}
