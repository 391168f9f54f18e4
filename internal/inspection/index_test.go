package inspection

import (
	"strings"
	"testing"

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
