package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/riverqueue/river"

	"manyi/internal/assessment"
	"manyi/internal/auth"
	"manyi/internal/complaint"
	"manyi/internal/demo"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/jobs"
	"manyi/internal/overdue"
	"manyi/internal/store"
	"manyi/internal/survey"
	"manyi/internal/target"
	"manyi/internal/web"
	"manyi/internal/webhook"
	"manyi/internal/workorder"
)

// Main is a running manyi server. Tests start it on port 0 with a temporary database and
// drive it over HTTP, exactly as a user's browser would.
type Main struct {
	Config Config
	Stdout io.Writer
	Logger *slog.Logger

	DB     *store.DB
	Jobs   *jobs.Runner
	server *http.Server
	ln     net.Listener
	done   chan error

	// Sources are the areas' fact sources for period close (the assessment ledger is always
	// there); tests add fixtures here.
	Sources []assessment.Source
}

// URL is the address the server listens on, for printing and tests.
func (m *Main) URL() string { return "http://" + m.ln.Addr().String() }

// Open prepares everything and starts serving in the background: database, migrations, the
// first administrator, demo data if asked, background jobs and the HTTP listener.
func (m *Main) Open(ctx context.Context) error {
	c := m.Config
	proxies, err := web.ParseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return err
	}
	begun := time.Now()
	step := func(name string) { m.Logger.Debug("startup", "step", name, "since_start", time.Since(begun)) }
	db, err := store.Open(ctx, c.DB)
	if err != nil {
		return err
	}
	m.DB = db
	step("open")
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) > 0 {
		m.Logger.Info("applied migrations", "migrations", applied)
	}
	if err := fillNewTotals(ctx, db, applied); err != nil {
		return fmt.Errorf("compute running totals: %w", err)
	}
	step("migrate")
	if err := jobs.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	step("job queue migrate")
	if err := assessment.SeedSchemes(ctx, db); err != nil {
		return fmt.Errorf("store built-in schemes: %w", err)
	}
	step("schemes")
	if err := survey.SeedTemplates(ctx, db); err != nil {
		return fmt.Errorf("store built-in questionnaire templates: %w", err)
	}
	step("templates")
	if err := target.Seed(ctx, db); err != nil {
		return fmt.Errorf("store the service-standard targets: %w", err)
	}
	step("targets")
	created, username, password, err := auth.EnsureAdmin(ctx, db, c.AdminPassword)
	if err != nil {
		return fmt.Errorf("create administrator: %w", err)
	}
	step("admin")
	var summary *demo.Summary
	if c.Demo {
		s, err := demo.Load(ctx, db)
		switch {
		case err == nil:
			summary = &s
		case errs.Is(err, errs.Conflict):
			m.Logger.Info("database already has an organisation; demo data not loaded again")
		default:
			return fmt.Errorf("load demo data: %w", err)
		}
	}
	// --no-jobs still starts an insert-only client, so this instance can enqueue work that
	// others run.
	if m.Jobs, err = jobs.Start(ctx, db, m.Logger, jobs.Options{
		NoWork: c.NoJobs,
		Register: func(w *river.Workers) {
			complaint.Workers(db, m.Logger)(w)
			workorder.Workers(db, m.Logger)(w)
			inspection.Workers(db, m.Logger)(w)
			survey.Workers(db, m.Logger)(w)
			webhook.Workers(db, m.Logger)(w)
			overdue.Workers(db, m.Logger)(w)
		},
		PeriodicJobs: append(append(append(complaint.PeriodicJobs(time.Minute), workorder.PeriodicJobs(jobs.Daily(0, 30, workorder.Zone))...), append(inspection.PeriodicJobs(time.Hour), survey.PeriodicJobs(jobs.Daily(3, 0, survey.Zone))...)...),
			append(webhook.PeriodicJobs(10*time.Second), overdue.PeriodicJobs(10*time.Minute)...)...),
	}); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	step("jobs")
	ready := func(ctx context.Context) error {
		pending, err := jobs.Pending(ctx, db)
		if err == nil && len(pending) > 0 {
			err = fmt.Errorf("job queue migrations pending: %v", pending)
		}
		return err
	}
	srv, err := web.New(web.Config{DB: db, Logger: m.Logger, SecureCookies: c.SecureCookies, Version: version, Ready: ready, Sources: append([]assessment.Source{complaint.FactSource{}, workorder.FactSource{}, inspection.FactSource{}, survey.FactSource{}}, m.Sources...),
		TrustedProxies: proxies, Limits: c.Limits, Chromium: web.FindChromium(c.Chromium)})
	if err != nil {
		return err
	}
	step("web")
	if m.ln, err = net.Listen("tcp", c.Addr); err != nil {
		return err
	}
	m.server = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(m.ln) }()

	m.Logger.Info("manyi serving", "url", m.URL(), "db", db.Redacted(), "version", version)
	fmt.Fprintf(m.Stdout, "\nmanyi is running at %s\n", m.URL())
	if created {
		fmt.Fprintf(m.Stdout, "Administrator account created: user %q, password %q\n", username, password)
		if c.AdminPassword == "" {
			fmt.Fprintln(m.Stdout, "This password is shown only now; change it after logging in (My account).")
		}
	} else {
		fmt.Fprintln(m.Stdout, "Log in as admin with the password set at first start (or MANYI_ADMIN_PASSWORD).")
	}
	if summary != nil {
		summary.Print(m.Stdout)
	} else if c.Demo {
		fmt.Fprintf(m.Stdout, "Demo accounts (if loaded earlier) use the password %q; see docs/demo.md.\n", demo.DemoPassword)
	}
	fmt.Fprintln(m.Stdout)
	return nil
}

// Wait blocks until the server stops on its own (a listener error).
func (m *Main) Wait() <-chan error { return m.done }

// Close stops accepting requests, lets in-flight requests finish, stops the jobs after
// their current work, and closes the database.
func (m *Main) Close(ctx context.Context) error {
	var errsOut []error
	if m.server != nil {
		if err := m.server.Shutdown(ctx); err != nil {
			errsOut = append(errsOut, err)
		}
	}
	if m.Jobs != nil {
		if err := m.Jobs.Stop(ctx); err != nil {
			errsOut = append(errsOut, err)
		}
	}
	if m.DB != nil {
		errsOut = append(errsOut, m.DB.Close())
	}
	return errors.Join(errsOut...)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := &Main{Config: DefaultConfig(), Stdout: stdout}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	m.Config.flags(fs, true)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file, for benchmarks (docs/benchmarks.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	m.Logger = newLogger(stderr, m.Config.LogFormat, m.Config.LogLevel)
	if err := m.Open(ctx); err != nil {
		m.Close(context.Background())
		return err
	}
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down")
	case err := <-m.Wait():
		if !errors.Is(err, http.ErrServerClosed) {
			m.Close(context.Background())
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return m.Close(shutdownCtx)
}
