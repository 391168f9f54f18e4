package audit

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// A log chained by the old append-time scheme (before migration 0011) keeps its hashes: the
// migration places its entries in the sealed chain in id order, new entries continue it, and
// the whole chain verifies.
func TestChainFromBeforeSealingContinues(t *testing.T) {
	urls := map[string]func(testing.TB) string{
		"sqlite": func(t testing.TB) string { return storetest.URL(t, store.SQLite) },
	}
	if storetest.PostgresURL() != "" {
		urls["postgres"] = func(t testing.TB) string { return storetest.URL(t, store.Postgres) }
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ms, err := db.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			// The schema as it was before sealing: every migration before 0011.
			err = db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)"); err != nil {
					return err
				}
				for _, m := range ms {
					if m.Version >= 11 {
						break
					}
					if _, err := tx.Exec(ctx, m.SQL); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, tx.Now); err != nil {
						return err
					}
				}
				// Three entries appended and chained the old way, through audit_head.
				prev := ""
				for i := int64(1); i <= 3; i++ {
					e := Entry{ID: i, At: tx.Now, Actor: "system", Action: "create", Entity: "unit", EntityID: "7",
						Before: json.RawMessage("null"), After: json.RawMessage(`{"n":1}`)}
					e.Hash = hash(prev, e)
					if _, err := tx.Exec(ctx, `INSERT INTO audit_log (id, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json, prev_hash, hash)
						VALUES (?, ?, NULL, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`, e.ID, e.At, e.Actor, e.Action, e.Entity, e.EntityID, "null", `{"n":1}`, prev, e.Hash); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1", e.ID, e.Hash); err != nil {
						return err
					}
					prev = e.Hash
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if res, err := Verify(ctx, db); err != nil || res.Checked != 3 || res.BrokenAt != 0 || res.Head.Seq != 3 {
				t.Fatalf("Verify right after the migration = %+v, %v", res, err)
			}
			db.Now = func() time.Time { return time.Now().UTC() }
			for range 2 {
				if err := db.InTx(ctx, func(tx *store.Tx) error {
					return Record(ctx, tx, access.System, Change{Action: "update", Entity: "unit", EntityID: 7})
				}); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := SealAll(ctx, db); err != nil {
				t.Fatal(err)
			}
			if res, err := Verify(ctx, db); err != nil || res.Checked != 5 || res.BrokenAt != 0 || res.Head.Seq != 5 || res.Unsealed != 0 {
				t.Fatalf("Verify after new entries = %+v, %v", res, err)
			}
		})
	}
}
