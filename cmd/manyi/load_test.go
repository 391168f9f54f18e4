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
	for _, line := range []string{"throughput", "POST latency", "server CPU"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("no %q line in:\n%s", line, out.String())
		}
	}

	// The generator answers from many loopback addresses, so it refuses a remote server.
	err = run(context.Background(), []string{"load", "--db", m.Config.DB, "--url", "http://192.0.2.1:8080", "-d", "1s"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("remote --url: err = %v, want a refusal naming loopback", err)
	}
}
