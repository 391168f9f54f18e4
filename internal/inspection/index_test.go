package inspection

import (
	"context"
	"slices"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestListIndex: the inspection list reads a page of the newest inspections from the end of
// (inspected_at, id) instead of sorting every inspection the reader may see (1.5 s a page over
// the N=100 year's 80,000 inspections).
func TestListIndex(t *testing.T) {
	db := storetest.OpenSQLite(t)
	plan := storetest.SQLitePlan(t, db, "SELECT "+inspectionColumns+inspectionFrom+" WHERE 1 = 1"+store.Page{}.OrderBy(inspectionOrder), 51)
	if len(plan) == 0 || !strings.HasPrefix(plan[0], "SCAN i USING INDEX inspections_inspected") {
		t.Errorf("the inspection list is not read through its index:\n%s", strings.Join(plan, "\n"))
	}
}

// TestFindingsIndex: a page of the findings list reads the newest findings from the end of
// (inspected_at, id), where ordering by the inspection's time through the join sorted all the
// year's findings (200,000 at N=100, 0.8 s and more a page); the heading's count reads the
// findings alone, and the inspections only for a kind.
func TestFindingsIndex(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	admin := access.Principal{Username: "admin", Grants: []access.Grant{{Role: access.Admin}}}
	where := func(f Filter) (conds []string, args []any) {
		err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			conds, args, err = findingConds(ctx, tx, admin, f)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return conds, args
	}
	page := func(f Filter) []string {
		conds, args := where(f)
		return storetest.SQLitePlan(t, db, "SELECT "+findingColumns+findingFrom+" WHERE "+strings.Join(conds, " AND ")+store.Page{}.OrderBy(findingOrder), append(args, 51)...)
	}
	// The pending sign-offs, a handful among all the findings, have an index of their own.
	for f, index := range map[*Filter]string{{}: "inspection_findings_inspected", {Kind: Routine}: "inspection_findings_inspected", {Pending: true}: "inspection_findings_pending"} {
		plan := page(*f)
		if len(plan) == 0 || !strings.HasPrefix(plan[0], "SCAN f USING INDEX "+index) || slices.ContainsFunc(plan, func(s string) bool { return strings.Contains(s, "TEMP B-TREE") }) {
			t.Errorf("the findings list %+v is not read in the order of %s:\n%s", *f, index, strings.Join(plan, "\n"))
		}
	}

	count := func(f Filter) []string {
		conds, args := where(f)
		return storetest.SQLitePlan(t, db, countFindingsQuery(f, conds), args...)
	}
	joins := func(plan []string, table string) bool {
		return slices.ContainsFunc(plan, func(s string) bool { return strings.Contains(s, " "+table+" ") || strings.HasSuffix(s, " "+table) })
	}
	for _, f := range []Filter{{}, {Month: "2026-11"}, {Pending: true}} {
		plan := count(f)
		for _, table := range []string{"i", "u", "it", "p"} {
			if joins(plan, table) {
				t.Errorf("the count of %+v reads %s:\n%s", f, table, strings.Join(plan, "\n"))
			}
		}
	}
	if plan := count(Filter{Kind: Routine}); !joins(plan, "i") || joins(plan, "u") || joins(plan, "p") {
		t.Errorf("the count of a kind reads other tables than the inspections:\n%s", strings.Join(plan, "\n"))
	}
}
