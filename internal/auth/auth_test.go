package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/auth"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

const adminPW = "first-admin-password"

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id in PHC format", h)
	}
	if !auth.CheckPassword(h, "correct horse") || auth.CheckPassword(h, "correct horsE") || auth.CheckPassword("garbage", "x") {
		t.Fatal("CheckPassword accepts or refuses wrongly")
	}
	h2, _ := auth.HashPassword("correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

// testCost keeps argon2id to a few milliseconds under the race detector: these tests are
// about accounts, sessions and throttling, not the hash's strength, which
// TestProductionCostStored proves is what a context without a cost stores.
var testCost = auth.Cost{Memory: 64, Time: 1, Threads: 1}

func testCtx() context.Context { return auth.WithCost(context.Background(), testCost) }

// TestProductionCostStored: a password set without a cost in its context is stored at the
// production parameters, and one set under WithCost at the cost given; both check alike.
func TestProductionCostStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		admin, user := setup(t, db)
		pw := "production-cost-pw"
		if _, err := auth.UpdateUser(context.Background(), db, admin, user.ID, auth.UserPatch{Password: &pw}); err != nil {
			t.Fatal(err)
		}
		hashes := map[string]string{}
		err := db.Read(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, "SELECT username, password_hash FROM users")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var name, hash string
				if err := rows.Scan(&name, &hash); err != nil {
					return err
				}
				hashes[name] = hash
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if h := hashes[user.Username]; !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("hash %q set without a cost is not at the production cost", h)
		}
		if h := hashes["admin"]; !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Errorf("hash %q set under WithCost is not at the cost given", h)
		}
		if _, err := auth.Login(context.Background(), db, user.Username, pw, "10.0.0.3", "test"); err != nil {
			t.Errorf("login to a hash of the production cost: %v", err)
		}
		if _, err := auth.Login(context.Background(), db, "admin", adminPW, "10.0.0.3", "test"); err != nil {
			t.Errorf("login to a hash of the test cost: %v", err)
		}
	})
}

