package main

import (
	"context"
	"fmt"
	"testing"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/report"
	"manyi/internal/store"
)

// TestReportStatements: the monthly and quarterly reports send as many statements after the
// organisation has grown by twenty maintenance teams and sixty people — the kind of units and
// people the scale data multiplies — as before: the reports read the organisation whole, once
// per read, and nothing per unit or per person. (Adding assessed areas or companies still adds
// statements: the live periods read facts per subject and the spot checks a board per company,
// in assessment and inspection; docs/benchmarks.md, "reports".)
func TestReportStatements(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, err := store.Open(ctx, demoDB(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		env := reportEnv(db)
		month := demoMonth(-1)
		statements := func() [2]int64 {
			var out [2]int64
			for i, r := range []struct {
				kind   report.Kind
				period string
			}{{report.Monthly, month}, {report.Quarterly, previousQuarter(month)}} {
				before := db.Statements()
				if _, err := buildReport(ctx, env, r.kind, r.period); err != nil {
					t.Fatal(err)
				}
				out[i] = db.Statements() - before
			}
			return out
		}
		small := statements()

		admin := access.Principal{Username: "admin", Grants: []access.Grant{{Role: access.Admin}}}
		var imc int64
		if err := db.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT id FROM units WHERE code = ?", "IMC").Scan(&imc)
		}); err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			team, err := org.CreateUnit(ctx, db, admin, org.UnitInput{ParentID: imc, Code: fmt.Sprintf("IMC-T%02d", 50+i), Name: fmt.Sprintf("新增班组%d", i), Kind: org.Team})
			if err != nil {
				t.Fatal(err)
			}
			for k := range 3 {
				if _, err := org.CreatePerson(ctx, db, admin, org.PersonInput{UnitID: team.ID, Name: fmt.Sprintf("新人%d-%d", i, k)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if large := statements(); large != small {
			t.Errorf("statements (monthly, quarterly): %v with the demo's organisation, %v with 20 teams and 60 people more", small, large)
		}
		if small[0] == 0 || small[1] == 0 {
			t.Errorf("no statements counted: %v", small)
		}
	})
}
