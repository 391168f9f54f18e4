package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/demo"
	"manyi/internal/store"
)

// maxStaffAccounts bounds the logins of a staff run: each is a password hash on the server,
// and the demo's roles are a dozen accounts.
const maxStaffAccounts = 20

// staffTarget is one route, a URL of it and an account that opens it.
type staffTarget struct {
	route, path string
	account     *staffAccount
}

// staffAccount is a logged-in staff account.
type staffAccount struct {
	name string
	hc   *http.Client
}

// runStaffLoad is `manyi load --staff`: the staff at work (issue 14, target 3). It logs in as
// the database's accounts (the demo's password, the administrator's from MANYI_ADMIN_PASSWORD)
// and finds the routes they open: the pages reached by following links from each account's
// home page, and every GET operation without a path parameter in the API's OpenAPI document
// (built from the API's route table). A new page that is linked, or a new list API, is thus
// measured without editing the generator. Then C clients request a route at random each time,
// as an account that opens it, for D, and the latency is reported per route and overall.
// Without think time a client sends its next request as soon as the last is answered: the
// machine's limit, a harder load than people reading pages. With it, each client waits a
// random time between 0 and twice think first, as a person reads the page.
func runStaffLoad(ctx context.Context, db *store.DB, g *generator, clients int, duration, think time.Duration, stdout io.Writer) error {
	accounts, skipped, err := staffLogins(ctx, db, g)
	if err != nil {
		return err
	}
	if len(accounts) == 0 {
		return fmt.Errorf("load: no account could log in (%s)", strings.Join(skipped, ", "))
	}
	api, err := apiListPaths(ctx, accounts[0].hc, g.base)
	if err != nil {
		return fmt.Errorf("load: the API's OpenAPI document: %w", err)
	}
	found := map[string]staffTarget{}
	var broken []string
	for _, a := range accounts {
		broken = append(broken, a.discover(ctx, g, api, found)...)
	}
	targets := slices.SortedFunc(maps.Values(found), func(a, b staffTarget) int { return strings.Compare(a.route, b.route) })
	var names []string
	for _, a := range accounts {
		names = append(names, a.name)
	}
	fmt.Fprintf(stdout, "accounts      %d logged in (%s)", len(accounts), strings.Join(names, " "))
	if len(skipped) > 0 {
		fmt.Fprintf(stdout, "; refused: %s", strings.Join(skipped, " "))
	}
	fmt.Fprintf(stdout, "\nroutes        %d (linked pages and GET list operations of the API)\n", len(targets))
	if len(broken) > 0 {
		fmt.Fprintf(stdout, "broken links  %d, not measured: %s\n", len(broken), strings.Join(broken, ", "))
	}

	cpu0, _, err := serverMetrics(g.base)
	if err != nil {
		return fmt.Errorf("load: read the server's /metrics: %w", err)
	}
	load := loadAverage()
	runCtx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	peak := sampleRSS(runCtx, g.base)
	start := time.Now()
	var wg sync.WaitGroup
	results := make([]staffResult, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = staffWork(runCtx, g, targets, think)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, _, err := serverMetrics(g.base)
	if err != nil {
		return fmt.Errorf("load: read the server's /metrics: %w", err)
	}
	all := staffResult{byRoute: map[string][]time.Duration{}}
	for _, t := range targets {
		all.byRoute[t.route] = nil // reported even if the run was too short to reach it
	}
	for _, r := range results {
		for route, ds := range r.byRoute {
			all.byRoute[route] = append(all.byRoute[route], ds...)
		}
		all.failures += r.failures
		if all.firstErr == nil {
			all.firstErr = r.firstErr
		}
	}
	all.report(stdout, db.Dialect, clients, think, elapsed, load, cpu1-cpu0, <-peak)
	if all.failures > 0 {
		return fmt.Errorf("load: %d requests failed", all.failures)
	}
	return nil
}

// staffLogins logs in as each account of the database, each from its own loopback address;
// an account whose password is not the demo's is skipped and named.
func staffLogins(ctx context.Context, db *store.DB, g *generator) (accounts []*staffAccount, skipped []string, err error) {
	users, err := auth.ListUsers(ctx, db, access.System)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	if os.Getenv("MANYI_ADMIN_PASSWORD") != "" {
		names = append(names, "admin")
	}
	for _, u := range users {
		if u.Active && u.Username != "admin" && len(names) < maxStaffAccounts {
			names = append(names, u.Username)
		}
	}
	for _, name := range names {
		password := demo.DemoPassword
		if name == "admin" {
			password = os.Getenv("MANYI_ADMIN_PASSWORD")
		}
		hc := g.httpClient(loopback(g.addrBase + g.addrs.Add(1)))
		// Staff requests are not limited per address; the logins are.
		hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
		form := url.Values{"username": {name}, "password": {password}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			skipped = append(skipped, name)
			continue
		}
		accounts = append(accounts, &staffAccount{name: name, hc: hc})
	}
	return accounts, skipped, nil
}

// apiListPaths returns the API's GET operations without a path parameter, from the OpenAPI
// document the API builds from its route table.
func apiListPaths(ctx context.Context, hc *http.Client, base string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/openapi.json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, err
	}
	var out []string
	for path, ops := range doc.Paths {
		if _, ok := ops["get"]; !ok || strings.Contains(path, "{") || path == "/api/openapi.json" {
			continue
		}
		if !strings.HasPrefix(path, "/api/") {
			path = "/api/v1" + path
		}
		out = append(out, path)
	}
	slices.Sort(out)
	return out, nil
}

