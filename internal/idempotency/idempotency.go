// Package idempotency keeps the first answer to a write sent with an Idempotency-Key, so that
// a client that lost the answer (a dropped connection, a timeout) can send the same request
// again and get the same answer without the write happening twice.
//
// A key belongs to one credential (the user and the API token; token 0 for a browser session)
// and to one request: the same key with a different request is refused, because replaying the
// first answer to it would tell the client that a write it never made had succeeded.
//
// The key is claimed before the write runs and the answer recorded after it, in transactions
// of their own, since the write is the area's transaction. A key whose first request is still
// running (or whose process died between the write and the record) is refused as a conflict
// until it expires, rather than running the write a second time.
package idempotency

import (
	"context"
	"time"

	"manyi/internal/errs"
	"manyi/internal/store"
)

// TTL is how long a key is kept: a retry after a day is a new request.
const TTL = 24 * time.Hour

// MaxKeyLength bounds a key; clients use UUIDs (36 characters).
const MaxKeyLength = 255

// Key identifies a request: who sent it, with which key, and a hash of the request itself.
type Key struct {
	UserID, TokenID int64
	Key             string
	RequestHash     string
}

// Answer is a recorded response.
type Answer struct {
	Status   int
	Location string
	Body     []byte
}

// CheckKey reports whether k is a usable key: 1–255 visible ASCII characters.
func CheckKey(field, k string) error {
	if k == "" || len(k) > MaxKeyLength {
		return errs.Field(field, "api.idem_bad_key", MaxKeyLength)
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return errs.Field(field, "api.idem_bad_key", MaxKeyLength)
		}
	}
	return nil
}

// Claim claims k for a request about to run. If the key already has an answer to the same
// request, Claim returns it with replay true. The same key with another request is invalid
// (naming field); a key whose first request has not finished is a conflict.
func Claim(ctx context.Context, db *store.DB, field string, k Key) (a Answer, replay bool, err error) {
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var hash string
		var created time.Time
		err := tx.QueryRow(ctx, `SELECT request_hash, status, location, body, created_at FROM api_idempotency
			WHERE user_id = ? AND token_id = ? AND idem_key = ?`, k.UserID, k.TokenID, k.Key).
			Scan(&hash, &a.Status, &a.Location, &a.Body, &created)
		switch {
		case store.IsNoRows(err):
		case err != nil:
			return err
		case tx.Now.Sub(created) >= TTL:
			// Expired: the key starts afresh.
			if _, err := tx.Exec(ctx, "DELETE FROM api_idempotency WHERE user_id = ? AND token_id = ? AND idem_key = ?", k.UserID, k.TokenID, k.Key); err != nil {
				return err
			}
		case hash != k.RequestHash:
			return errs.Field(field, "api.idem_reused")
		case a.Status == 0:
			return errs.New(errs.Conflict, "api.idem_running")
		default:
			replay = true
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO api_idempotency (user_id, token_id, idem_key, request_hash, status, created_at) VALUES (?, ?, ?, ?, 0, ?)`,
			k.UserID, k.TokenID, k.Key, k.RequestHash, tx.Now)
		if store.IsUniqueViolation(err) {
			// Another request with this key claimed it between our read and our insert.
			return errs.New(errs.Conflict, "api.idem_running")
		}
		return err
	})
	return a, replay, err
}

// Complete records the answer to the request that claimed k.
func Complete(ctx context.Context, db *store.DB, k Key, a Answer) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE api_idempotency SET status = ?, location = ?, body = ? WHERE user_id = ? AND token_id = ? AND idem_key = ? AND status = 0`,
			a.Status, a.Location, string(a.Body), k.UserID, k.TokenID, k.Key)
		return err
	})
}

// Release gives up the claim on k without an answer, for a request that failed on our side:
// its retry should run, not replay the failure.
func Release(ctx context.Context, db *store.DB, k Key) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM api_idempotency WHERE user_id = ? AND token_id = ? AND idem_key = ? AND status = 0", k.UserID, k.TokenID, k.Key)
		return err
	})
}

// Purge deletes expired keys and reports how many.
func Purge(ctx context.Context, db *store.DB) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM api_idempotency WHERE created_at < ?", tx.Now.Add(-TTL))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