// setup creates the first administrator and a person with an account in a unit.
func setup(t *testing.T, db *store.DB) (admin access.Principal, user auth.User) {
	t.Helper()
	ctx := testCtx()
	created, name, pw, err := auth.EnsureAdmin(ctx, db, adminPW)
	if err != nil || !created || name != "admin" || pw != adminPW {
		t.Fatalf("EnsureAdmin = %v %q %q %v", created, name, pw, err)
	}
	sess, err := auth.Login(ctx, db, "admin", adminPW, "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err = auth.Authenticate(ctx, db, sess.Token)
	if err != nil || !admin.Has(access.Admin) {
		t.Fatalf("admin principal %+v, %v", admin, err)
	}
	u, err := org.CreateUnit(ctx, db, admin, org.UnitInput{Code: "CO", Name: "公司", Kind: org.Company})
	if err != nil {
		t.Fatal(err)
	}
	p, err := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: u.ID, Name: "张工"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.SetGrants(ctx, db, admin, p.ID, []access.Grant{{Role: access.Foreman, UnitID: u.ID}}); err != nil {
		t.Fatal(err)
	}
	user, err = auth.CreateUser(ctx, db, admin, auth.UserInput{PersonID: p.ID, Username: "Zhang", Password: "zhang-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	return admin, user
}

// TestEnsureAdminConcurrently starts several servers' worth of EnsureAdmin at once on an empty
// database: one creates the administrator, the others start without an error.
func TestEnsureAdminConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const starts = 8
		var wg sync.WaitGroup
		created, failed := make([]bool, starts), make([]error, starts)
		gate := make(chan struct{})
		for i := range starts {
			wg.Go(func() {
				<-gate
				created[i], _, _, failed[i] = auth.EnsureAdmin(testCtx(), db, adminPW)
			})
		}
		close(gate)
		wg.Wait()
		n := 0
		for i := range starts {
			if failed[i] != nil {
				t.Errorf("start %d: %v", i, failed[i])
			}
			if created[i] {
				n++
			}
		}
		var admins int
		if err := db.Read(testCtx(), func(tx *store.Tx) error {
			return tx.QueryRow(testCtx(), "SELECT COUNT(*) FROM users WHERE username = 'admin'").Scan(&admins)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 1 || admins != 1 {
			t.Errorf("%d starts said they created the administrator, %d exist; want 1 and 1", n, admins)
		}
	})
}

func TestLoginSessionsAndAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		admin, user := setup(t, db)
		if user.Username != "zhang" {
			t.Fatalf("username not lower-cased: %q", user.Username)
		}
		if again, _, _, err := auth.EnsureAdmin(ctx, db, ""); again || err != nil {
			t.Fatalf("EnsureAdmin created a second administrator: %v %v", again, err)
		}

		sess, err := auth.Login(ctx, db, " ZHANG ", "zhang-password-1", "10.0.0.2", "test")
		if err != nil {
			t.Fatal(err)
		}
		p, s, err := auth.Authenticate(ctx, db, sess.Token)
		if err != nil || p.Username != "zhang" || s.CSRF == "" || !p.Has(access.Foreman) {
			t.Fatalf("Authenticate = %+v %+v %v", p, s, err)
		}
		if _, _, err := auth.Authenticate(ctx, db, sess.Token+"x"); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("forged token: %v", err)
		}

		// Refusals when creating accounts.
		free, err := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: user.UnitID, Name: "无账号"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			in    auth.UserInput
			field string
		}{
			{auth.UserInput{PersonID: user.PersonID, Username: "other", Password: "long-enough-pw"}, "person_id"},
			{auth.UserInput{PersonID: free.ID, Username: "zhang", Password: "long-enough-pw"}, "username"},
			{auth.UserInput{PersonID: free.ID, Username: "x y", Password: "long-enough-pw"}, "username"},
			{auth.UserInput{PersonID: free.ID, Username: "short", Password: "short"}, "password"},
			{auth.UserInput{PersonID: 999, Username: "ghost", Password: "long-enough-pw"}, "person_id"},
		} {
			if _, err := auth.CreateUser(ctx, db, admin, tt.in); errs.As(err).Field != tt.field {
				t.Errorf("CreateUser(%+v) = %v, want error on %s", tt.in, err, tt.field)
			}
		}

		// A foreman cannot manage accounts.
		if _, err := auth.UpdateUser(ctx, db, p, admin.UserID, auth.UserPatch{Active: new(bool)}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("foreman deactivates admin: %v", err)
		}
		// An administrator cannot lock themselves out.
		if _, err := auth.UpdateUser(ctx, db, admin, admin.UserID, auth.UserPatch{Active: new(bool)}); errs.As(err).Field != "active" {
			t.Fatalf("admin deactivates self: %v", err)
		}

		// Changing the password checks the old one and ends other sessions.
		other, _ := auth.Login(ctx, db, "zhang", "zhang-password-1", "10.0.0.3", "test")
		if err := auth.ChangePassword(ctx, db, p, sess.Token, "wrong-old-password", "new-password-22"); errs.As(err).Field != "old_password" {
			t.Fatalf("wrong old password: %v", err)
		}
		if err := auth.ChangePassword(ctx, db, p, sess.Token, "zhang-password-1", "short"); errs.As(err).Field != "new_password" {
			t.Fatalf("short new password: %v", err)
		}
		if err := auth.ChangePassword(ctx, db, p, sess.Token, "zhang-password-1", "new-password-22"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.Authenticate(ctx, db, other.Token); err == nil {
			t.Fatal("other session survived a password change")
		}
		if _, _, err := auth.Authenticate(ctx, db, sess.Token); err != nil {
			t.Fatalf("current session ended by its own password change: %v", err)
		}

		// Deactivating the person ends sessions and refuses logins.
		off := false
		if _, err := org.UpdatePerson(ctx, db, admin, user.PersonID, org.PersonPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := auth.Authenticate(ctx, db, sess.Token); err == nil {
			t.Fatal("session of a deactivated person still works")
		}
		if _, err := auth.Login(ctx, db, "zhang", "new-password-22", "10.0.0.4", "test"); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("deactivated person logs in: %v", err)
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		setup(t, db)
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		const attacker, user = "10.0.0.9", "10.0.0.10"
		for i := 0; i < 5; i++ {
			if _, err := auth.Login(ctx, db, "zhang", "guess-"+string(rune('a'+i)), attacker, "test"); errs.CodeOf(err) != errs.Unauthorized {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// The attacker's address is throttled for this account, even with the right password.
		if _, err := auth.Login(ctx, db, "zhang", "zhang-password-1", attacker, "test"); errs.CodeOf(err) != errs.TooMany {
			t.Fatalf("sixth attempt from the attacker's address: %v", err)
		}
		// The account's owner, from another address, still logs in: no lock-out.
		if _, err := auth.Login(ctx, db, "zhang", "zhang-password-1", user, "test"); err != nil {
			t.Fatalf("the real user is locked out by someone else's failures: %v", err)
		}
		// Spreading guesses over accounts from one address hits the looser per-address limit.
		for i := 0; i < 15; i++ {
			if _, err := auth.Login(ctx, db, fmt.Sprintf("nobody%d", i), "guess", attacker, "test"); errs.CodeOf(err) != errs.Unauthorized {
				t.Fatalf("spread attempt %d: %v", i, err)
			}
		}
		if _, err := auth.Login(ctx, db, "admin", adminPW, attacker, "test"); errs.CodeOf(err) != errs.TooMany {
			t.Fatalf("21st failure from one address across accounts: %v", err)
		}
		if _, err := auth.Login(ctx, db, "admin", adminPW, user, "test"); err != nil {
			t.Fatalf("admin from another address: %v", err)
		}
		now = now.Add(16 * time.Minute)
		if _, err := auth.Login(ctx, db, "zhang", "zhang-password-1", attacker, "test"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestSessionExpiryAndCleanUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		setup(t, db)
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		sess, err := auth.Login(ctx, db, "zhang", "zhang-password-1", "10.0.0.2", "test")
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(auth.SessionIdle + time.Minute)
		if _, _, err := auth.Authenticate(ctx, db, sess.Token); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("idle session still valid: %v", err)
		}
		n, err := auth.CleanUp(ctx, db)
		if err != nil || n < 2 { // the admin's and zhang's sessions
			t.Fatalf("CleanUp removed %d, %v", n, err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		admin, _ := setup(t, db)
		if _, _, err := auth.CreateToken(ctx, db, admin, "  "); errs.As(err).Field != "token_name" {
			t.Fatalf("empty token name: %v", err)
		}
		tok, secret, err := auth.CreateToken(ctx, db, admin, "报表系统")
		if err != nil || !strings.HasPrefix(secret, "manyi_") || !strings.HasPrefix(secret, tok.Prefix) {
			t.Fatalf("CreateToken = %+v %q %v", tok, secret, err)
		}
		p, err := auth.AuthenticateToken(ctx, db, secret)
		if err != nil || p.UserID != admin.UserID {
			t.Fatalf("AuthenticateToken = %+v %v", p, err)
		}
		var stored string
		db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, "SELECT token_hash FROM api_tokens").Scan(&stored) })
		if strings.Contains(stored, secret[6:]) {
			t.Fatal("the token secret is stored in clear")
		}
		if err := auth.RevokeToken(ctx, db, admin, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.AuthenticateToken(ctx, db, secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("revoked token works: %v", err)
		}
		if err := auth.RevokeToken(ctx, db, admin, tok.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("revoking twice: %v", err)
		}
	})
}

func TestScopedAdminCannotResetWiderAdminPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		admin, user := setup(t, db)
		// zhang becomes an organisation-wide administrator; a unit-scoped admin of zhang's
		// unit must not be able to reset zhang's password and log in as zhang.
		if _, err := org.SetGrants(ctx, db, admin, user.PersonID, []access.Grant{{Role: access.Admin}}); err != nil {
			t.Fatal(err)
		}
		unitAdmin := access.Principal{UserID: 99, Username: "ua", Grants: []access.Grant{{Role: access.Admin, UnitID: user.UnitID}}}
		pw := "taken-over-password"
		if _, err := auth.UpdateUser(ctx, db, unitAdmin, user.ID, auth.UserPatch{Password: &pw}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("unit admin resets an organisation-wide admin's password: %v", err)
		}
		if _, _, err := auth.CreateToken(ctx, db, access.System, "x"); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("token for a principal without an account: %v", err)
		}
	})
}

