package auth

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"manyi/internal/access"
	"manyi/internal/audit"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
)

// User is a login account of a person.
type User struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	PersonName string    `json:"person_name"`
	UnitID     int64     `json:"unit_id,omitempty"`
	Username   string    `json:"username"`
	Active     bool      `json:"active"`
	Locale     string    `json:"locale"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// UserInput creates an account.
type UserInput struct {
	PersonID int64  `json:"person_id"`
	Username string `json:"username"`
	Password string `json:"password"`
	Locale   string `json:"locale"`
}

// UserPatch changes an account; Password set by an administrator resets it.
type UserPatch struct {
	Username *string `json:"username"`
	Active   *bool   `json:"active"`
	Locale   *string `json:"locale"`
	Password *string `json:"password"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

func validateUsername(s string) error {
	if s == "" {
		return errs.Required("username")
	}
	if !usernameRE.MatchString(s) {
		return errs.Field("username", "auth.username_format")
	}
	return nil
}

func validateLocale(s string) (string, error) {
	if s == "" {
		return string(locale.Default), nil
	}
	if l, ok := locale.Parse(s); ok {
		return string(l), nil
	}
	return "", errs.Field("locale", "err.invalid_choice", s)
}

const userColumns = `u.id, u.person_id, p.name, p.unit_id, u.username, u.active, u.locale, u.created_at, u.updated_at`

func scanUser(row store.Scanner) (User, error) {
	var u User
	var unit *int64
	err := row.Scan(&u.ID, &u.PersonID, &u.PersonName, &unit, &u.Username, &u.Active, &u.Locale, &u.CreatedAt, &u.UpdatedAt)
	if unit != nil {
		u.UnitID = *unit
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

func getUser(ctx context.Context, tx *store.Tx, id int64) (User, error) {
	u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users u JOIN people p ON p.id = u.person_id WHERE u.id = ?", id))
	if store.IsNoRows(err) {
		return u, errs.New(errs.NotFound, "auth.user_not_found", id)
	}
	if err != nil {
		return u, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// GetUser returns an account if actor may manage its person's unit, or it is actor's own.
func GetUser(ctx context.Context, db *store.DB, actor access.Principal, id int64) (User, error) {
	var u User
	err := db.Read(ctx, func(tx *store.Tx) (err error) {
		if u, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		if id == actor.UserID {
			return nil
		}
		return org.Authorize(ctx, tx, actor, access.ManageOrg, u.UnitID)
	})
	return u, err
}

// ListUsers returns the accounts of the people in units actor manages.
func ListUsers(ctx context.Context, db *store.DB, actor access.Principal) ([]User, error) {
	inScope, everything, err := userScope(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	var out []User
	err = db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+userColumns+" FROM users u JOIN people p ON p.id = u.person_id ORDER BY u.username")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			if inScope[u.UnitID] || (u.UnitID == 0 && everything) {
				out = append(out, u)
			}
		}
		return rows.Err()
	})
	return out, err
}

// userOrder is the accounts list's order: by username, which is unique (the id only completes
// the key).
var userOrder = store.Order{Col: "u.username", ID: "u.id", Asc: true}

// UserKey is an account's place in the list (UserPage).
func UserKey(u User) store.Key { return store.Key{Name: u.Username, ID: u.ID} }

// UserPage returns a page of the accounts of the people in units actor manages, by
// username: Fetch() rows in pg's order, for store.Cut with UserKey. The scope is a condition
// of the query, so that a page is full. The accounts page and the API read it; accounts are
// an administrator's business, so others are refused rather than shown an empty list.
func UserPage(ctx context.Context, db *store.DB, actor access.Principal, pg store.Page) ([]User, error) {
	if !actor.CanAnywhere(access.ManageOrg) {
		return nil, errs.New(errs.Forbidden, "err.forbidden")
	}
	inScope, everything, err := userScope(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	var out []User
	err = db.Read(ctx, func(tx *store.Tx) (err error) {
		var conds []string
		var args []any
		if !everything {
			units := make([]int64, 0, len(inScope))
			for id := range inScope {
				units = append(units, id)
			}
			if len(units) == 0 {
				return nil
			}
			c, a := tx.AnyOf("p.unit_id", units)
			conds, args = []string{c}, a
		}
		tail, args := store.Tail(userOrder, &pg, conds, args)
		out, err = store.All(ctx, tx, scanUser, "SELECT "+userColumns+" FROM users u JOIN people p ON p.id = u.person_id"+tail, args...)
		return err
	})
	return out, errs.Wrapf(err, "list users")
}

// CountActiveUsers counts the active accounts of ListUsers, in one query: the administrator's
// home page figure.
func CountActiveUsers(ctx context.Context, db *store.DB, actor access.Principal) (int, error) {
	inScope, everything, err := userScope(ctx, db, actor)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, "SELECT p.unit_id, COUNT(*) FROM users u JOIN people p ON p.id = u.person_id WHERE u.active GROUP BY p.unit_id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var unit *int64
			var c int
			if err := rows.Scan(&unit, &c); err != nil {
				return err
			}
			if (unit != nil && inScope[*unit]) || (unit == nil && everything) {
				n += c
			}
		}
		return rows.Err()
	})
	return n, err
}

