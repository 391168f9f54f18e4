package idempotency_test

import (
	"context"
	"testing"
	"time"

	"manyi/internal/errs"
	"manyi/internal/idempotency"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestClaim: a key is claimed once; while its request runs a retry is a conflict; after the
// answer is recorded a retry replays it; another request under the key is invalid naming the
// field; another token's same key is its own; a released key runs again; an expired key starts
// afresh and is purged.
func TestClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		k := idempotency.Key{UserID: 1, TokenID: 2, Key: "k1", RequestHash: "h1"}
		if _, replay, err := idempotency.Claim(ctx, db, "Idempotency-Key", k); err != nil || replay {
			t.Fatalf("first claim: %v %v", replay, err)
		}
		if _, _, err := idempotency.Claim(ctx, db, "Idempotency-Key", k); !errs.Is(err, errs.Conflict) {
			t.Fatalf("claim while running: %v", err)
		}
		if err := idempotency.Complete(ctx, db, k, idempotency.Answer{Status: 201, Location: "/x/1", Body: []byte(`{"id":1}`)}); err != nil {
			t.Fatal(err)
		}
		a, replay, err := idempotency.Claim(ctx, db, "Idempotency-Key", k)
		if err != nil || !replay || a.Status != 201 || a.Location != "/x/1" || string(a.Body) != `{"id":1}` {
			t.Fatalf("replay: %+v %v %v", a, replay, err)
		}
		other := k
		other.RequestHash = "h2"
		if _, _, err := idempotency.Claim(ctx, db, "Idempotency-Key", other); !errs.Is(err, errs.Invalid) || errs.As(err).Field != "Idempotency-Key" {
			t.Fatalf("other request: %v", err)
		}
		token := k
		token.TokenID = 3
		if _, replay, err := idempotency.Claim(ctx, db, "Idempotency-Key", token); err != nil || replay {
			t.Fatalf("other token: %v %v", replay, err)
		}
		if err := idempotency.Release(ctx, db, token); err != nil {
			t.Fatal(err)
		}
		if _, replay, err := idempotency.Claim(ctx, db, "Idempotency-Key", token); err != nil || replay {
			t.Fatalf("after release: %v %v", replay, err)
		}
		now = now.Add(idempotency.TTL)
		if _, replay, err := idempotency.Claim(ctx, db, "Idempotency-Key", other); err != nil || replay {
			t.Fatalf("expired key: %v %v", replay, err)
		}
		now = now.Add(idempotency.TTL + time.Second)
		if n, err := idempotency.Purge(ctx, db); err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
	})
}

func TestCheckKey(t *testing.T) {
	for _, k := range []string{"", "has space", "tab\t", "é", string(make([]byte, 256))} {
		if err := idempotency.CheckKey("Idempotency-Key", k); !errs.Is(err, errs.Invalid) {
			t.Errorf("CheckKey(%q) = %v", k, err)
		}
	}
	if err := idempotency.CheckKey("Idempotency-Key", "7f0c2a4e-0d5b-4b8e-9a51-6c2f1e0b9d11"); err != nil {
		t.Error(err)
	}
}