// TestDeactivationRevokesTokens: deactivating an account revokes its API tokens for good and
// ends its sessions, in one audited change; reactivating it brings neither back.
func TestDeactivationRevokesTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		admin, user := setup(t, db)
		sess, err := auth.Login(ctx, db, "zhang", "zhang-password-1", "10.0.0.2", "test")
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := auth.Authenticate(ctx, db, sess.Token)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := auth.CreateToken(ctx, db, p, "脚本")
		if err != nil {
			t.Fatal(err)
		}
		off, on := false, true
		if _, err := auth.UpdateUser(ctx, db, admin, user.ID, auth.UserPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.UpdateUser(ctx, db, admin, user.ID, auth.UserPatch{Active: &on}); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.AuthenticateToken(ctx, db, secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("a token outlived its account's deactivation: %v", err)
		}
		if _, _, err := auth.Authenticate(ctx, db, sess.Token); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("a session outlived its account's deactivation: %v", err)
		}
		var revoked, sessions, audited int
		db.Read(ctx, func(tx *store.Tx) error {
			tx.QueryRow(ctx, "SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NOT NULL", user.ID).Scan(&revoked)
			tx.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", user.ID).Scan(&sessions)
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND entity_id = ? AND action = 'deactivate'", fmt.Sprint(user.ID)).Scan(&audited)
		})
		if revoked != 1 || sessions != 0 || audited != 1 {
			t.Fatalf("after deactivation: %d tokens revoked, %d sessions left, %d audit entries; want 1, 0, 1", revoked, sessions, audited)
		}
	})
}

