package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/store"
)

// Session lifetimes: an idle session ends after SessionIdle; activity extends it, but at most
// once every sessionTouch so that reading pages does not write on every request.
const (
	SessionIdle  = 12 * time.Hour
	sessionTouch = 5 * time.Minute
)

// Throttling: an account with maxPairFailures failed logins from one address, or an address
// with maxIPFailures failed logins across accounts, within throttleWindow is refused from
// that address until the window passes. Failures never lock an account as such: otherwise
// anyone could deny a user their login by typing wrong passwords for them. Guessing one
// account from many addresses stays slow because every address is throttled on its own and
// every check costs an argon2id hash.
const (
	throttleWindow  = 15 * time.Minute
	maxPairFailures = 5
	maxIPFailures   = 20
)

// Session is a logged-in browser. Token goes into the cookie; only its hash is stored.
type Session struct {
	Token     string
	CSRF      string
	UserID    int64
	Locale    string
	ExpiresAt time.Time
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Login checks a username and password and opens a session. Failures are counted per
// account and address, and per address; past a limit, even a right password is refused
// from that address for a while, so guessing is slow on every instance at once while the
// account's owner, from elsewhere, still logs in.
func Login(ctx context.Context, db *store.DB, username, password, ip, userAgent string) (Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" {
		return Session{}, errs.Required("username")
	}
	if password == "" {
		return Session{}, errs.Required("password")
	}
	var s Session
	var failed bool
	err := db.InTx(ctx, func(tx *store.Tx) error {
		since := tx.Now.Add(-throttleWindow)
		var pairFails, ipFails int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_attempts WHERE username = ? AND ip = ? AND at > ? AND success = ?", username, ip, since, false).Scan(&pairFails); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM login_attempts WHERE ip = ? AND at > ? AND success = ?", ip, since, false).Scan(&ipFails); err != nil {
			return err
		}
		if pairFails >= maxPairFailures || ipFails >= maxIPFailures {
			return errs.New(errs.TooMany, "auth.throttled", int(throttleWindow.Minutes()))
		}
		var userID int64
		var hash string
		var active bool
		err := tx.QueryRow(ctx, `SELECT u.id, u.password_hash, u.active AND p.active, u.locale FROM users u JOIN people p ON p.id = u.person_id WHERE u.username = ?`, username).
			Scan(&userID, &hash, &active, &s.Locale)
		if err != nil && !store.IsNoRows(err) {
			return err
		}
		if store.IsNoRows(err) {
			// Spend the same time as a real check so that timing does not reveal usernames.
			CheckPassword(dummyHash(costOf(ctx)), password)
		}
		if userID == 0 || !CheckPassword(hash, password) || !active {
			failed = true
			_, err := tx.Exec(ctx, "INSERT INTO login_attempts (username, ip, at, success) VALUES (?, ?, ?, ?)", username, ip, tx.Now, false)
			return err
		}
		s.Token, s.CSRF, s.UserID = randomToken(32), randomToken(32), userID
		s.ExpiresAt = tx.Now.Add(SessionIdle)
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tokenHash(s.Token), userID, s.CSRF, tx.Now, s.ExpiresAt, tx.Now, ip, truncate(userAgent, 300)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO login_attempts (username, ip, at, success) VALUES (?, ?, ?, ?)", username, ip, tx.Now, true); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	if failed {
		return Session{}, errs.New(errs.Unauthorized, "auth.bad_credentials")
	}
	return s, nil
}

// dummyHash is a valid hash of a random password at cost c, checked when the username is
// unknown. It is made on first use, not at start: an argon2id hash at package init cost
// every start of the binary (each command, each restart after a crash) about half a second
// on a busy machine.
func dummyHash(c Cost) string {
	if h, ok := dummyHashes.Load(c); ok {
		return h.(string)
	}
	h, _ := hashPassword(RandomPassword(), c)
	stored, _ := dummyHashes.LoadOrStore(c, h)
	return stored.(string)
}

var dummyHashes sync.Map // Cost → hash

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Authenticate resolves a session cookie to its principal, its CSRF token and the user's
// language, extending the session on activity.
func Authenticate(ctx context.Context, db *store.DB, token string) (access.Principal, Session, error) {
	var p access.Principal
	var s Session
	if token == "" {
		return p, s, errs.New(errs.Unauthorized, "err.login_required")
	}
	id := tokenHash(token)
	var lastSeen time.Time
	err := db.Read(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, "SELECT user_id, csrf_token, expires_at, last_seen_at FROM sessions WHERE id = ?", id).Scan(&s.UserID, &s.CSRF, &s.ExpiresAt, &lastSeen)
		if store.IsNoRows(err) {
			return errs.New(errs.Unauthorized, "err.login_required")
		}
		if err != nil {
			return err
		}
		if !tx.Now.Before(s.ExpiresAt) {
			return errs.New(errs.Unauthorized, "auth.session_expired")
		}
		p, s.Locale, err = principal(ctx, tx, s.UserID)
		return err
	})
	if err != nil {
		return p, s, err
	}
	s.Token = token
	if now := db.Now(); now.Sub(lastSeen) > sessionTouch {
		s.ExpiresAt = now.Add(SessionIdle)
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?", tx.Now, s.ExpiresAt, id)
			return err
		})
	}
	return p, s, err
}

// Logout ends the session of token.
func Logout(ctx context.Context, db *store.DB, token string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE id = ?", tokenHash(token))
		return err
	})
}

// endSessions ends a user's sessions except the one whose token is keep.
func endSessions(ctx context.Context, tx *store.Tx, userID int64, keep string) error {
	_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", userID, tokenHash(keep))
	return err
}

// CleanUp deletes expired sessions and login attempts older than the throttle window; the
// job queue runs it periodically. It returns how many rows it removed.
func CleanUp(ctx context.Context, db *store.DB) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", tx.Now)
		if err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		a, _ := res.RowsAffected()
		// Attempts are kept a day, longer than throttling needs, to help investigate attacks.
		res, err = tx.Exec(ctx, "DELETE FROM login_attempts WHERE at <= ?", tx.Now.Add(-24*time.Hour))
		if err != nil {
			return fmt.Errorf("delete login attempts: %w", err)
		}
		b, _ := res.RowsAffected()
		n = a + b
		return nil
	})
	return n, err
}

// RecordLogin writes the audit entry of a successful login.
func RecordLogin(ctx context.Context, db *store.DB, p access.Principal, ip string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, p, audit.Change{Action: "log_in", Entity: "session", EntityID: p.UserID, After: map[string]string{"ip": ip}})
	})
}
