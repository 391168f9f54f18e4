package web

import (
	"net/http"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.1 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, remote, xff, realIP string
		trusted                   bool
		want                      string
	}{
		{"no proxy configured: the peer", "203.0.113.5:4000", "198.51.100.1", "", false, "203.0.113.5"},
		{"untrusted peer: headers ignored", "203.0.113.5:4000", "198.51.100.1", "198.51.100.2", true, "203.0.113.5"},
		{"trusted peer: the hop it appended", "10.1.1.1:4000", "198.51.100.1", "", true, "198.51.100.1"},
		{"forged hops left of the client are ignored", "10.1.1.1:4000", "1.2.3.4, 198.51.100.1", "", true, "198.51.100.1"},
		{"trusted hops are skipped from the right", "10.1.1.1:4000", "198.51.100.1, 10.2.2.2, 192.0.2.1", "", true, "198.51.100.1"},
		{"a hop with a port", "10.1.1.1:4000", "198.51.100.1:5555", "", true, "198.51.100.1"},
		{"IPv6 hop in brackets", "[::1]:4000", "[2001:db8::1]:80", "", true, "2001:db8::1"},
		{"malformed hop: stop at the last good one", "10.1.1.1:4000", "198.51.100.1, garbage", "", true, "10.1.1.1"},
		{"only trusted hops: the leftmost", "10.1.1.1:4000", "10.3.3.3, 10.2.2.2", "", true, "10.3.3.3"},
		{"X-Real-IP without X-Forwarded-For", "10.1.1.1:4000", "", "198.51.100.9", true, "198.51.100.9"},
		{"bad X-Real-IP: the peer", "10.1.1.1:4000", "", "nonsense", true, "10.1.1.1"},
	} {
		h := http.Header{}
		if tt.xff != "" {
			h.Set("X-Forwarded-For", tt.xff)
		}
		if tt.realIP != "" {
			h.Set("X-Real-IP", tt.realIP)
		}
		list := trusted
		if !tt.trusted {
			list = nil
		}
		if got := clientAddr(tt.remote, h, list); got != tt.want {
			t.Errorf("%s: clientAddr = %q, want %q", tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.0/8,x"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted", bad)
		}
	}
}
