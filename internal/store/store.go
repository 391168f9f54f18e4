// Package store owns the database handle: opening SQLite or PostgreSQL from one URL, the
// embedded migrations of both dialects, and transactions that carry the current time.
//
// SQL is written once, with ? placeholders, in the subset both databases share; Tx rebinds
// placeholders for PostgreSQL. Where the dialects must differ (DDL), each has its own
// migrations folder.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect names a supported database.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is manyi's database. For SQLite it keeps one writer connection beside a pool of readers,
// because SQLite allows one writer at a time and a single writer connection turns lock
// contention into orderly queueing instead of SQLITE_BUSY errors.
type DB struct {
	Dialect Dialect
	// Now returns the current time; tests replace it to control time.
	Now func() time.Time

	write *sql.DB
	read  *sql.DB
	url   string
	path  string // SQLite file path

	statements *atomic.Int64 // statements sent, for tests that prove a page's queries stay few
	batch      *batch        // set on the handle Batch passes to its function
}

// Statements is the number of SQL statements sent through transactions since the database
// was opened. Tests read it around a request to prove that a list page loads what it shows
// in a fixed number of queries, whatever the number of rows.
func (db *DB) Statements() int64 { return db.statements.Load() }

// Open opens the database named by rawURL: "postgres://…" or "postgresql://…" for PostgreSQL,
// anything else (a file path, optionally prefixed "sqlite:" or "file:") for SQLite.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	db := &DB{url: rawURL, Now: func() time.Time { return time.Now().UTC() }, statements: new(atomic.Int64)}
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db.Dialect = Postgres
		pool, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.write, db.read = pool, pool
	default:
		db.Dialect = SQLite
		path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if path == "" {
			return nil, errors.New("open sqlite: empty file path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("open sqlite: %w", err)
			}
		}
		db.path = path
		// busy_timeout comes first so that the other pragmas wait instead of failing.
		// The writer takes its lock at BEGIN (immediate), so a transaction never fails
		// half-way when it upgrades from reading to writing.
		// The writer keeps its temporary files in memory: the sub-journals of savepoints
		// (store.Batch), written page by page, would otherwise cost a system call each.
		db.write = sql.OpenDB(sqliteConnector{sqliteDSN(path, "immediate") + "&_pragma=temp_store(2)"})
		db.write.SetMaxOpenConns(1)
		db.read = sql.OpenDB(sqliteConnector{sqliteDSN(path, "deferred")})
		db.read.SetMaxOpenConns(8)
		// Idle readers stay open: each keeps its prepared statements.
		db.read.SetMaxIdleConns(8)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.Dialect, err)
	}
	return db, nil
}

func sqliteDSN(path, txlock string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", txlock)
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// Close closes all connections.
func (db *DB) Close() error {
	var err error
	if db.write != nil {
		err = db.write.Close()
	}
	if db.read != nil && db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// SQL returns the underlying writer pool, for libraries (the job queue) that need a *sql.DB.
func (db *DB) SQL() *sql.DB { return db.write }

// Path is the SQLite file path, or "" for PostgreSQL.
func (db *DB) Path() string { return db.path }

// Redacted is the database URL without its password, safe for logs.
func (db *DB) Redacted() string {
	if u, err := url.Parse(db.url); err == nil && u.User != nil {
		return u.Redacted()
	}
	return db.url
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Tx is a transaction that knows its dialect and the time it started. All statements of
// one user action share Now, so records written together carry the same timestamp.
type Tx struct {
	tx         *sql.Tx
	dialect    Dialect
	statements *atomic.Int64
	Now        time.Time

	savepoint string // in a batch: the savepoint this Tx stands for
	done      bool
	batch     *batch
}

// Begin starts a read-write transaction. Now is truncated to microseconds, the precision
// PostgreSQL keeps, so a time read back equals the time written on both databases.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	if db.batch != nil {
		return db.batch.begin(ctx, db)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{tx: tx, dialect: db.Dialect, statements: db.statements, Now: db.Now().UTC().Truncate(time.Microsecond)}, nil
}

// BeginRead starts a transaction that only reads; on SQLite it runs beside the writer.
func (db *DB) BeginRead(ctx context.Context) (*Tx, error) {
	if db.batch != nil { // it must see what the batch wrote
		return db.batch.begin(ctx, db)
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.Dialect == Postgres})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{tx: tx, dialect: db.Dialect, statements: db.statements, Now: db.Now().UTC().Truncate(time.Microsecond)}, nil
}

// InTx runs fn in a read-write transaction, committing if fn returns nil and rolling back
// otherwise, so that a refused input changes nothing.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return unavailable(err)
	}
	return unavailable(tx.Commit())
}

