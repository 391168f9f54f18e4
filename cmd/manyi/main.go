// Command manyi is the service-quality and customer-satisfaction assessment system: one
// binary that serves the web UI and API, migrates its database, loads demo data, evaluates
// scoring schemes offline and backs up its SQLite file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `manyi — service quality and customer satisfaction assessment

Usage:
  manyi serve   [--addr 127.0.0.1:8080] [--db manyi.db] [--demo]   run the web server
  manyi migrate [--db URL]                                        apply database migrations
  manyi demo    [--db URL] [--scale N]                            load demo data (N times its scale data) into an empty database
  manyi eval    --scheme NAME|FILE --facts FILE.json [--format json|table]
                                                                  compute scheme results offline
  manyi backup  [--db URL] FILE                                   copy the SQLite database to FILE
  manyi audit verify [--db URL] [--seal]                          check the audit log's sealed hash chain
  manyi rebuild-aggregates [--db URL] [--check]                   recompute the close facts' running totals from the records
  manyi load    --db URL --url http://127.0.0.1:PORT [-c 8] [-d 10s] [--staff [--think 5s]]
                                                                  residents answering surveys (--staff: staff opening every page
                                                                  and list; --think: each reading a page for about that long
                                                                  before the next) against a running server
  manyi admin reset-password [--db URL] [--generate] USER         set a lost password anew
  manyi version                                                   print the version

Every flag can also be set by an environment variable: --addr is MANYI_ADDR, --db is MANYI_DB,
--demo is MANYI_DEMO. Run "manyi COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "manyi:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "eval":
		return runEval(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "rebuild-aggregates":
		return runRebuildAggregates(ctx, rest, stdout, stderr)
	case "load":
		return runLoad(ctx, rest, stdout, stderr)
	case "admin":
		return runAdmin(ctx, rest, os.Stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "manyi", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
