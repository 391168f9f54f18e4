package demo

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"manyi/internal/store"
)

// table is a table the scale data writes, with its column list in one place: the rows the
// generator builds follow this order.
type table struct {
	name string
	cols []string
}

// The bulk rows are those the areas own; each list follows the area's migrations.
var (
	unitsTable      = table{"units", []string{"id", "parent_id", "code", "name", "kind", "households", "threshold_bp", "active", "serves_public", "created_at", "updated_at"}}
	peopleTable     = table{"people", []string{"id", "unit_id", "name", "phone", "title", "active", "created_at", "updated_at"}}
	rolesTable      = table{"role_assignments", []string{"id", "person_id", "role", "unit_id", "created_at"}}
	ordersTable     = table{"work_orders", []string{"id", "source", "reporter", "phone", "location", "device", "fault", "team_id", "maintainer_id", "reported_at", "contacted_at", "arrived_at", "closed_at", "close_day", "cause", "measures", "created_at", "updated_at"}}
	drawsTable      = table{"workorder_draws", []string{"id", "day", "batch", "seed", "inputs_json", "created_by", "created_at"}}
	tasksTable      = table{"workorder_tasks", []string{"id", "order_id", "draw_id", "kind", "role", "assignee_id", "maintainer_id", "team_id", "day", "due_at", "attempts", "last_attempt_at", "outcome", "score", "version", "evaluated_at", "created_at"}}
	evalsTable      = table{"workorder_evaluations", []string{"id", "task_id", "version", "outcome", "score", "attempts", "note_speed", "note_device", "comment", "evaluator_id", "created_at"}}
	complaintsTable = table{"complaints", []string{"id", "tracking_code", "unit_id", "channel", "category", "complainant", "contact", "contact_key", "description",
		"status", "classification", "classification_reason", "classified_at", "received_at", "reply_due_at", "replied_at", "reply", "solution_due_at",
		"resolved_at", "solution", "closed_at", "created_at", "updated_at"}}
	inspectionsTable   = table{"inspections", []string{"id", "kind", "unit_id", "checklist_id", "inspector", "inspected_at", "month", "day", "items_checked", "note", "created_by", "created_at"}}
	findingsTable      = table{"inspection_findings", []string{"id", "inspection_id", "item_id", "unit_id", "person_id", "month", "description", "deduction_cp", "signoff", "signed_by", "signed_at", "created_at", "inspected_at"}}
	campaignsTable     = table{"survey_campaigns", []string{"id", "name", "quarter", "audience", "template_id", "status", "starts_on", "ends_on", "snapshot_on", "followup_days", "retention_days", "created_by", "created_at", "updated_at"}}
	campaignUnitsTable = table{"survey_campaign_units", []string{"campaign_id", "unit_id", "households", "threshold_bp"}}
	invitationsTable   = table{"survey_invitations", []string{"id", "campaign_id", "unit_id", "seq", "code", "household", "channel", "answered_at", "created_at"}}
	answersTable       = table{"survey_answers", []string{"id", "invitation_id", "campaign_id", "unit_id", "channel", "answered_at", "overall_level", "points", "band", "satisfied", "dissatisfied",
		"location", "problem_type", "opinion", "has_opinion", "respondent", "phone", "answers", "pattern", "idem_key", "client_key", "entered_by", "authenticity", "authenticity_reason",
		"verified_fault", "fault_reason", "version", "created_at", "updated_at"}}
	followupsTable = table{"survey_followups", []string{"id", "answer_id", "unit_id", "status", "due_at", "cause", "action", "outcome", "escalation", "check_note", "answered_by", "answered_at",
		"closed_by", "closed_at", "created_at"}}
	scaleTables = []table{unitsTable, peopleTable, rolesTable, ordersTable, drawsTable, tasksTable, evalsTable, complaintsTable, inspectionsTable, findingsTable,
		campaignsTable, campaignUnitsTable, invitationsTable, answersTable, followupsTable}
)

