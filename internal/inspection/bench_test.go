package inspection_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// benchYear files a year of ward rounds: units wards of workers care workers each, every
// ward inspected perMonth times a month with three findings charging workers, all signed.
func benchYear(b *testing.B, db *store.DB, units, workers, perMonth int) (*fixture, []org.Unit) {
	b.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: at("2026-12-31 12:00")}
	db.Now = func() time.Time { return f.now }
	f.clerk = access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
	f.head = access.Principal{Username: "head", Grants: []access.Grant{{Role: access.Admin}}}
	var err error
	f.rounds, err = inspection.SaveChecklist(ctx, db, f.clerk, inspection.ChecklistInput{Code: "R", Name: "查房", Items: "C01 | 未翻身 | 5 | 2-10 | person\nC02 | 记录不全 | 3 | 1-5 | person\nC03 | 卫生 | 2 | 1-5 | person"})
	if err != nil {
		b.Fatal(err)
	}
	root, _ := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "CARE", Name: "养老中心", Kind: org.Company})
	var wards []org.Unit
	for u := range units {
		w, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: root.ID, Code: fmt.Sprintf("W%02d", u), Name: fmt.Sprintf("病区%02d", u), Kind: org.Section})
		if err != nil {
			b.Fatal(err)
		}
		wards = append(wards, w)
		var people []org.Person
		for i := range workers {
			p, err := org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: w.ID, Name: fmt.Sprintf("护理员%02d-%02d", u, i), Title: "护理员"})
			if err != nil {
				b.Fatal(err)
			}
			people = append(people, p)
		}
		for m := 1; m <= 12; m++ {
			for k := range perMonth {
				var fs []inspection.FindingInput
				for j := range 3 {
					fs = append(fs, inspection.FindingInput{ItemID: f.rounds.Items[j].ID, Description: "问题", PersonID: people[(k*3+j)%len(people)].ID})
				}
				ins, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.WardRound, UnitID: w.ID, ChecklistID: f.rounds.ID,
					InspectedAt: at(fmt.Sprintf("2026-%02d-%02d 09:00", m, 1+k)), Findings: fs})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.SQL().ExecContext(ctx, store.Rebind(db.Dialect, "UPDATE inspection_findings SET signoff = 'signed' WHERE inspection_id = ?"), ins.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	return f, wards
}

// BenchmarkFile is one phone submission: an inspection with three findings, in one transaction.
func BenchmarkFile(b *testing.B) {
	db := storetest.OpenSQLite(b)
	f, wards := benchYear(b, db, 1, 6, 1)
	ctx := context.Background()
	people, _ := org.ListPeople(ctx, db, access.System, org.PersonFilter{UnitID: wards[0].ID})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var fs []inspection.FindingInput
		for j := range 3 {
			fs = append(fs, inspection.FindingInput{ItemID: f.rounds.Items[j].ID, Description: "问题", PersonID: people[j].ID})
		}
		if _, err := inspection.File(ctx, db, f.clerk, inspection.Input{Kind: inspection.WardRound, UnitID: wards[0].ID, ChecklistID: f.rounds.ID,
			InspectedAt: at("2026-12-30 09:00"), Findings: fs}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnitFacts is period close asking one ward's inspections and problems of a month,
// in a database holding a year of 20 wards inspected 20 times a month (14,400 findings).
func BenchmarkUnitFacts(b *testing.B) {
	db := storetest.OpenSQLite(b)
	_, wards := benchYear(b, db, 20, 8, 20)
	ctx := context.Background()
	q := assessment.FactQuery{UnitID: wards[7].ID, Period: "2026-10", From: at("2026-10-01 00:00").UTC(), To: at("2026-11-01 00:00").UTC(), Names: []string{"inspections", "problems"}}
	b.ResetTimer()
	for b.Loop() {
		err := db.Read(ctx, func(tx *store.Tx) error {
			fs, err := inspection.FactSource{}.Facts(ctx, tx, q)
			if err == nil && fs[1].Value != 60 {
				err = fmt.Errorf("problems = %v", fs[1].Value)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPersonMonths is the personal-deductions page for October: 160 care workers, the
// care-deductions scheme evaluated over each one's January to October.
func BenchmarkPersonMonths(b *testing.B) {
	db := storetest.OpenSQLite(b)
	f, _ := benchYear(b, db, 20, 8, 20)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rows, err := inspection.PersonMonths(ctx, db, f.head, "2026-10")
		if err != nil || len(rows) != 160 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}