// discover adds to targets what a opens that no earlier account found: every route reached by
// links from the home page (one URL for each: a path segment with a digit is a record or a
// period, so /complaints/7 and /complaints/9 are one route) and the API list operations that
// answer a 200 (one that needs a query parameter answers 422 and is left out). Downloads
// (exports, PDFs) and public pages are not staff pages and are not followed. A link that does
// not open is counted in broken, not measured.
func (a *staffAccount) discover(ctx context.Context, g *generator, api []string, targets map[string]staffTarget) (broken []string) {
	seen := map[string]bool{"GET /": true}
	queue := []string{"/"}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		body, err := g.get(ctx, a.hc, path)
		route := staffRoute(path)
		if err != nil {
			broken = append(broken, a.name+" "+path)
			continue
		}
		if _, ok := targets[route]; !ok {
			targets[route] = staffTarget{route: route, path: path, account: a}
		}
		for _, href := range pageLinks(body) {
			if strings.HasPrefix(href, "?") {
				href = strings.TrimPrefix(route, "GET ") + href
			}
			r := staffRoute(href)
			if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") || !staffPage(href) || seen[r] {
				continue
			}
			seen[r] = true
			if _, ok := targets[r]; !ok {
				queue = append(queue, href)
			}
		}
	}
	for _, path := range api {
		if _, ok := targets["GET "+path]; ok {
			continue
		}
		if _, err := g.get(ctx, a.hc, path); err == nil {
			targets["GET "+path] = staffTarget{route: "GET " + path, path: path, account: a}
		}
	}
	return broken
}

// staffRoute names the route of a local URL: its path, with each segment holding a digit
// (a record's id, a period) as {n}.
func staffRoute(href string) string {
	path, _, _ := strings.Cut(href, "?")
	path, _, _ = strings.Cut(path, "#")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.ContainsAny(s, "0123456789") {
			segs[i] = "{n}"
		}
	}
	return "GET " + strings.Join(segs, "/")
}

// staffPage reports whether a local link is a staff page: not a download, not a public page,
// not a switch of language.
func staffPage(href string) bool {
	path, _, _ := strings.Cut(href, "?")
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if slices.Contains([]string{"static", "lang", "s", "track", "complain", "book", "login", "api"}, first) {
		return false
	}
	for _, s := range []string{".xlsx", ".csv", "/pdf", "/export", "/yaml", "/attachments/", "/photos/"} {
		if strings.Contains(path, s) {
			return false
		}
	}
	return true
}

// pageLinks are the hrefs of a page's links.
func pageLinks(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" && nodeAttr(n, "href") != "" {
			out = append(out, nodeAttr(n, "href"))
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(doc)
	return out
}