// userScope is the units whose people's accounts the actor manages, and whether it manages
// everything (the accounts of no unit too).
func userScope(ctx context.Context, db *store.DB, actor access.Principal) (map[int64]bool, bool, error) {
	units, err := org.ListUnits(ctx, db, actor, org.UnitFilter{IncludeInactive: true, Action: access.ManageOrg})
	if err != nil {
		return nil, false, err
	}
	inScope := map[int64]bool{}
	for _, u := range units {
		inScope[u.ID] = true
	}
	_, everything := actor.ScopeRoots(access.ManageOrg)
	return inScope, everything, nil
}

// CreateUser gives a person an account, if the person may get one from actor (checkCandidate).
func CreateUser(ctx context.Context, db *store.DB, actor access.Principal, in UserInput) (User, error) {
	if !actor.CanAnywhere(access.ManageOrg) {
		// No unit to manage anywhere: refuse before reading the input (issue 13 matrix).
		return User{}, errs.New(errs.Forbidden, "err.forbidden")
	}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if err := validateUsername(in.Username); err != nil {
		return User{}, err
	}
	if in.PersonID == 0 {
		return User{}, errs.Required("person_id")
	}
	if err := ValidatePassword("password", in.Password); err != nil {
		return User{}, err
	}
	loc, err := validateLocale(in.Locale)
	if err != nil {
		return User{}, err
	}
	hash, err := hashPassword(in.Password, costOf(ctx))
	if err != nil {
		return User{}, err
	}
	var u User
	err = db.InTx(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkCandidate(ctx, tx, tree, actor, in.PersonID); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO users (person_id, username, password_hash, active, locale, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.PersonID, in.Username, hash, true, loc, tx.Now, tx.Now, tx.Now)
		if store.IsUniqueViolation(err) {
			// Two requests for one person can both pass checkCandidate; the index decides.
			if strings.Contains(store.ViolatedConstraint(err), "person") {
				return &errs.Error{Code: errs.Conflict, Field: "person_id", Key: "auth.person_has_user", Err: err}
			}
			return &errs.Error{Code: errs.Conflict, Field: "username", Key: "auth.username_taken", Err: err}
		}
		if err != nil {
			return err
		}
		if u, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "create", Entity: "user", EntityID: id, UnitID: u.UnitID, After: u})
	})
	return u, err
}

// UpdateUser changes an account. Deactivating it ends its sessions and revokes its API
// tokens; resetting its password ends its sessions.
func UpdateUser(ctx context.Context, db *store.DB, actor access.Principal, id int64, p UserPatch) (User, error) {
	var after User
	err := db.InTx(ctx, func(tx *store.Tx) error {
		before, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := org.AuthorizePerson(ctx, tx, actor, before.PersonID); err != nil {
			return err
		}
		after = before
		if p.Username != nil {
			after.Username = strings.ToLower(strings.TrimSpace(*p.Username))
			if err := validateUsername(after.Username); err != nil {
				return err
			}
		}
		if p.Locale != nil {
			if after.Locale, err = validateLocale(*p.Locale); err != nil {
				return err
			}
		}
		if p.Active != nil {
			if !*p.Active && id == actor.UserID {
				return errs.Field("active", "auth.cannot_deactivate_self")
			}
			after.Active = *p.Active
		}
		after.UpdatedAt = tx.Now
		if _, err := tx.Exec(ctx, "UPDATE users SET username = ?, active = ?, locale = ?, updated_at = ? WHERE id = ?",
			after.Username, after.Active, after.Locale, tx.Now, id); err != nil {
			if store.IsUniqueViolation(err) {
				return &errs.Error{Code: errs.Conflict, Field: "username", Key: "auth.username_taken", Err: err}
			}
			return err
		}
		action := "update"
		if p.Password != nil {
			if err := ValidatePassword("password", *p.Password); err != nil {
				return err
			}
			if err := setPassword(ctx, tx, id, *p.Password); err != nil {
				return err
			}
			action = "reset_password"
		}
		if before.Active && !after.Active {
			// A deactivated account can no longer act, now or after a reactivation: its
			// tokens are revoked for good (docs/api.md) and its sessions end, in this
			// transaction so that no request slips in between.
			action = "deactivate"
			if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", tx.Now, id); err != nil {
				return err
			}
		}
		if (p.Active != nil && !*p.Active) || p.Password != nil {
			if err := endSessions(ctx, tx, id, ""); err != nil {
				return err
			}
		}
		// The hash itself never enters the audit log; the action says the password changed.
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, Entity: "user", EntityID: id, UnitID: after.UnitID, Before: before, After: after})
	})
	return after, err
}

