package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"manyi/internal/store"
)

// TestLoadCommand runs the load generator for a moment against a real server with the demo
// data: every cycle completes, and every acknowledged answer is found stored.
func TestLoadCommand(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a server with the demo data")
	}
	m := MustRunMain(t, store.SQLite)
	var out bytes.Buffer
	err := run(context.Background(), []string{"load", "--db", m.Config.DB, "--url", m.URL(), "-c", "2", "-d", "1s", "--invitations", "2000"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	cycles := regexp.MustCompile(`(?m)^cycles +(\d+) complete .*, 0 failed$`).FindStringSubmatch(out.String())
	stored := regexp.MustCompile(`(?m)^stored +(\d+) of (\d+) acknowledged answers$`).FindStringSubmatch(out.String())
	if cycles == nil || stored == nil || cycles[1] == "0" || stored[1] != stored[2] || stored[2] != cycles[1] {
		t.Fatalf("load output:\n%s", out.String())
	}
	for _, line := range []string{"throughput", "POST latency", "server CPU", "at most during the run"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("no %q line in:\n%s", line, out.String())
		}
	}

	// The generator answers from many loopback addresses, so it refuses a remote server.
	err = run(context.Background(), []string{"load", "--db", m.Config.DB, "--url", "http://192.0.2.1:8080", "-d", "1s"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("remote --url: err = %v, want a refusal naming loopback", err)
	}
	// Residents answer without reading time; a staff user's cannot be negative.
	for _, args := range [][]string{{"--think", "2s"}, {"--staff", "--think", "-1s"}} {
		err = run(context.Background(), append([]string{"load", "--db", m.Config.DB, "--url", m.URL(), "-d", "1s"}, args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--think") {
			t.Errorf("%v: err = %v, want a refusal naming --think", args, err)
		}
	}
}

// TestLoadStaff runs the staff load for a moment against a real server with the demo data:
// every account logs in, the walk finds the linked pages (a record page among them, a report)
// and the API's lists, no link is broken, no request fails, and every route is reported.
func TestLoadStaff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server with the demo data")
	}
	t.Setenv("MANYI_ADMIN_PASSWORD", testAdminPassword)
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		var out bytes.Buffer
		err := run(context.Background(), []string{"load", "--staff", "--db", m.Config.DB, "--url", m.URL(), "-c", "4", "-d", "1s", "--think", "1ms"}, &out, io.Discard)
		if err != nil {
			t.Fatalf("load --staff: %v\n%s", err, out.String())
		}
		text := out.String()
		if strings.Contains(text, "refused:") || strings.Contains(text, "broken links") {
			t.Errorf("an account was refused or a link is broken:\n%s", text)
		}
		requests := regexp.MustCompile(`(?m)^requests +(\d+) complete, 0 failed`).FindStringSubmatch(text)
		if requests == nil || requests[1] == "0" {
			t.Fatalf("load output:\n%s", text)
		}
		routes := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^\S+ +\S+ +\d+  (GET \S+)$`).FindAllStringSubmatch(text, -1) {
			routes[m[1]] = true
		}
		for _, want := range []string{"GET /", "GET /audit", "GET /complaints", "GET /complaints/{n}", "GET /reports/monthly/{n}", "GET /api/v1/complaints", "GET /api/v1/audit"} {
			if !routes[want] {
				t.Errorf("route %s not reported; the output:\n%s", want, text)
			}
		}
		if !regexp.MustCompile(`(?m)^think time +0–2ms at random, mean 1ms$`).MatchString(text) {
			t.Errorf("no think time in:\n%s", text)
		}
		if !regexp.MustCompile(`(?m)^slowest +GET \S+ \(p99 `).MatchString(text) || !regexp.MustCompile(`(?m)^server RSS +[1-9]\d* MB at most$`).MatchString(text) {
			t.Errorf("no slowest route or peak RSS in:\n%s", text)
		}
	})
}

// TestStaffRoute: the walk counts a record's or a period's pages as one route, and leaves
// downloads and public pages alone.
func TestStaffRoute(t *testing.T) {
	for href, want := range map[string]string{
		"/complaints/17?tab=log": "GET /complaints/{n}", "/reports/monthly/2026-11": "GET /reports/monthly/{n}",
		"/workorders/daily?day=2026-11-03": "GET /workorders/daily", "/": "GET /",
	} {
		if got := staffRoute(href); got != want {
			t.Errorf("staffRoute(%q) = %q, want %q", href, got, want)
		}
	}
	for href, want := range map[string]bool{
		"/complaints": true, "/reports/monthly/2026-11": true, "/reports/monthly/2026-11/pdf": false,
		"/workorders/export.xlsx": false, "/s/ABC": false, "/lang/en": false, "/static/x/app.css": false,
	} {
		if got := staffPage(href); got != want {
			t.Errorf("staffPage(%q) = %v, want %v", href, got, want)
		}
	}
}
