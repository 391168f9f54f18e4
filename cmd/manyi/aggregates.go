package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/store"
	"manyi/internal/survey"
	"manyi/internal/workorder"
)

// errTotalsDiffer makes `manyi rebuild-aggregates --check` exit non-zero when a running total
// is not what the records say, for scripts and monitoring.
var errTotalsDiffer = errors.New("running totals differ from the records")

// aggregators are the areas that keep running totals of close facts (docs/aggregates.md).
func aggregators() []assessment.Aggregator {
	return []assessment.Aggregator{complaint.FactSource{}, inspection.FactSource{}, survey.FactSource{}, workorder.FactSource{}}
}

// totalsMigration creates fact_totals: a database that had records before it gets its totals
// computed in the same start (fillNewTotals), since SQL alone cannot place a timestamp on its
// day in the organisation's time zone on both databases.
const totalsMigration = "0024_fact_totals.sql"

// fillNewTotals computes the running totals from the records when this run created their
// table.
func fillNewTotals(ctx context.Context, db *store.DB, applied []string) error {
	if !slices.Contains(applied, totalsMigration) {
		return nil
	}
	_, err := assessment.RebuildTotals(ctx, db, aggregators())
	return err
}

// runRebuildAggregates runs `manyi rebuild-aggregates [--check]`: it recomputes every
// running total from the records and prints each difference; without --check it also
// replaces the differing totals, with --check it changes nothing and fails on a difference.
func runRebuildAggregates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var check bool
	db, _, err := openDB(ctx, "rebuild-aggregates", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&check, "check", false, "report every difference and change nothing (exit status 1 on a difference)")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	var diffs []assessment.Difference
	if check {
		diffs, err = assessment.CheckTotals(ctx, db, aggregators())
	} else {
		diffs, err = assessment.RebuildTotals(ctx, db, aggregators())
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "fact\tsubject\tday\tbucket\tstored\trecomputed")
	for _, d := range diffs {
		fmt.Fprintf(stdout, "%s\t%s %d\t%s\t%s\t%d\t%d\n", d.Fact, d.SubjectKind, d.SubjectID, d.Day, d.Bucket, d.Stored, d.Recomputed)
	}
	switch {
	case check && len(diffs) > 0:
		fmt.Fprintf(stdout, "%d differences; nothing changed (run without --check to rebuild)\n", len(diffs))
		return errTotalsDiffer
	case check:
		fmt.Fprintln(stdout, "running totals agree with the records")
	default:
		fmt.Fprintf(stdout, "rebuilt: %d totals mended\n", len(diffs))
	}
	return nil
}
