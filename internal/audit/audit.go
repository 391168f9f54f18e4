// Package audit keeps the append-only record of every change to organisation, users, roles,
// schemes, scores and closed periods: who, when, what, and the record before and after.
//
// Entries are appended by Record with no shared row, so writers never wait for each other.
// Seal, run by one sealer at a time shortly after commit, links them into a hash chain (each
// hash covers the previous hash and the entry), so that Verify can prove nobody edited or
// removed a sealed entry behind the application's back; the database triggers refuse DELETE
// and any UPDATE but the one that seals an entry. docs/audit.md argues the design.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/store"
)

// Entry is one audit record.
type Entry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	ActorID  int64           `json:"actor_id,omitempty"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	UnitID   int64           `json:"unit_id,omitempty"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
	Hash     string          `json:"hash"` // "" until sealed
}

// Change describes what to record. Before is nil for a creation, After nil for a deletion.
type Change struct {
	Action   string // create, update, delete, move, deactivate, login, …
	Entity   string // unit, person, user, role, token, …
	EntityID any
	UnitID   int64 // the unit the record belongs to, so scoped readers can filter
	Before   any
	After    any
}

// Record appends an entry in tx, so the entry commits or rolls back with the change itself.
// It touches no shared row: the entry's id comes from the database, and the entry joins the
// hash chain later, when Seal reaches it (docs/audit.md).
func Record(ctx context.Context, tx *store.Tx, actor access.Principal, c Change) error {
	before, err := marshal(c.Before)
	if err != nil {
		return err
	}
	after, err := marshal(c.After)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.Now, nullID(actor.UserID), actor.Login(), c.Action, c.Entity, fmt.Sprint(c.EntityID), nullID(c.UnitID),
		string(before), string(after)); err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func marshal(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: marshal: %w", err)
	}
	return b, nil
}

// hash is the chain hash of e following prev.
func hash(prev string, e Entry) string {
	h := sha256.New()
	fields := []string{
		prev, strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.ActorID, 10), e.Actor, e.Action, e.Entity, e.EntityID,
		strconv.FormatInt(e.UnitID, 10), string(e.Before), string(e.After),
	}
	h.Write([]byte(strings.Join(fields, "\x1f")))
	return hex.EncodeToString(h.Sum(nil))
}