// hasID reports whether the table's rows are keyed by an id column (survey_campaign_units is
// keyed by its campaign and unit): only those take ids from nextIDs and a sequence.
func (t table) hasID() bool { return t.cols[0] == "id" }

const (
	flushAtRows  = 200_000 // rows buffered before a transaction writes them: few commits, bounded memory
	progressTick = 3 * time.Second
)

// bulk buffers rows per table and writes them in large transactions: multi-row INSERTs
// through one prepared statement on SQLite, COPY on PostgreSQL. Rows of a flush are written
// in the order of scaleTables, so a row's references are written before it.
type bulk struct {
	db       *store.DB
	rows     map[string][][]any
	buffered int
	written  map[string]int
	total    map[string]int // expected rows per table, for the progress lines
	progress io.Writer
	started  time.Time
	lastLine time.Time
	lastSum  int // rows written at lastLine
}

func newBulk(db *store.DB, progress io.Writer, total map[string]int) *bulk {
	now := time.Now()
	return &bulk{db: db, rows: map[string][][]any{}, written: map[string]int{}, total: total, progress: progress, started: now, lastLine: now}
}

func (b *bulk) add(ctx context.Context, t table, row ...any) error {
	if len(row) != len(t.cols) {
		return fmt.Errorf("demo scale: %s row has %d values for %d columns", t.name, len(row), len(t.cols))
	}
	b.rows[t.name] = append(b.rows[t.name], row)
	b.buffered++
	if b.buffered >= flushAtRows {
		return b.flush(ctx)
	}
	return nil
}

// flush writes every buffered row in one transaction.
func (b *bulk) flush(ctx context.Context) error {
	if b.buffered == 0 {
		return nil
	}
	conn, err := b.db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if b.db.Dialect == store.Postgres {
		err = conn.Raw(func(dc any) error { return b.copyRows(ctx, dc.(*stdlib.Conn).Conn()) })
	} else {
		err = b.insertRows(ctx, conn)
	}
	if err != nil {
		return err
	}
	for _, t := range scaleTables {
		b.written[t.name] += len(b.rows[t.name])
		b.rows[t.name] = b.rows[t.name][:0]
	}
	b.buffered = 0
	if time.Since(b.lastLine) >= progressTick {
		b.report()
	}
	return nil
}

func (b *bulk) copyRows(ctx context.Context, c *pgx.Conn) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	for _, t := range scaleTables {
		if rows := b.rows[t.name]; len(rows) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("demo scale: copy %s: %w", t.name, err)
			}
		}
	}
	return tx.Commit(ctx)
}

// sqliteMaxParams is SQLite's limit on the parameters of one statement.
const sqliteMaxParams = 32_766

func (b *bulk) insertRows(ctx context.Context, conn *sql.Conn) error {
	tx, err := beginLarge(ctx, conn, store.SQLite)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, t := range scaleTables {
		rows := b.rows[t.name]
		per := min(500, sqliteMaxParams/len(t.cols))
		var full *sql.Stmt
		for len(rows) > 0 {
			n := min(per, len(rows))
			args := make([]any, 0, n*len(t.cols))
			for _, r := range rows[:n] {
				args = append(args, r...)
			}
			if n == per && full == nil {
				if full, err = tx.PrepareContext(ctx, insertSQL(t, per)); err != nil {
					return err
				}
				defer full.Close()
			}
			if n == per {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insertSQL(t, n), args...)
			}
			if err != nil {
				return fmt.Errorf("demo scale: insert %s: %w", t.name, err)
			}
			rows = rows[n:]
		}
	}
	return tx.Commit()
}

func insertSQL(t table, rows int) string {
	one := "(?" + strings.Repeat(", ?", len(t.cols)-1) + ")"
	return "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES " + one + strings.Repeat(", "+one, rows-1)
}

