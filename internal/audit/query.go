package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"manyi/internal/store"
)

// Filter selects audit entries. Zero fields do not filter. UnitIDs, when not nil, restricts
// entries to those units (scoped readers); an empty non-nil slice matches nothing.
type Filter struct {
	Entity   string
	EntityID string
	ActorID  int64
	Action   string
	From, To time.Time
	UnitIDs  []int64
	Limit    int
	Offset   int
	// BeforeID pages by keyset: only entries with a smaller id (the API's cursor).
	BeforeID int64
	// Page reads a page by keyset on id (the web page), overriding Limit and Offset: Fetch()
	// entries in its order, for store.Cut.
	Page *store.Page
}

// List returns matching entries, newest first, and the total number that match.
func List(ctx context.Context, tx *store.Tx, f Filter) ([]Entry, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Entity != "" {
		where, args = append(where, "entity = ?"), append(args, f.Entity)
	}
	if f.EntityID != "" {
		where, args = append(where, "entity_id = ?"), append(args, f.EntityID)
	}
	if f.ActorID != 0 {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UTC())
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	if f.UnitIDs != nil {
		if len(f.UnitIDs) == 0 {
			return nil, 0, nil
		}
		where = append(where, "unit_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.UnitIDs)), ",")+")")
		for _, id := range f.UnitIDs {
			args = append(args, id)
		}
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 100
	case limit > 500:
		limit = 500
	}
	order, pageArgs := " ORDER BY id DESC LIMIT ? OFFSET ?", []any{limit, f.Offset}
	if f.Page != nil {
		order, pageArgs = f.Page.OrderBy(store.Order{ID: "id"}), []any{f.Page.Fetch()}
		if c, a := f.Page.Where(store.Order{ID: "id"}); c != "" {
			cond, args = cond+" AND "+c, append(args, a...)
		}
	}
	rows, err := tx.Query(ctx, `SELECT id, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json, COALESCE(hash, '')
		FROM audit_log WHERE `+cond+order, append(args, pageArgs...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func scan(rows *sql.Rows) (Entry, error) {
	var e Entry
	var actorID, unitID sql.NullInt64
	var before, after string
	if err := rows.Scan(&e.ID, &e.At, &actorID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &unitID, &before, &after, &e.Hash); err != nil {
		return e, fmt.Errorf("scan audit: %w", err)
	}
	e.At = e.At.UTC()
	e.ActorID, e.UnitID = actorID.Int64, unitID.Int64
	e.Before, e.After = []byte(before), []byte(after)
	return e, nil
}
