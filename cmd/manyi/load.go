package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"manyi/internal/access"
	"manyi/internal/survey"
)

// runLoad is `manyi load`: residents (with --staff, staff: runStaffLoad) answering the public questionnaire against a running
// server, as fast as C clients can, for D seconds. Each cycle is what a resident does: open
// the form of a fresh invitation, send the answers, and load the thank-you page the server
// redirects to once the answer is committed. It reports cycles a second, the POST's latency
// percentiles and the server's CPU time per answer (from its /metrics), and afterwards counts
// in the database that every acknowledged answer is stored.
//
// The server limits each client address (120 requests a minute, 30 answers an hour), as it
// must for residents. The generator therefore speaks from many loopback addresses (127.x.y.z,
// a new one every 25 cycles), so the server must listen on loopback.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		target   string
		clients  int
		duration time.Duration
		campaign int64
		invites  int
		staff    bool
		think    time.Duration
	)
	db, fs, err := openDB(ctx, "load", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&target, "url", "http://127.0.0.1:8080", "base URL of the running server (on loopback)")
		fs.IntVar(&clients, "c", 8, "concurrent clients")
		fs.DurationVar(&duration, "d", 10*time.Second, "how long to run")
		fs.Int64Var(&campaign, "campaign", 0, "campaign to answer (default: the one running today that started last)")
		fs.IntVar(&invites, "invitations", 0, "fresh invitations to create first (default: 3,000 a second of -d)")
		fs.BoolVar(&staff, "staff", false, "staff at work instead of residents: every account opens its navigation's pages and the API's lists")
		fs.DurationVar(&think, "think", 0, "with --staff, each user reads a page for a random time between 0 and twice this before the next (0: the next request at once, the machine's limit)")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if think < 0 || think > 0 && !staff {
		return fmt.Errorf("load: --think is a staff user's time reading a page: a positive duration, with --staff")
	}
	if fs.NArg() != 0 || clients < 1 || duration <= 0 {
		return fmt.Errorf("load: usage: manyi load --db URL --url http://127.0.0.1:PORT [-c 8] [-d 10s] [--campaign ID | --staff [--think 5s]]")
	}
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("load: --url: %w", err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("load: --url must be a loopback address: the generator answers from many 127.x.y.z addresses to stay under the per-client limits")
	}
	g := &generator{base: strings.TrimSuffix(target, "/"), addrBase: rand.Uint32N(1 << 22)}
	if staff {
		return runStaffLoad(ctx, db, g, clients, duration, think, stdout)
	}
	if campaign == 0 {
		if campaign, err = survey.RunningCampaign(ctx, db); err != nil {
			return fmt.Errorf("load: no campaign takes online answers today (%w); give --campaign", err)
		}
	}
	if invites == 0 {
		invites = min(survey.MaxAddInvitations, int(3000*duration.Seconds())+clients)
	}
	fmt.Fprintf(stdout, "creating %d invitations for campaign %d …\n", invites, campaign)
	if g.codes, err = survey.AddInvitations(ctx, db, access.System, campaign, 0, invites); err != nil {
		return err
	}
	// Answers commit on the server; the generator only reads the database at the end.

	cpu0, rss0, err := serverMetrics(target)
	if err != nil {
		return fmt.Errorf("load: read the server's /metrics: %w", err)
	}
	load := loadAverage()
	runCtx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	peak := sampleRSS(runCtx, target)
	start := time.Now()
	var wg sync.WaitGroup
	results := make([]clientResult, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = g.client(runCtx)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, rss1, err := serverMetrics(target)
	if err != nil {
		return fmt.Errorf("load: read the server's /metrics: %w", err)
	}

	var all clientResult
	for _, r := range results {
		all.acked = append(all.acked, r.acked...)
		all.post = append(all.post, r.post...)
		all.cycle = append(all.cycle, r.cycle...)
		all.failures += r.failures
		if all.firstErr == nil {
			all.firstErr = r.firstErr
		}
	}
	stored, err := survey.CountAnswered(ctx, db, all.acked)
	if err != nil {
		return err
	}
	n := len(all.acked)
	fmt.Fprintf(stdout, "database      %s\n", db.Dialect)
	fmt.Fprintf(stdout, "clients       %d for %s (load average before: %s)\n", clients, elapsed.Round(time.Millisecond), load)
	fmt.Fprintf(stdout, "cycles        %d complete (GET form, POST answer, GET thank-you), %d failed\n", n, all.failures)
	fmt.Fprintf(stdout, "throughput    %.0f cycles/s\n", float64(n)/elapsed.Seconds())
	fmt.Fprintf(stdout, "POST latency  p50 %s  p99 %s  max %s\n", pct(all.post, 0.50), pct(all.post, 0.99), pct(all.post, 1))
	fmt.Fprintf(stdout, "cycle latency p50 %s  p99 %s\n", pct(all.cycle, 0.50), pct(all.cycle, 0.99))
	if n > 0 {
		fmt.Fprintf(stdout, "server CPU    %.2f ms per answer (%.1f CPU-seconds in all)\n", (cpu1-cpu0)*1000/float64(n), cpu1-cpu0)
	}
	fmt.Fprintf(stdout, "server RSS    %.0f MB at most during the run (%.0f MB before, %.0f MB after)\n", <-peak/(1<<20), rss0/(1<<20), rss1/(1<<20))
	fmt.Fprintf(stdout, "stored        %d of %d acknowledged answers\n", stored, n)
	if all.firstErr != nil {
		fmt.Fprintf(stdout, "first failure %v\n", all.firstErr)
	}
	if stored != n {
		return fmt.Errorf("load: %d acknowledged answers are missing from the database", n-stored)
	}
	if all.failures > 0 {
		return fmt.Errorf("load: %d cycles failed", all.failures)
	}
	return nil
}

