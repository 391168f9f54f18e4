// Package jobs runs manyi's durable background work on River, a job queue whose jobs live in
// the application's own database (SQLite or PostgreSQL). A job inserted in the same
// transaction as the record that asks for it commits or rolls back with it, survives
// restarts, and runs once even when several instances share the database.
//
// The package owns the queue's schema (Migrate), the runner each instance starts (Start), and
// the periodic jobs of the foundation: session_cleanup (hourly) and audit_verify (nightly).
// Other areas add workers through Options.Register and enqueue through Runner.InsertTx.
// docs/jobs.md describes the queue for operators.
package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"manyi/internal/store"
)

// Options configures a Runner. The zero value works jobs with the default schedules.
type Options struct {
	// NoWork makes an insert-only runner: it can enqueue jobs but works none and schedules
	// none, leaving that to other instances (manyi serve --no-jobs).
	NoWork bool
	// MaxWorkers bounds how many jobs this instance works at once; default 4.
	MaxWorkers int
	// SessionCleanupEvery is how often expired sessions are removed; default an hour, at
	// least a second.
	SessionCleanupEvery time.Duration
	// AuditVerifySchedule is when the audit chain is checked; default nightly at 03:00 local
	// time. The check also runs when the runner starts (once an hour at most).
	AuditVerifySchedule river.PeriodicSchedule
	// AuditSealEvery is how often new audit entries are linked into the hash chain; default
	// a second. Instances with NoWork do not seal.
	AuditSealEvery time.Duration
	// Register adds an area's workers; every job kind that is inserted must have one.
	Register func(*river.Workers)
	// PeriodicJobs are an area's scheduled jobs, enqueued by the elected leader only.
	PeriodicJobs []*river.PeriodicJob

	// testOnly skips River's random start-up delay of up to a second per maintenance
	// service, which spreads instances' work in production but only slows tests.
	testOnly bool
}

// Runner is one instance's connection to the queue: it enqueues jobs and, unless
// Options.NoWork, works them.
type Runner struct {
	client  *river.Client[*sql.Tx]
	pool    *sql.DB
	logger  *slog.Logger
	working bool
	sealer  *sealer
}

// poolSize is the number of connections of River's own pool. SQLite gets one, as River's
// documentation advises: its services would otherwise fight each other for the write lock.
func poolSize(d store.Dialect) int {
	if d == store.Postgres {
		return 5
	}
	return 1
}

// driver returns River's driver for the dialect. Both take a *sql.DB, so jobs can be
// inserted inside a store.Tx. On PostgreSQL the database/sql driver has no LISTEN/NOTIFY
// and River polls instead (FetchPollInterval, a second by default), which is fast enough
// for background work and needs no second kind of pool.
func driver(d store.Dialect, pool *sql.DB) riverdriver.Driver[*sql.Tx] {
	if d == store.Postgres {
		return riverdatabasesql.New(pool)
	}
	return riversqlite.New(pool)
}

