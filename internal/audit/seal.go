package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"manyi/internal/store"
)

// SealBatch is how many entries one sealing transaction links at most: enough to keep up
// with thousands of appends a second, few enough that the transaction stays short.
const SealBatch = 1000

// Head is the end of the sealed chain: the number of sealed entries and the last hash.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Seal links up to limit unsealed entries into the chain, in id order, in one transaction,
// and returns how many it sealed and the chain's head after it.
//
// Entries take their place in the order they are sealed (seal_seq), not in id order: an
// entry whose transaction took a lower id but committed after a higher one is simply sealed
// in a later batch, so the sealer never waits on a gap in the ids and never leaves an entry
// behind (docs/audit.md). Sealers exclude each other: on SQLite the writer lock does it, on
// PostgreSQL a transaction-scoped advisory lock named after the schema, so two instances
// sealing at once queue rather than fork the chain; the unique seal_seq would refuse a fork
// even without the lock.
func Seal(ctx context.Context, db *store.DB, limit int) (sealed int, head Head, err error) {
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect() == store.Postgres {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('manyi audit seal ' || current_schema()))"); err != nil {
				return fmt.Errorf("audit seal lock: %w", err)
			}
		}
		var err error
		if head, err = readHead(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json
			FROM audit_log WHERE seal_seq IS NULL ORDER BY id LIMIT ?`, limit)
		if err != nil {
			return fmt.Errorf("audit seal: %w", err)
		}
		var batch []Entry
		for rows.Next() {
			e, err := scanContent(rows)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		stmt, err := tx.Prepare(ctx, "UPDATE audit_log SET seal_seq = ?, prev_hash = ?, hash = ? WHERE id = ? AND seal_seq IS NULL")
		if err != nil {
			return fmt.Errorf("audit seal: %w", err)
		}
		defer stmt.Close()
		for _, e := range batch {
			h := hash(head.Hash, e)
			res, err := stmt.ExecContext(ctx, head.Seq+1, head.Hash, h, e.ID)
			if err != nil {
				return fmt.Errorf("seal audit entry %d: %w", e.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("seal audit entry %d: sealed by someone else (%d rows, %v)", e.ID, n, err)
			}
			head = Head{Seq: head.Seq + 1, Hash: h}
		}
		sealed = len(batch)
		return nil
	})
	if err != nil {
		return 0, Head{}, err
	}
	return sealed, head, nil
}

// SealAll seals every entry committed when it runs, in batches, and returns how many.
func SealAll(ctx context.Context, db *store.DB) (int, Head, error) {
	total := 0
	for {
		n, head, err := Seal(ctx, db, SealBatch)
		total += n
		if err != nil || n < SealBatch {
			return total, head, err
		}
	}
}

// Waiting reports whether any committed entry waits to be sealed. It only reads, so a
// sealer can poll with it without taking SQLite's writer lock when there is nothing to do.
func Waiting(ctx context.Context, db *store.DB) (bool, error) {
	var one int
	err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT 1 FROM audit_log WHERE seal_seq IS NULL LIMIT 1").Scan(&one)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func readHead(ctx context.Context, tx *store.Tx) (Head, error) {
	var h Head
	err := tx.QueryRow(ctx, "SELECT seal_seq, hash FROM audit_log WHERE seal_seq IS NOT NULL ORDER BY seal_seq DESC LIMIT 1").Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Head{}, nil
	}
	if err != nil {
		return Head{}, fmt.Errorf("read audit chain head: %w", err)
	}
	return h, nil
}

// scanContent reads the columns the hash covers.
func scanContent(rows *sql.Rows, extra ...any) (Entry, error) {
	var e Entry
	var actorID, unitID sql.NullInt64
	var before, after string
	dest := append([]any{&e.ID, &e.At, &actorID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &unitID, &before, &after}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return e, fmt.Errorf("scan audit: %w", err)
	}
	e.ActorID, e.UnitID = actorID.Int64, unitID.Int64
	e.Before, e.After = []byte(before), []byte(after)
	return e, nil
}

// VerifyResult says how much of the sealed chain was checked, where it first broke, and how
// many entries wait to be sealed.
type VerifyResult struct {
	Checked  int   `json:"checked"`
	BrokenAt int64 `json:"broken_at,omitempty"` // id of the first bad entry; 0 when intact
	// Head is the end of the chain as found. A head lower than one seen before means sealed
	// entries were removed from the end, which the chain alone cannot show (docs/audit.md).
	Head Head `json:"head"`
	// Unsealed entries are committed but not yet in the chain; OldestUnsealed is when the
	// oldest of them was written (zero when none). A backlog that stays means no sealer runs.
	Unsealed       int       `json:"unsealed"`
	OldestUnsealed time.Time `json:"oldest_unsealed,omitzero"`
}

// Verify walks the sealed chain in seal order and reports the first entry whose place,
// predecessor link or hash does not match, then counts the entries waiting to be sealed.
func Verify(ctx context.Context, db *store.DB) (VerifyResult, error) {
	var res VerifyResult
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, at, actor_id, actor, action, entity, entity_id, unit_id, before_json, after_json, seal_seq, prev_hash, hash
			FROM audit_log WHERE seal_seq IS NOT NULL ORDER BY seal_seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var prevHash, h string
			e, err := scanContent(rows, &seq, &prevHash, &h)
			if err != nil {
				return err
			}
			res.Checked++
			if res.BrokenAt == 0 && (seq != res.Head.Seq+1 || prevHash != res.Head.Hash || hash(res.Head.Hash, e) != h) {
				res.BrokenAt = e.ID
			}
			res.Head = Head{Seq: seq, Hash: h}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE seal_seq IS NULL").Scan(&res.Unsealed); err != nil {
			return fmt.Errorf("count unsealed audit entries: %w", err)
		}
		if res.Unsealed > 0 {
			return tx.QueryRow(ctx, "SELECT at FROM audit_log WHERE seal_seq IS NULL ORDER BY at LIMIT 1").Scan(&res.OldestUnsealed)
		}
		return nil
	})
	res.OldestUnsealed = res.OldestUnsealed.UTC()
	return res, err
}
