package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
	db, _, err := openDB(ctx, "demo", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
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