// Start opens River's connection pool and, unless opts.NoWork, starts working jobs and
// scheduling the periodic ones. The database must be migrated (store.Migrate, then Migrate).
// Jobs keep running after ctx ends; Stop ends them.
func Start(ctx context.Context, db *store.DB, logger *slog.Logger, opts Options) (*Runner, error) {
	registerMetrics()
	logger = logger.With("component", "jobs")
	if opts.MaxWorkers <= 0 {
		opts.MaxWorkers = 4
	}
	switch {
	case opts.SessionCleanupEvery == 0:
		opts.SessionCleanupEvery = time.Hour
	case opts.SessionCleanupEvery < time.Second:
		// River's unique periods, which keep two instances from both running it, are whole
		// seconds at least.
		return nil, fmt.Errorf("jobs: session clean-up interval %v is under a second", opts.SessionCleanupEvery)
	}
	if opts.AuditSealEvery <= 0 {
		opts.AuditSealEvery = time.Second
	}
	if opts.AuditVerifySchedule == nil {
		opts.AuditVerifySchedule = Daily(3, 0, time.Local)
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &sessionCleanupWorker{db: db, logger: logger})
	river.AddWorker(workers, &auditVerifyWorker{db: db, logger: logger})
	if opts.Register != nil {
		opts.Register(workers)
	}

	cfg := &river.Config{
		ID: clientID(),
		// River reports its routine (producer counts every few seconds) at info level, which
		// would drown the request log; its warnings and errors still come through.
		Logger: slog.New(minLevel{logger.Handler(), slog.LevelWarn}),
		// Completed jobs stay a week, so an operator can see the last nights' checks.
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
		MaxAttempts:                 10,
		TestOnly:                    opts.testOnly,
		Workers:                     workers,
	}
	if !opts.NoWork {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.MaxWorkers}}
		cfg.PeriodicJobs = append([]*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opts.SessionCleanupEvery),
				func() (river.JobArgs, *river.InsertOpts) {
					// Unique per interval, so a change of leader does not run it twice.
					return SessionCleanupArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: opts.SessionCleanupEvery}}
				},
				&river.PeriodicJobOpts{ID: SessionCleanupArgs{}.Kind()}),
			river.NewPeriodicJob(opts.AuditVerifySchedule,
				func() (river.JobArgs, *river.InsertOpts) { return AuditVerifyArgs{}, nil },
				&river.PeriodicJobOpts{ID: AuditVerifyArgs{}.Kind(), RunOnStart: true}),
		}, opts.PeriodicJobs...)
	}

	pool, err := db.OpenPool(poolSize(db.Dialect))
	if err != nil {
		return nil, err
	}
	client, err := river.NewClient(driver(db.Dialect, pool), cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	r := &Runner{client: client, pool: pool, logger: logger, working: !opts.NoWork}
	if r.working {
		// The runner outlives the start-up context: a cancelled ctx would cancel running
		// jobs, and shutdown is Stop's to do, gracefully.
		if err := client.Start(context.WithoutCancel(ctx)); err != nil {
			pool.Close()
			return nil, fmt.Errorf("jobs: start: %w", err)
		}
		r.sealer = startSealer(db, logger, opts.AuditSealEvery)
		logger.Info("job runner started", "max_workers", opts.MaxWorkers)
	}
	return r, nil
}

func clientID() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "manyi"
	}
	var b [3]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s_%d_%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Stop stops fetching jobs and waits for running ones to finish. If ctx ends first, the
// running jobs' contexts are cancelled and Stop waits a few seconds more for them; a job
// that was cut short is rescued and run again later.
func (r *Runner) Stop(ctx context.Context) error {
	var err error
	if r.working {
		if err = r.client.Stop(ctx); err != nil {
			hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			err = errors.Join(err, r.client.StopAndCancel(hard))
		}
		r.working = false
		r.sealer.close(context.WithoutCancel(ctx))
		r.logger.Info("job runner stopped")
	}
	return errors.Join(err, r.pool.Close())
}

// Client is the River client, for what the helpers below do not cover (listing jobs,
// cancelling one).
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// Insert enqueues a job on its own.
func (r *Runner) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return r.client.Insert(ctx, args, opts)
}

// InsertTx enqueues a job in tx, so that it exists only if tx commits. This is how an area
// asks for work caused by a change it makes: both are durable together or not at all.
func (r *Runner) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return r.client.InsertTx(ctx, tx.SQLTx(), args, opts)
}

// Migrate applies River's own migrations (the river_job, river_leader, river_queue, …
// tables). It is idempotent; the application calls it after store.Migrate.
func Migrate(ctx context.Context, db *store.DB) error {
	if db.Dialect == store.Postgres {
		// rivermigrate takes no lock of its own; two instances starting together must not
		// both create the tables.
		conn, err := db.SQL().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		const lockKey = 7_262_002 // arbitrary, fixed: "manyi job queue migrations"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return fmt.Errorf("lock job queue migrations: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}
	m, err := migrator(db)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	return nil
}

// Pending lists River's migrations not yet applied; /readyz is not ready while any are.
func Pending(ctx context.Context, db *store.DB) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	done := map[int]bool{}
	for _, v := range existing {
		done[v.Version] = true
	}
	var pending []string
	for _, v := range m.AllVersions() {
		if !done[v.Version] {
			pending = append(pending, fmt.Sprintf("river %03d_%s", v.Version, v.Name))
		}
	}
	return pending, nil
}

func migrator(db *store.DB) (*rivermigrate.Migrator[*sql.Tx], error) {
	// River's migrator logs every step at info level; manyi reports what it applied itself.
	quiet := slog.New(slog.DiscardHandler)
	m, err := rivermigrate.New(driver(db.Dialect, db.SQL()), &rivermigrate.Config{Logger: quiet})
	if err != nil {
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	return m, nil
}

// minLevel is a slog handler that drops records below a level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}
