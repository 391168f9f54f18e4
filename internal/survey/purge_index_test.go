package survey

import (
	"strings"
	"testing"
	"time"

	"manyi/internal/store/storetest"
)

// TestPurgeSweepsIndexed checks that each sweep of the retention purge starts from the
// partial index of the rows not blank yet: a sweep that scanned its table, or a campaign's
// invitations, would read millions of rows every night at N=100 while holding the writer.
func TestPurgeSweepsIndexed(t *testing.T) {
	db := storetest.OpenSQLite(t)
	cutoff := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	check := func(name, query string, args []any, table, index string) {
		t.Helper()
		plan := storetest.SQLitePlan(t, db, query, args...)
		if len(plan) == 0 || !strings.HasPrefix(plan[0], "SEARCH "+table+" USING INDEX "+index+" ") && plan[0] != "SCAN "+table+" USING INDEX "+index {
			t.Errorf("%s does not start from %s:\n%s", name, index, strings.Join(plan, "\n"))
		}
		for _, step := range plan[1:] {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("%s scans a table:\n%s", name, strings.Join(plan, "\n"))
			}
		}
	}
	index := map[string]struct{ table, index string }{
		"UPDATE survey_invitations": {"survey_invitations", "survey_invitations_household"},
		"UPDATE survey_entries":     {"survey_entries", "survey_entries_unpurged"},
		"UPDATE survey_followups":   {"survey_followups", "survey_followups_text"},
	}
	for _, sw := range purgeSweeps {
		target, _, _ := strings.Cut(sw.query, " SET ")
		want, ok := index[target]
		if !ok {
			t.Fatalf("a sweep of an unknown table: %s", sw.query)
		}
		check(sw.count+" ("+target+")", sw.query, sw.args(1, cutoff), want.table, want.index)
	}
	check("versions", unpurgedVersions, []any{1}, "v", "survey_answer_versions_unpurged")
}
