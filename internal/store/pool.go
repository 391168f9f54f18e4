package store

import (
	"database/sql"
	"fmt"
	"time"
)

// OpenPool opens a further connection pool to the same database, for a library that needs a
// *sql.DB of its own (the job queue). On SQLite it follows the writer's rules — busy_timeout
// first, WAL, foreign keys, and BEGIN IMMEDIATE — so that a transaction of the pool never
// fails half-way when it starts writing beside the application's writer. The caller closes it.
func (db *DB) OpenPool(maxConns int) (*sql.DB, error) {
	var pool *sql.DB
	var err error
	switch db.Dialect {
	case Postgres:
		pool, err = sql.Open("pgx", db.url)
	default:
		pool, err = sql.Open("sqlite", sqliteDSN(db.path, "immediate"))
	}
	if err != nil {
		return nil, fmt.Errorf("open %s pool: %w", db.Dialect, err)
	}
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(maxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return pool, nil
}

// SQLTx returns the transaction's underlying *sql.Tx, for a library that must write in the
// same transaction (the job queue inserting a job together with the record that asks for
// it). Statements run on it are not rebound: write them in the library's own placeholders.
func (tx *Tx) SQLTx() *sql.Tx { return tx.tx }