func nodeAttr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

type staffResult struct {
	byRoute  map[string][]time.Duration
	failures int
	firstErr error
}

// staffWork requests a random route of targets at a time until ctx ends, as one user does,
// reading each page for a random time of mean think before the next.
func staffWork(ctx context.Context, g *generator, targets []staffTarget, think time.Duration) staffResult {
	r := staffResult{byRoute: map[string][]time.Duration{}}
	for ctx.Err() == nil {
		if think > 0 {
			select {
			case <-ctx.Done():
				return r
			case <-time.After(rand.N(2 * think)):
			}
		}
		t := targets[rand.IntN(len(targets))]
		t0 := time.Now()
		_, err := g.get(ctx, t.account.hc, t.path)
		if err != nil {
			if ctx.Err() == nil {
				r.failures++
				if r.firstErr == nil {
					r.firstErr = fmt.Errorf("%s as %s: %w", t.path, t.account.name, err)
				}
			}
			continue
		}
		r.byRoute[t.route] = append(r.byRoute[t.route], time.Since(t0))
	}
	return r
}

// report prints the overall figures and every route's, the slowest (by p99) first.
func (r staffResult) report(w io.Writer, d store.Dialect, clients int, think, elapsed time.Duration, load string, cpu, peakRSS float64) {
	var all []time.Duration
	type routeStat struct {
		route    string
		n        int
		p50, p99 time.Duration
	}
	var stats []routeStat
	for route, ds := range r.byRoute {
		all = append(all, ds...)
		stats = append(stats, routeStat{route, len(ds), pct(ds, 0.50), pct(ds, 0.99)})
	}
	slices.SortFunc(stats, func(a, b routeStat) int {
		return cmp.Or(cmp.Compare(b.p99, a.p99), strings.Compare(a.route, b.route))
	})
	fmt.Fprintf(w, "database      %s\n", d)
	pause := "none: the next request at once"
	if think > 0 {
		pause = fmt.Sprintf("0–%s at random, mean %s", 2*think, think)
	}
	fmt.Fprintf(w, "clients       %d staff users for %s (load average before: %s)\n", clients, elapsed.Round(time.Millisecond), load)
	fmt.Fprintf(w, "think time    %s\n", pause)
	fmt.Fprintf(w, "requests      %d complete, %d failed, %.0f/s\n", len(all), r.failures, float64(len(all))/elapsed.Seconds())
	fmt.Fprintf(w, "overall       p50 %s  p99 %s  max %s\n", pct(all, 0.50), pct(all, 0.99), pct(all, 1))
	if len(all) > 0 {
		fmt.Fprintf(w, "server CPU    %.2f ms per request (%.1f CPU-seconds in all)\n", cpu*1000/float64(len(all)), cpu)
	}
	fmt.Fprintf(w, "server RSS    %.0f MB at most\n", peakRSS/(1<<20))
	if len(stats) > 0 {
		fmt.Fprintf(w, "slowest       %s (p99 %s)\n", stats[0].route, stats[0].p99)
	}
	fmt.Fprintf(w, "%-9s %-9s %6s  %s\n", "p50", "p99", "n", "route")
	for _, s := range stats {
		fmt.Fprintf(w, "%-9s %-9s %6d  %s\n", s.p50, s.p99, s.n, s.route)
	}
	if r.firstErr != nil {
		fmt.Fprintf(w, "first failure %v\n", r.firstErr)
	}
}

// rssInterval is how often sampleRSS reads the server's memory: often enough to see a peak of
// a load run measured in seconds, rarely enough to cost the server nothing measurable.
const rssInterval = 100 * time.Millisecond

// sampleRSS reads the server's resident memory from its /metrics until ctx ends and then
// sends the largest value read.
func sampleRSS(ctx context.Context, base string) <-chan float64 {
	out := make(chan float64, 1)
	go func() {
		var peak float64
		tick := time.NewTicker(rssInterval)
		defer tick.Stop()
		for {
			if _, rss, err := serverMetrics(base); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-ctx.Done():
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}
