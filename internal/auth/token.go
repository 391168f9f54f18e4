package auth

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// TokenPrefix starts every API token, so that a leaked token is recognisable in logs and
// secret scanners.
const TokenPrefix = "manyi_"

// Token is a personal API token; the secret is shown once at creation and only its hash kept.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// CreateToken creates a token for the actor's own account and returns its secret.
func CreateToken(ctx context.Context, db *store.DB, actor access.Principal, name string) (Token, string, error) {
	if actor.UserID == 0 {
		return Token{}, "", errs.New(errs.Forbidden, "err.forbidden") // tokens belong to accounts
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return Token{}, "", errs.Required("token_name")
	}
	if utf8.RuneCountInString(name) > 100 {
		return Token{}, "", errs.Field("token_name", "err.too_long", 100)
	}
	secret := TokenPrefix + randomToken(32)
	t := Token{Name: name, Prefix: secret[:len(TokenPrefix)+6]}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		t.CreatedAt = tx.Now
		id, err := tx.InsertID(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)",
			actor.UserID, name, tokenHash(secret), t.Prefix, tx.Now)
		if err != nil {
			return err
		}
		t.ID = id
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "token", EntityID: id, After: t})
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// ListTokens lists the actor's own tokens.
func ListTokens(ctx context.Context, db *store.DB, actor access.Principal) ([]Token, error) {
	var out []Token
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC", actor.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t Token
			if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt); err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeToken revokes one of the actor's tokens.
func RevokeToken(ctx context.Context, db *store.DB, actor access.Principal, id int64) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", tx.Now, id, actor.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.NotFound, "err.not_found")
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "revoke", Entity: "token", EntityID: id})
	})
}

// AuthenticateToken resolves an API token to its owner's principal.
func AuthenticateToken(ctx context.Context, db *store.DB, secret string) (access.Principal, error) {
	var p access.Principal
	if !strings.HasPrefix(secret, TokenPrefix) {
		return p, errs.New(errs.Unauthorized, "auth.bad_token")
	}
	hash := tokenHash(secret)
	var tokenID int64
	var lastUsed *time.Time
	err := db.Read(ctx, func(tx *store.Tx) error {
		var userID int64
		err := tx.QueryRow(ctx, "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", hash).Scan(&tokenID, &userID, &lastUsed)
		if store.IsNoRows(err) {
			return errs.New(errs.Unauthorized, "auth.bad_token")
		}
		if err != nil {
			return err
		}
		p, _, err = principal(ctx, tx, userID)
		p.TokenID = tokenID
		return err
	})
	if err != nil {
		return p, err
	}
	if now := db.Now(); lastUsed == nil || now.Sub(*lastUsed) > sessionTouch {
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", tx.Now, tokenID)
			return err
		})
	}
	return p, err
}
