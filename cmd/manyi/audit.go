package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"manyi/internal/audit"
)

// errChainBroken makes `manyi audit verify` exit non-zero, for scripts and monitoring.
var errChainBroken = errors.New("audit chain broken")

// runAudit runs `manyi audit verify`: the nightly job's check, on demand, with its findings
// printed. --seal first seals the backlog, as a running server's sealer would.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("audit: unknown or missing subcommand; usage: manyi audit verify [--db URL] [--seal]")
	}
	var seal bool
	db, _, err := openDB(ctx, "audit verify", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&seal, "seal", false, "seal entries waiting to be sealed before checking")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if seal {
		n, _, err := audit.SealAll(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "sealed %d waiting entries\n", n)
	}
	res, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sealed entries checked: %d\nchain head: seq %d, hash %s\n", res.Checked, res.Head.Seq, res.Head.Hash)
	if res.Unsealed > 0 {
		fmt.Fprintf(stdout, "waiting to be sealed: %d (oldest written %s, %s ago)\n", res.Unsealed,
			res.OldestUnsealed.Format(time.RFC3339), time.Since(res.OldestUnsealed).Round(time.Second))
	} else {
		fmt.Fprintln(stdout, "waiting to be sealed: 0")
	}
	if res.BrokenAt != 0 {
		fmt.Fprintf(stdout, "BROKEN: the chain does not match at entry id %d: an entry was changed, removed or reordered outside the application\n", res.BrokenAt)
		return errChainBroken
	}
	fmt.Fprintln(stdout, "intact")
	return nil
}
