package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"manyi/internal/auth"
	"manyi/internal/demo"
	"manyi/internal/jobs"
	"manyi/internal/store"
)

// openDB parses the --db flag, and the command's own flags that more adds, and opens the
// database.
func openDB(ctx context.Context, name string, args []string, stderr io.Writer, more ...func(*flag.FlagSet)) (*store.DB, *flag.FlagSet, error) {
	var c Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, false)
	for _, add := range more {
		add(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, c.DB)
	return db, fs, err
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	db, _, err := openDB(ctx, "migrate", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if err := fillNewTotals(ctx, db, applied); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	return nil
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var scale float64
	db, _, err := openDB(ctx, "demo", args, stderr, func(fs *flag.FlagSet) {
		fs.Float64Var(&scale, "scale", 0, "add N times the demo's scale data in bulk (docs/demo.md), for the speed benchmarks")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	// A bad --scale is refused before the database is touched.
	if scale != 0 {
		if err := demo.CheckScale(scale); err != nil {
			return err
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		return err
	}
	created, username, password, err := auth.EnsureAdmin(ctx, db, os.Getenv("MANYI_ADMIN_PASSWORD"))
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "Administrator account created: user %q, password %q\n", username, password)
	}
	if scale != 0 {
		sum, err := demo.LoadScale(ctx, db, db.Now(), scale, aggregators(), stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "scale %g: %d units, %d people, %d work orders, %d tasks, %d evaluations, %d complaints, %d inspections with %d findings, %d survey campaigns with %d invitations and %d answers added to the demo in %.1f s\n",
			sum.N, sum.Units, sum.People, sum.Orders, sum.Tasks, sum.Evaluations, sum.Complaints, sum.Inspections, sum.Findings, sum.Campaigns, sum.Invitations, sum.Answers, sum.Seconds)
		return nil
	}
	s, err := demo.Load(ctx, db)
	if err != nil {
		return err
	}
	s.Print(stdout)
	return nil
}

// runBackup copies a live SQLite database with VACUUM INTO, which writes a consistent
// snapshot while the server keeps running. PostgreSQL has its own tools for this.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	db, fs, err := openDB(ctx, "backup", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.NArg() != 1 {
		return fmt.Errorf("backup needs exactly one argument: the file to write")
	}
	if db.Dialect == store.Postgres {
		return fmt.Errorf("backup copies SQLite files; for PostgreSQL use pg_dump (see README, Backup and restore)")
	}
	target, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return err
	}
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("%s exists; choose a new file name", target)
	}
	if err := db.Backup(ctx, target); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "backup written to", target)
	return nil
}

// runAdmin runs the account commands for the machine's operator; today one:
// `admin reset-password USER`, the way back for an administrator who lost their password.
func runAdmin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reset-password" {
		return fmt.Errorf("admin needs a command: manyi admin reset-password [--db URL] [--generate] USER")
	}
	var c Config
	fs := flag.NewFlagSet("admin reset-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, false)
	generate := fs.Bool("generate", false, "generate a password and print it once, instead of reading one")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("reset-password needs exactly one argument: the username")
	}
	password, err := newPassword(stdin, stderr, *generate)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, c.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.ResetPassword(ctx, db, auth.CLI, fs.Arg(0), password)
	if err != nil {
		return err
	}
	if *generate {
		fmt.Fprintf(stdout, "New password for %q: %s\n(shown once; it is stored only as a hash)\n", u.Username, password)
	}
	fmt.Fprintf(stdout, "Password of %q reset; its sessions are ended.\n", u.Username)
	if !u.Active {
		fmt.Fprintf(stdout, "The account is inactive: an administrator must activate it before it can log in.\n")
	}
	return nil
}

// newPassword generates a password, or asks for it twice without echo on a terminal, or reads
// the first line of stdin when it is a pipe (for scripts: printf '%s\n' "$PW" | manyi admin …).
func newPassword(stdin io.Reader, stderr io.Writer, generate bool) (string, error) {
	if generate {
		return auth.RandomPassword(), nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "New password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Repeat it: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", fmt.Errorf("the two passwords differ; nothing was changed")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password on standard input; type it on a terminal, pipe it in, or use --generate")
	}
	return line, nil
}
