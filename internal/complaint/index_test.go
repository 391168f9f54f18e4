package complaint

import (
	"context"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/store/storetest"
)

// TestOpenComplaintsIndex: the open complaints (the SLA dashboard, the open list) are read
// through the status index, not by scanning the year's complaints (2.3–3.2 s for the SLA
// dashboard at N=100 when the filter said NOT IN the finished statuses). SQLite plans without
// statistics, as on a fresh or loaded database, so its plan is what is checked.
func TestOpenComplaintsIndex(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	admin := access.Principal{Username: "admin", Grants: []access.Grant{{Role: access.Admin}}}
	w, args, err := where(ctx, db, admin, Filter{Open: true})
	if err != nil {
		t.Fatal(err)
	}
	plan := storetest.SQLitePlan(t, db, "SELECT c.id FROM complaints c"+w, args...)
	if len(plan) == 0 || !strings.HasPrefix(plan[0], "SEARCH c USING") || !strings.Contains(plan[0], "INDEX complaints_status") {
		t.Errorf("the open complaints are not read through the status index:\n%s", strings.Join(plan, "\n"))
	}
}
