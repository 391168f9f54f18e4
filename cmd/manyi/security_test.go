package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"manyi/internal/demo"
	"manyi/internal/store"
)

// byID reads the text of the element with the id from a page.
func byID(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no #%s in %.400s", id, body)
	}
	return strings.TrimSpace(m[1])
}

// submitComplaint sends the public complaint form with the idempotency key the form issued.
func submitComplaint(t *testing.T, c *client, unitID, idem string) (int, string) {
	t.Helper()
	status, body, _ := c.post("/complain", url.Values{"unit_id": {unitID}, "category": {"delay"}, "complainant": {"测试业主"},
		"contact": {"13800001111"}, "description": {"楼道灯坏了三天"}, "idem": {idem}})
	return status, body
}

// TestStaffCannotAnswerForComplainant (issue 13, fault 1): staff see tracking codes on
// /complaints; posting one to the public /track/respond without a login must not confirm
// the complaint. Only the response code shown once to the complainant does. Also: the public
// form's idempotency key makes a resubmission show the first complaint's codes again.
func TestStaffCannotAnswerForComplainant(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		resident := newClient(t, m.URL())
		_, form := resident.get("/complain")
		idem := regexp.MustCompile(`name="idem" value="([0-9a-f]{32})"`).FindStringSubmatch(form)
		if idem == nil {
			t.Fatal("the public complaint form carries no idempotency key")
		}
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)
		unitM := regexp.MustCompile(`<option value="(\d+)"[^>]*>[^<]*永馨园<`).FindStringSubmatch(form)
		if unitM == nil {
			t.Fatal("the public form offers no 永馨园")
		}
		unit := unitM[1]
		status, done := submitComplaint(t, resident, unit, idem[1])
		if status != http.StatusCreated {
			t.Fatalf("complaint answered %d: %.300s", status, done)
		}
		code, response := byID(t, done, "tracking-code"), byID(t, done, "response-code")
		// The resident reloads the POST: the same complaint, the same codes, nothing stored twice.
		status, again := submitComplaint(t, resident, unit, idem[1])
		if status != http.StatusCreated || byID(t, again, "tracking-code") != code || byID(t, again, "response-code") != response {
			t.Fatalf("resubmission answered %d with other codes: %.300s", status, again)
		}
		_, list := clerk.get("/complaints?channel=web&unit=" + unit)
		if n := strings.Count(list, "<code>"+code+"</code>"); n != 1 {
			t.Fatalf("/complaints lists the complaint %d times, want once", n)
		}
		id := regexp.MustCompile(`data-id="(\d+)">\s*<td><a href="/complaints/\d+"><code>` + code).FindStringSubmatch(list)
		if id == nil {
			t.Fatalf("staff do not see tracking code %s on /complaints", code)
		}
		if _, show := clerk.get("/complaints/" + id[1]); strings.Contains(show, response) {
			t.Fatal("the complaint page shows the response code to staff")
		}
		for _, verb := range []url.Values{{"verb": {"reply"}, "text": {"已派电工"}}, {"verb": {"resolve"}, "text": {"灯已修好"}}} {
			if status, body, _ := clerk.post("/complaints/"+id[1]+"/act", verb); status != http.StatusSeeOther {
				t.Fatalf("%s: %d %.300s", verb.Get("verb"), status, body)
			}
		}

		// Anyone holding only the tracking code, as staff do, is refused and changes nothing.
		attacker := newClient(t, m.URL())
		for _, guess := range []string{"", code} {
			status, body, _ := attacker.post("/track/respond", url.Values{"code": {code}, "response_code": {guess}, "satisfied": {"1"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "确认码") {
				t.Errorf("respond with response code %q: %d %.300s", guess, status, body)
			}
		}
		if _, track := attacker.get("/track?code=" + code); byID(t, track, "track-status") != "已解决" {
			t.Fatalf("status after refused answers %q", byID(t, track, "track-status"))
		}
		// The complainant's response code confirms.
		status, _, loc := resident.post("/track/respond", url.Values{"code": {code}, "response_code": {strings.ToLower(response)}, "satisfied": {"1"}})
		if status != http.StatusSeeOther {
			t.Fatalf("the complainant's answer: %d", status)
		}
		if _, track := resident.get(loc); byID(t, track, "track-status") != "投诉人已确认" {
			t.Fatalf("status after the complainant confirms %q", byID(t, track, "track-status"))
		}
	})
}

// TestPublicRateLimitsBehindProxy (issue 13, faults 7 and 8): /track is rate limited per
// client; a spoofed X-Forwarded-For from an untrusted peer is ignored; behind a trusted
// proxy two residents get separate buckets.
func TestPublicRateLimitsBehindProxy(t *testing.T) {
	t.Parallel()
	const limit = 3
	lookup := func(c *client, xff string) int {
		t.Helper()
		h := map[string]string{}
		if xff != "" {
			h["X-Forwarded-For"] = xff
		}
		status, _, _ := c.do("GET", "/track?code=TS-AAAA-AAAA", nil, h)
		return status
	}
	limited := func(m *Main, xff string) int {
		t.Helper()
		c := newClient(t, m.URL())
		for i := range limit + 5 {
			if s := lookup(c, xff); s == http.StatusTooManyRequests {
				return i
			}
		}
		return -1
	}
	t.Run("untrusted", func(t *testing.T) {
		m := MustRunMain(t, store.SQLite, func(c *Config) { c.Limits.TrackPerMinute = limit })
		if n := limited(m, "203.0.113.1"); n != limit {
			t.Fatalf("refused after %d lookups, want %d", n, limit)
		}
		// The peer is not a trusted proxy: a forged header does not buy a new bucket.
		if n := limited(m, "203.0.113.2"); n != 0 {
			t.Fatalf("a spoofed X-Forwarded-For got a fresh bucket (%d lookups before refusal)", n)
		}
	})
	t.Run("trusted", func(t *testing.T) {
		m := MustRunMain(t, store.SQLite, func(c *Config) {
			c.Limits.TrackPerMinute = limit
			c.TrustedProxies = "127.0.0.0/8, ::1"
		})
		for _, resident := range []string{"198.51.100.7", "198.51.100.8"} {
			// The client may prepend anything; only the hop the proxy appended counts.
			if n := limited(m, fmt.Sprintf("10.9.9.9, %s", resident)); n != limit {
				t.Fatalf("resident %s refused after %d lookups, want %d: residents share a bucket", resident, n, limit)
			}
		}
	})
}

