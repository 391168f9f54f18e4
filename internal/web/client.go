package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Limits are the public pages' rate limits per client. The hourly caps on stored answers and
// complaints count in the database, so they hold across instances; the per-minute request
// limits count in each instance's memory.
type Limits struct {
	AnswersPerHour      int // survey answers stored from one client (survey.PublicLimit)
	ComplaintsPerHour   int // complaints stored from one client (complaint.PublicLimit)
	SurveyPerMinute     int // requests to the public survey pages
	TrackPerMinute      int // requests to /track and /track/respond
	ComplaintsPerMinute int // requests to the public complaint form, and to the booking form
	BookingsPerHour     int // bookings stored from one client (booking.PublicLimit)
}

// DefaultLimits are a household's pace: 30 answers, 5 complaints and 5 bookings an hour, a family
// answering on its phones, a complainant checking progress now and then.
func DefaultLimits() Limits {
	return Limits{AnswersPerHour: 30, ComplaintsPerHour: 5, SurveyPerMinute: 120, TrackPerMinute: 20, ComplaintsPerMinute: 20, BookingsPerHour: 5}
}

// orDefaults fills the limits left at zero (unset) with DefaultLimits.
func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct {
		v *int
		d int
	}{{&l.AnswersPerHour, d.AnswersPerHour}, {&l.ComplaintsPerHour, d.ComplaintsPerHour},
		{&l.SurveyPerMinute, d.SurveyPerMinute}, {&l.TrackPerMinute, d.TrackPerMinute}, {&l.ComplaintsPerMinute, d.ComplaintsPerMinute}, {&l.BookingsPerHour, d.BookingsPerHour}} {
		if *f.v <= 0 {
			*f.v = f.d
		}
	}
	return l
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or single addresses (the
// --trusted-proxies setting).
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientAddr returns the address of the client that sent a request arriving from
// remoteAddr. Forwarding headers are believed only from a trusted proxy, since anyone can
// send them: then X-Forwarded-For is read from the right, skipping trusted hops, and the
// first untrusted hop is the client (hops left of it could be forged by the client itself);
// without X-Forwarded-For, X-Real-IP names the client.
func clientAddr(remoteAddr string, h http.Header, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	var hops []string
	for _, v := range h.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := ""
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break // a malformed hop: nothing left of it can be believed
		}
		client = a.String()
		if !isTrusted(a, trusted) {
			return client
		}
	}
	if client != "" {
		return client // every hop was a trusted proxy: the leftmost is the origin
	}
	if a, ok := parseHop(h.Get("X-Real-IP")); ok {
		return a.String()
	}
	return peer.Unmap().String()
}

// parseHop reads one forwarded address, with or without a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return a.Unmap(), err == nil
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the client's address: for login throttling and the audit of logins.
func (s *Server) clientIP(r *http.Request) string {
	return clientAddr(r.RemoteAddr, r.Header, s.cfg.TrustedProxies)
}

// clientKey identifies the sender of a public form for rate limiting without storing the
// address itself.
func (s *Server) clientKey(r *http.Request) string {
	sum := sha256.Sum256([]byte("manyi-complaint-client:" + s.clientIP(r)))
	return hex.EncodeToString(sum[:16])
}
