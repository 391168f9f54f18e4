package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"manyi/internal/errs"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsUniqueViolation reports whether err is a violated UNIQUE or PRIMARY KEY constraint,
// in either dialect. Areas turn it into an errs.Conflict naming the field.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a violated foreign key.
func IsForeignKeyViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23503"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// ViolatedConstraint names the constraint err violated, where the driver says.
func ViolatedConstraint(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.ConstraintName
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		// SQLite names columns, e.g. "UNIQUE constraint failed: units.code".
		if _, after, ok := strings.Cut(lite.Error(), "failed: "); ok {
			return after
		}
	}
	return ""
}

// IsStorageFull reports whether err says the database's disk is full (SQLITE_FULL, or
// PostgreSQL's disk_full). Nothing was stored; the same request can succeed once space returns.
func IsStorageFull(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "53100"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqlite3.SQLITE_FULL
	}
	return false
}

// unavailableIfFull turns a full disk into an error the user can read ("storage full, try
// again later", HTTP 503) instead of an internal error: nothing was stored, and the same
// request succeeds once an operator frees space. Other errors pass unchanged.
func unavailableIfFull(err error) error {
	if err == nil || !IsStorageFull(err) {
		return err
	}
	var known *errs.Error
	if errors.As(err, &known) {
		return err
	}
	return &errs.Error{Code: errs.Unavailable, Key: "err.storage_full", Err: err}
}

// IsNoRows reports whether err says a query returned no row.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