// report prints one progress line: each table's rows so far of its total, the mean rate and
// the rate since the last line, which shows whether the load slows as the tables grow.
func (b *bulk) report() {
	now := time.Now()
	var parts []string
	sum := 0
	for _, t := range scaleTables {
		sum += b.written[t.name]
		if b.total[t.name] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d/%d", t.name, b.written[t.name], b.total[t.name]))
		}
	}
	if sum == b.lastSum && sum > 0 {
		return // the last flush's line said it already
	}
	mean := float64(sum) / max(now.Sub(b.started).Seconds(), 0.001)
	recent := float64(sum-b.lastSum) / max(now.Sub(b.lastLine).Seconds(), 0.001)
	say(b.progress, "scale: %s — %.0f rows/s, %.0f lately\n", strings.Join(parts, ", "), mean, recent)
	b.lastLine, b.lastSum = now, sum
}

// nextIDs returns, per table, the id after the largest one, so bulk rows take ids the
// database has not handed out and can reference each other before they are written.
func nextIDs(ctx context.Context, db *store.DB) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		for _, t := range scaleTables {
			if !t.hasID() {
				continue
			}
			var max int64
			if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+t.name).Scan(&max); err != nil {
				return err
			}
			out[t.name] = max + 1
		}
		return nil
	})
	return out, err
}

// afterBulk moves PostgreSQL's identity sequences past the ids the bulk wrote, so the next
// record the areas create gets a fresh id, and analyses the tables: the planner would
// otherwise keep the statistics of the demo's few thousand rows until autovacuum comes, and
// the recount that follows (a month's pairs) ran for minutes on a nested loop.
func afterBulk(ctx context.Context, db *store.DB) error {
	if db.Dialect != store.Postgres {
		return nil
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, t := range scaleTables {
			if !t.hasID() {
				continue
			}
			if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t.name+"', 'id'), (SELECT MAX(id) FROM "+t.name+"))"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "ANALYZE "+t.name); err != nil {
				return err
			}
		}
		return nil
	})
}

// index is a secondary index of a bulk table, with the statement that creates it as the
// database holds it (sqlite_master, pg_indexes), so it is recreated exactly as the migrations
// made it.
type index struct{ name, create string }

// dropIndexes drops the non-unique secondary indexes of tables and returns them for
// createIndexes. Maintaining them row by row was what slowed the load once they outgrew the
// page cache (docs/benchmarks.md, "scalegen"); built once at the end, each is one sort. Unique
// indexes and primary keys stay: they are checks, not only paths.
func dropIndexes(ctx context.Context, db *store.DB, tables []table) ([]index, error) {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = "'" + t.name + "'"
	}
	list := "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (" + strings.Join(names, ", ") + ") ORDER BY name"
	if db.Dialect == store.Postgres {
		list = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (" + strings.Join(names, ", ") + ") ORDER BY indexname"
	}
	var out []index
	err := db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, list)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ix index
			if err := rows.Scan(&ix.name, &ix.create); err != nil {
				return err
			}
			if !strings.HasPrefix(strings.ToUpper(ix.create), "CREATE UNIQUE") {
				out = append(out, ix)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, ix := range out {
			if _, err := tx.Exec(ctx, "DROP INDEX "+ix.name); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// createIndexes builds the indexes dropIndexes returned, all in one transaction: a load
// interrupted before it leaves none of them rather than some.
func createIndexes(ctx context.Context, db *store.DB, indexes []index) error {
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := beginLarge(ctx, conn, db.Dialect)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, ix.create); err != nil {
			return fmt.Errorf("demo scale: index %s: %w", ix.name, err)
		}
	}
	return tx.Commit()
}

// beginLarge begins a transaction of the load on conn with memory for its size: SQLite's page
// cache, which keeps the tables being written in memory between flushes, and PostgreSQL's
// memory to sort an index in. Durability (synchronous=FULL) is untouched.
func beginLarge(ctx context.Context, conn *sql.Conn, dialect store.Dialect) (*sql.Tx, error) {
	set := "PRAGMA cache_size = -262144"
	if dialect == store.Postgres {
		set = "SET maintenance_work_mem = '256MB'"
	}
	if _, err := conn.ExecContext(ctx, set); err != nil {
		return nil, err
	}
	return conn.BeginTx(ctx, nil)
}
