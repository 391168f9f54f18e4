package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
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

// IsConnectionLost reports whether err says the database could not be reached or dropped the
// connection (a PostgreSQL restart or failover: connection exceptions, administrator or crash
// shutdown, "cannot connect now"). The transaction did not commit; retrying once the database
// is back succeeds.
func IsConnectionLost(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
	}
	var connect *pgconn.ConnectError
	var network net.Error
	return errors.As(err, &connect) || errors.As(err, &network) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err)
}

// unavailable turns a full disk or a lost database into an error the user can read ("try
// again later", HTTP 503) instead of an internal error: nothing was stored, and the same
// request succeeds once an operator frees space or the database returns. Other errors pass
// unchanged.
func unavailable(err error) error {
	var known *errs.Error
	switch {
	case err == nil || errors.As(err, &known):
		return err
	case IsStorageFull(err):
		return &errs.Error{Code: errs.Unavailable, Key: "err.storage_full", Err: err}
	case IsConnectionLost(err):
		return &errs.Error{Code: errs.Unavailable, Key: "err.database_unreachable", Err: err}
	}
	return err
}

// IsNoRows reports whether err says a query returned no row.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
