// Package webhooktest is a local webhook endpoint for the tests of the areas whose changes
// webhooks announce: it checks every delivery's signature as a receiver should, and keeps
// what it accepted, so a test can count the events an endpoint received.
package webhooktest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/store"
	"manyi/internal/webhook"
)

const secret = "0123456789abcdef"

// Event is a delivery the receiver accepted.
type Event struct {
	ID       int64  `json:"id"`
	Event    string `json:"event"`
	EntityID string `json:"entity_id"`
	UnitID   int64  `json:"unit_id"`
}

// Receiver is a webhook registered on db for some events, served on a local address.
type Receiver struct {
	db      *store.DB
	clients webhook.Clients
	mu      sync.Mutex
	got     []Event
}

// New starts a receiver and registers it for events (the changes made from now on); a delivery with a bad signature is
// refused (401) and so never counted.
func New(t testing.TB, db *store.DB, events ...string) *Receiver {
	t.Helper()
	r := &Receiver{db: db}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		sig := req.Header.Get("X-Manyi-Signature")
		ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "."))
		m.Write(body)
		if !hmac.Equal([]byte(sig), []byte("t="+ts+",v1="+hex.EncodeToString(m.Sum(nil)))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var e Event
		if err := json.Unmarshal(body, &e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, e)
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r.clients = webhook.Clients{Public: srv.Client(), Private: srv.Client()}
	// Sealed first, so that the webhook gets only the changes made after it, as in production
	// a second after the fixture's.
	if _, _, err := audit.SealAll(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if _, err := webhook.Register(context.Background(), db, access.System, webhook.Input{URL: srv.URL + "/hook", Secret: secret, Events: events, AllowPrivate: true}); err != nil {
		t.Fatal(err)
	}
	return r
}

// Flush does at once what the sealer and the webhook_dispatch job do within seconds: seals
// the audit entries, queues the deliveries and sends them.
func (r *Receiver) Flush(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := audit.SealAll(ctx, r.db); err != nil {
		t.Fatal(err)
	}
	if _, err := webhook.Queue(ctx, r.db); err != nil {
		t.Fatal(err)
	}
	if _, err := webhook.Deliver(ctx, r.db, r.clients, nil); err != nil {
		t.Fatal(err)
	}
}

// Got returns the accepted deliveries of event, in the order received.
func (r *Receiver) Got(event string) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.got {
		if e.Event == event {
			out = append(out, e)
		}
	}
	return out
}