func TestCommonPasswords(t *testing.T) {
	for _, tt := range []struct {
		pw     string
		common bool
	}{
		{"qwertyuiop", true},
		{"1234567890", true},
		{"QwertyUiop", true},     // case is ignored
		{"password2024!", true},  // a listed word with digits and punctuation added
		{"woaini1314520", true},  // a CSDN favourite with more digits
		{"1qaz2wsx3edc", true},   // a keyboard walk
		{"abc1234567890", false}, // a short base says little
		{"zhang-password-1", false},
		{"manyi-demo-2026", false},
		{"correct horse battery staple", false},
	} {
		if got := auth.IsCommonPassword(tt.pw); got != tt.common {
			t.Errorf("IsCommonPassword(%q) = %v, want %v", tt.pw, got, tt.common)
		}
	}
}

// TestCommonPasswordRefused: every way of setting a password refuses a common one, naming
// the field.
func TestCommonPasswordRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := testCtx()
		admin, user := setup(t, db)
		p, err := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: user.UnitID, Name: "李工"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.CreateUser(ctx, db, admin, auth.UserInput{PersonID: p.ID, Username: "li", Password: "password123"}); errs.As(err).Key != "auth.password_common" || errs.As(err).Field != "password" {
			t.Errorf("create with a common password: %v", err)
		}
		common := "iloveyou1314"
		if _, err := auth.UpdateUser(ctx, db, admin, user.ID, auth.UserPatch{Password: &common}); errs.As(err).Key != "auth.password_common" || errs.As(err).Field != "password" {
			t.Errorf("reset to a common password: %v", err)
		}
		sess, _ := auth.Login(ctx, db, "zhang", "zhang-password-1", "10.0.0.2", "test")
		zp, _, _ := auth.Authenticate(ctx, db, sess.Token)
		err = auth.ChangePassword(ctx, db, zp, sess.Token, "zhang-password-1", "Qwertyuiop")
		if e := errs.As(err); e.Key != "auth.password_common" || e.Field != "new_password" || !strings.Contains(e.Message(locale.ZH), "新密码") {
			t.Errorf("change to a common password: %v", err)
		}
		if _, _, _, err := auth.EnsureAdmin(ctx, db, "1234567890"); errs.As(err).Key != "auth.password_common" {
			t.Errorf("first administrator with a common password: %v", err)
		}
	})
}