// Read runs fn in a read-only transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	return unavailable(fn(tx))
}

// Commit commits the transaction; in a batch it releases its savepoint, and the batch
// commits it with the rest.
func (tx *Tx) Commit() error {
	if tx.savepoint == "" {
		return tx.tx.Commit()
	}
	if tx.done {
		return sql.ErrTxDone
	}
	tx.done = true
	tx.batch.end()
	_, err := tx.tx.Exec("RELEASE SAVEPOINT " + tx.savepoint)
	return err
}

// Rollback rolls back; after Commit it is a no-op. In a batch it undoes what the Tx wrote
// and leaves the rest of the batch as it was.
func (tx *Tx) Rollback() error {
	if tx.savepoint != "" {
		if tx.done {
			return nil
		}
		tx.done = true
		tx.batch.end()
		if _, err := tx.tx.Exec("ROLLBACK TO SAVEPOINT " + tx.savepoint); err != nil {
			return err
		}
		_, err := tx.tx.Exec("RELEASE SAVEPOINT " + tx.savepoint)
		return err
	}
	err := tx.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Dialect is the transaction's database dialect.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// Exec runs a statement written with ? placeholders.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.batch != nil {
		stmt, err := tx.batch.prepared(ctx, tx.rebind(query))
		if err != nil {
			return nil, err
		}
		return stmt.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.rebind(query), args...)
}

// Query runs a query written with ? placeholders.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.rebind(query), args...)
}

// Scanner is one row being read: *sql.Row and *sql.Rows both are.
type Scanner interface{ Scan(...any) error }

// All runs a query and reads every row with scan, closing the rows before it returns: what a
// caller that writes in the same transaction next needs (SQLite's connection cannot run a
// statement while another still reads), and one loop fewer to get wrong.
func All[T any](ctx context.Context, tx *Tx, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueryRow runs a query that returns at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if tx.batch != nil {
		if stmt, err := tx.batch.prepared(ctx, tx.rebind(query)); err == nil {
			return stmt.QueryRowContext(ctx, args...)
		}
	}
	return tx.tx.QueryRowContext(ctx, tx.rebind(query), args...)
}

// InsertID runs an INSERT … RETURNING id and returns the new id.
func (tx *Tx) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// Prepare prepares a statement written with ? placeholders for repeated use in the
// transaction: a loop over many rows parses its SQL once, not once a row.
func (tx *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(ctx, tx.rebind(query))
}

// rebind is the one door every statement of a transaction goes through, so it also counts them.
func (tx *Tx) rebind(query string) string {
	if tx.statements != nil {
		tx.statements.Add(1)
	}
	return Rebind(tx.dialect, query)
}

// In is the condition "col IN (?, ?, …)" for ids, with its arguments, for loading the rows
// of a whole list in one query. ids must not be empty: an empty IN list is not valid SQL.
func In(col string, ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}

// AnyOf is the condition "col is one of ids" with its one argument, whatever the number of
// ids: a close of 2,000 units asks in one statement, under the databases' limits on
// parameters (SQLite 32,766, PostgreSQL 65,535). PostgreSQL takes them as one array. SQLite
// gets them written into the statement, as integers formatted here (nothing a user typed): a
// json_each(?) list would do, but SQLite, planning without statistics, then starts from
// another table (the rated pairs of every maintainer of the month, 4 s instead of 0.1 s at
// N=10), while a literal list lets it search the index once per id.
func (tx *Tx) AnyOf(col string, ids []int64) (string, []any) {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	if tx.dialect == Postgres {
		return col + " = ANY(CAST(? AS BIGINT[]))", []any{"{" + b.String() + "}"}
	}
	return col + " IN (" + b.String() + ")", nil
}

// Rebind rewrites ? placeholders as $1, $2, … for PostgreSQL. Question marks inside string
// literals are left alone.
func Rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n, inString := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Backup writes a consistent copy of an SQLite database to path while it stays in use.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return errors.New("backup: only SQLite databases can be copied; use pg_dump for PostgreSQL")
	}
	_, err := db.write.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}