type generator struct {
	base     string
	codes    []string
	next     atomic.Int64  // the next unused code
	addrs    atomic.Uint32 // the next loopback address
	addrBase uint32        // a random start, so runs within the hour do not share addresses
}

type clientResult struct {
	acked       []string
	post, cycle []time.Duration
	failures    int
	firstErr    error
}

// cyclesPerAddress keeps each address under the server's limits: 25 cycles are 75 requests
// (of 120 a minute) and 25 answers (of 30 an hour).
const cyclesPerAddress = 25

// loopback returns the nth loopback address, skipping 127.0.0.0/16 (the usual 127.0.0.1)
// and x.y.z of 0 and 255.
func loopback(n uint32) net.IP {
	n %= 254 * 256 * 254
	return net.IPv4(127, byte(1+n/(256*254)), byte(n/254%256), byte(1+n%254))
}

func (g *generator) client(ctx context.Context) clientResult {
	var r clientResult
	var hc *http.Client
	for i := 0; ctx.Err() == nil; i++ {
		if i%cyclesPerAddress == 0 {
			if hc != nil {
				hc.CloseIdleConnections()
			}
			hc = g.httpClient(loopback(g.addrBase + g.addrs.Add(1)))
		}
		k := g.next.Add(1) - 1
		if k >= int64(len(g.codes)) {
			r.fail(errors.New("out of invitations: give more with --invitations"))
			return r
		}
		code := g.codes[k]
		t0 := time.Now()
		post, err := g.cycle(ctx, hc, code)
		if err != nil {
			if ctx.Err() == nil {
				r.fail(fmt.Errorf("invitation %s: %w", code, err))
			}
			continue
		}
		r.acked = append(r.acked, code)
		r.post = append(r.post, post)
		r.cycle = append(r.cycle, time.Since(t0))
	}
	if hc != nil {
		hc.CloseIdleConnections()
	}
	return r
}

func (r *clientResult) fail(err error) {
	r.failures++
	if r.firstErr == nil {
		r.firstErr = err
	}
}

func (g *generator) httpClient(local net.IP) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: local}, Timeout: 5 * time.Second}
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 1},
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

var (
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	radioInput  = regexp.MustCompile(`<input type="radio" name="([^"]+)" value="([^"]*)"`)
)

// cycle runs one resident's cycle and returns the POST's latency. The answer is chosen at
// random among the form's choices, and one in ten carries an opinion (which opens a
// follow-up), as residents' do.
func (g *generator) cycle(ctx context.Context, hc *http.Client, code string) (time.Duration, error) {
	page, err := g.get(ctx, hc, "/s/"+code)
	if err != nil {
		return 0, err
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	choices := map[string][]string{}
	var names []string
	for _, m := range radioInput.FindAllStringSubmatch(page, -1) {
		if _, ok := choices[m[1]]; !ok {
			names = append(names, m[1])
		}
		choices[m[1]] = append(choices[m[1]], m[2])
	}
	if len(names) == 0 || form.Get("idem") == "" {
		return 0, fmt.Errorf("the form has no questions or no idempotency key")
	}
	for _, name := range names {
		vs := choices[name]
		// Mostly the better half of the scale, as in the demo's answers.
		form.Set(name, vs[rand.IntN(max(1, (len(vs)+1)/2))])
	}
	if rand.IntN(10) == 0 {
		form.Set("survey_opinion", "楼道灯不亮，请尽快修理")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+"/s/"+code, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	t0 := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	post := time.Since(t0)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/thanks") {
		return 0, fmt.Errorf("POST: HTTP %d, Location %q", resp.StatusCode, loc)
	}
	if _, err := g.get(ctx, hc, loc); err != nil {
		return 0, err
	}
	return post, nil
}

func (g *generator) get(ctx context.Context, hc *http.Client, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return string(b), nil
}

// serverMetrics reads the server's CPU seconds and resident memory from its /metrics.
func serverMetrics(base string) (cpu, rss float64, err error) {
	resp, err := http.Get(strings.TrimSuffix(base, "/") + "/metrics")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "process_cpu_seconds_total":
			cpu, err = strconv.ParseFloat(value, 64)
			found++
		case "process_resident_memory_bytes":
			rss, err = strconv.ParseFloat(value, 64)
			found++
		}
		if err != nil {
			return 0, 0, err
		}
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("no process_cpu_seconds_total or process_resident_memory_bytes")
	}
	return cpu, rss, sc.Err()
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// pct is the p-th quantile of ds (p = 1 is the maximum).
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))].Round(10 * time.Microsecond)
}