// TestProxyAndLimitConfig: the settings come from the environment, flags win, and a bad CIDR
// stops the start instead of silently trusting nobody (or everybody).
func TestProxyAndLimitConfig(t *testing.T) {
	t.Setenv("MANYI_TRUSTED_PROXIES", "10.0.0.0/8")
	t.Setenv("MANYI_LIMIT_TRACK_PER_MINUTE", "7")
	c := DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.flags(fs, true)
	if err := fs.Parse([]string{"--limit-complaints-per-hour", "9"}); err != nil {
		t.Fatal(err)
	}
	if c.TrustedProxies != "10.0.0.0/8" || c.Limits.TrackPerMinute != 7 || c.Limits.ComplaintsPerHour != 9 || c.Limits.AnswersPerHour != 30 {
		t.Fatalf("config = %+v", c)
	}
	m := &Main{Config: Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "x.db"), TrustedProxies: "10.0.0.0/33"},
		Stdout: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := m.Open(context.Background()); err == nil || !strings.Contains(err.Error(), "10.0.0.0/33") {
		m.Close(context.Background())
		t.Fatalf("a bad trusted proxy CIDR started: %v", err)
	}
}

// TestStatsLinksHidePhones (issue 13, fault 7): the repeat complainants on /complaints/stats
// link by complaint id, never by the phone number, and show the number masked.
func TestStatsLinksHidePhones(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		resident := newClient(t, m.URL())
		_, form := resident.get("/complain")
		unit := regexp.MustCompile(`<option value="(\d+)"[^>]*>[^<]*永馨园<`).FindStringSubmatch(form)
		if unit == nil {
			t.Fatal("the public form offers no 永馨园")
		}
		const phone = "13912347788"
		for _, text := range []string{"电梯又坏了", "电梯还是坏的"} {
			status, body, _ := resident.post("/complain", url.Values{"unit_id": {unit[1]}, "category": {"delay"}, "complainant": {"重复业主"},
				"contact": {phone}, "description": {text}})
			if status != http.StatusCreated {
				t.Fatalf("complaint: %d %.300s", status, body)
			}
		}
		clerk := newClient(t, m.URL())
		clerk.login("clerk", demo.DemoPassword)
		_, stats := clerk.get("/complaints/stats")
		if strings.Contains(stats, phone) {
			t.Fatal("/complaints/stats shows or links the full phone number")
		}
		row := regexp.MustCompile(`<td>重复业主</td><td>([^<]*)</td><td class="num"><a href="(/complaints\?same_contact=\d+)">2</a>`).FindStringSubmatch(stats)
		if row == nil {
			t.Fatalf("no repeat-complainant row linking by id: %.2000s", stats)
		}
		if !strings.Contains(row[1], "*") || strings.Contains(row[1], "2347") {
			t.Errorf("the contact is shown as %q, want it masked", row[1])
		}
		_, list := clerk.get(strings.ReplaceAll(row[2], "&amp;", "&"))
		if n := strings.Count(list, `<tr data-id=`); n != 2 {
			t.Errorf("the link lists %d complaints, want the complainant's 2", n)
		}
	})
}

// TestOversizedRolesFormChangesNothing: a roles form cut short by the size limit is refused as
// too large; it must not be read as a shorter list of roles (before, the handler ignored the
// parse error and replaced the person's roles with what it had read).
func TestOversizedRolesFormChangesNothing(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, store.SQLite)
	var personID, before int
	if err := m.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT p.id, COUNT(*) FROM people p JOIN users u ON u.person_id = p.id
			JOIN role_assignments ra ON ra.person_id = p.id WHERE u.username = 'clerk' GROUP BY p.id`).Scan(&personID, &before)
	}); err != nil || before == 0 {
		t.Fatalf("the demo clerk's roles: %d, %v", before, err)
	}
	admin := newClient(t, m.URL())
	admin.login("admin", testAdminPassword)
	admin.get(fmt.Sprintf("/org/people/%d", personID))
	status, _, _ := admin.post(fmt.Sprintf("/org/people/%d/roles", personID),
		url.Values{"grant": {"staff@0"}, "padding": {strings.Repeat("x", 2<<20)}})
	if status != http.StatusRequestEntityTooLarge && status != http.StatusBadRequest {
		t.Errorf("an oversized roles form answered %d, want it refused as too large", status)
	}
	if n := sqlCount(t, m, fmt.Sprintf("SELECT COUNT(*) FROM role_assignments WHERE person_id = %d", personID)); n != before {
		t.Errorf("the clerk had %d roles, has %d after a refused form", before, n)
	}
}