// ChangePassword changes the actor's own password after checking the current one, and ends
// the actor's other sessions.
func ChangePassword(ctx context.Context, db *store.DB, actor access.Principal, currentSession, oldPassword, newPassword string) error {
	if err := ValidatePassword("new_password", newPassword); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		var hash string
		if err := tx.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", actor.UserID).Scan(&hash); err != nil {
			return err
		}
		if !CheckPassword(hash, oldPassword) {
			return errs.Field("old_password", "auth.old_password_wrong")
		}
		if oldPassword == newPassword {
			return errs.Field("new_password", "auth.password_unchanged")
		}
		if err := setPassword(ctx, tx, actor.UserID, newPassword); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, actor.UserID, currentSession); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "change_password", Entity: "user", EntityID: actor.UserID})
	})
}

func setPassword(ctx context.Context, tx *store.Tx, userID int64, password string) error {
	hash, err := hashPassword(password, costOf(ctx))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?", hash, tx.Now, tx.Now, userID)
	return err
}

// EnsureAdmin creates the first administrator when the database has no user yet: a person
// "系统管理员" outside any unit with an organisation-wide admin role, and the account "admin".
// password "" generates one. It returns the password only when it created the account.
func EnsureAdmin(ctx context.Context, db *store.DB, password string) (created bool, username, pw string, err error) {
	generated := password == ""
	if generated {
		password = RandomPassword()
	} else if err := ValidatePassword("MANYI_ADMIN_PASSWORD", password); err != nil {
		return false, "", "", err
	}
	// A restart must not pay for a password hash (tens of milliseconds, far more on a busy
	// machine) when the administrator exists already, which is every start but the first.
	var users int
	if err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&users)
	}); err != nil {
		return false, "", "", err
	}
	if users > 0 {
		return false, "", "", nil
	}
	hash, err := hashPassword(password, costOf(ctx))
	if err != nil {
		return false, "", "", err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		personID, err := tx.InsertID(ctx, "INSERT INTO people (unit_id, name, phone, title, active, created_at, updated_at) VALUES (NULL, ?, '', ?, ?, ?, ?)",
			"系统管理员", "系统管理员", true, tx.Now, tx.Now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO role_assignments (person_id, role, unit_id, created_at) VALUES (?, ?, NULL, ?)", personID, access.Admin, tx.Now); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO users (person_id, username, password_hash, active, locale, password_changed_at, created_at, updated_at)
			VALUES (?, 'admin', ?, ?, 'zh-CN', ?, ?, ?)`, personID, hash, true, tx.Now, tx.Now, tx.Now)
		if err != nil {
			return err
		}
		created = true
		return audit.Record(ctx, tx, access.System, audit.Change{Action: "create", Entity: "user", EntityID: id,
			After: map[string]any{"username": "admin", "roles": []access.Grant{{Role: access.Admin}}}})
	})
	if store.IsUniqueViolation(err) {
		// Two instances started at once on an empty database (behind one load balancer):
		// both saw no users and the other committed the administrator first. Theirs stands.
		return false, "", "", nil
	}
	if err != nil || !created {
		return false, "", "", err
	}
	return true, "admin", password, nil
}

// principal builds the principal of an active user, or fails with Unauthorized.
func principal(ctx context.Context, tx *store.Tx, userID int64) (access.Principal, string, error) {
	var p access.Principal
	var userActive, personActive bool
	var loc string
	err := tx.QueryRow(ctx, `SELECT u.id, u.username, u.active, u.locale, p.id, p.name, p.active
		FROM users u JOIN people p ON p.id = u.person_id WHERE u.id = ?`, userID).
		Scan(&p.UserID, &p.Username, &userActive, &loc, &p.PersonID, &p.Name, &personActive)
	if store.IsNoRows(err) || (err == nil && (!userActive || !personActive)) {
		return p, "", errs.New(errs.Unauthorized, "err.login_required")
	}
	if err != nil {
		return p, "", err
	}
	p.Grants, err = org.GrantsOf(ctx, tx, p.PersonID)
	return p, loc, err
}

// CLI is the actor of the operations commands run on the server's machine (`manyi admin …`):
// whoever can run them can read the database file anyway, so they act as an organisation-wide
// administrator, and the audit log names them apart from the program's own work (system).
var CLI = access.Principal{Username: "system/cli", Name: "command line", Grants: []access.Grant{{Role: access.Admin}}}

// ResetPassword sets a new password for the account username, for an administrator who lost
// theirs and has no other administrator to reset it: it ends all the account's sessions and
// records the reset in the audit log (without the hash). An inactive account stays inactive.
func ResetPassword(ctx context.Context, db *store.DB, actor access.Principal, username, password string) (User, error) {
	var u User
	username = strings.ToLower(strings.TrimSpace(username))
	if err := ValidatePassword("password", password); err != nil {
		return u, err
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM users WHERE username = ?", username).Scan(&id)
		if store.IsNoRows(err) {
			return errs.Field("username", "auth.username_unknown", username)
		}
		if err != nil {
			return err
		}
		if u, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		if err := org.AuthorizePerson(ctx, tx, actor, u.PersonID); err != nil {
			return err
		}
		if err := setPassword(ctx, tx, id, password); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, id, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "reset_password", Entity: "user", EntityID: id, UnitID: u.UnitID,
			After: map[string]any{"username": u.Username, "sessions_ended": true}})
	})
	return u, err
}
