package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Batch runs fn with a handle on the same database whose transactions are savepoints of a
// few large transactions. It is for bulk work done through the ordinary area functions —
// loading the demo — where a commit per record would cost a disk flush per record: every
// function still runs its own checks and writes its own audit entries in what it sees as
// its own transaction, and a refused call still undoes only its own writes (its savepoint),
// exactly as alone.
//
// The batch commits after every chunk of calls (batchChunk), between two calls, and at the
// end if fn returns nil; if fn fails, what the chunks before committed stays, as it would
// have call by call. Chunks bound the cost of savepoints: PostgreSQL slows to a crawl once a
// transaction holds more than 64 subtransactions (its subtransaction cache overflows), and
// SQLite's write-ahead log grows with the transaction.
//
// Statements run through Exec and QueryRow are prepared once per chunk, not once per call:
// parsing SQL is a third of the work of thousands of small transactions on SQLite. (Query is
// not cached: a caller may run the same query again while iterating the first one's rows,
// and the two would share one prepared statement.)
//
// Reads through the handle see the batch's writes. The handle is for one goroutine, and
// while fn runs the batch holds the database's writer (on SQLite, the one write lock):
// use it for work nobody waits on.
func (db *DB) Batch(ctx context.Context, fn func(*DB) error) error {
	if db.batch != nil { // already inside one: the outer batch commits
		return fn(db)
	}
	b := *db
	b.batch = &batch{write: db.write, dialect: db.Dialect}
	defer b.batch.rollback()
	if err := fn(&b); err != nil {
		return err
	}
	return b.batch.commit()
}

// batchChunk is how many top-level transactions of a batch one commit holds: below
// PostgreSQL's 64 cached subtransactions, and on SQLite enough that commits (each a disk
// flush with synchronous=FULL) are rare.
var batchChunk = map[Dialect]int{Postgres: 60, SQLite: 5000}

// batch is the transaction behind a Batch handle.
type batch struct {
	write   *sql.DB
	dialect Dialect
	tx      *Tx                  // the open chunk, nil between chunks
	stmts   map[string]*sql.Stmt // by query as sent; closed with the chunk
	n       int                  // savepoints opened, for their names
	calls   int                  // top-level savepoints in the open chunk
	depth   int                  // savepoints open now
}

func (b *batch) begin(ctx context.Context, db *DB) (*Tx, error) {
	if b.depth == 0 && b.tx != nil && b.calls >= batchChunk[b.dialect] {
		if err := b.commit(); err != nil {
			return nil, err
		}
	}
	if b.tx == nil {
		tx, err := b.write.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("begin batch: %w", err)
		}
		b.tx, b.stmts, b.calls = &Tx{tx: tx, dialect: b.dialect}, map[string]*sql.Stmt{}, 0
	}
	b.n++
	name := fmt.Sprintf("batch_%d", b.n)
	if _, err := b.tx.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if b.depth == 0 {
		b.calls++
	}
	b.depth++
	return &Tx{tx: b.tx.tx, dialect: db.Dialect, Now: db.Now().UTC().Truncate(time.Microsecond), savepoint: name, batch: b}, nil
}

// end is called when a savepoint is released or rolled back.
func (b *batch) end() { b.depth-- }

func (b *batch) commit() error {
	if b.tx == nil {
		return nil
	}
	err := b.tx.tx.Commit()
	b.tx, b.stmts = nil, nil
	return err
}

func (b *batch) rollback() {
	if b.tx != nil {
		b.tx.tx.Rollback()
		b.tx, b.stmts = nil, nil
	}
}

// prepared returns the chunk's prepared statement of query (already rebound).
func (b *batch) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := b.stmts[query]; ok {
		return s, nil
	}
	s, err := b.tx.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	b.stmts[query] = s
	return s, nil
}
