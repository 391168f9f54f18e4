package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
	"manyi/internal/survey"
)

// checkLogistics reads the demo's §3 evidence of the last complete quarter: the work group's
// board lists the seven reporting departments (not the HR department hosting the group), and the
// facts the sources give, weighted 40/30/30, make 储运中心 excellent and 武汉业务部 fail.
func checkLogistics(t *testing.T, ctx context.Context, db *store.DB) {
	t.Helper()
	now := db.Now().In(inspection.Zone)
	first := time.Date(now.Year(), now.Month()-(now.Month()-1)%3-3, 1, 0, 0, 0, 0, inspection.Zone)
	quarter := inspection.QuarterOf(first.Format("2006-01"))
	units, err := org.ListUnits(ctx, db, access.System, org.UnitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]org.Unit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	board, err := inspection.QuarterReports(ctx, db, access.Principal{Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}, byCode["LOG"].ID, quarter)
	if err != nil || len(board) != 7 {
		t.Fatalf("the %s board: %d departments, %v", quarter, len(board), err)
	}
	filed := 0
	for _, d := range board {
		for _, m := range d.Months {
			if m.Self != nil {
				filed++
			}
		}
	}
	if filed < 20 {
		t.Errorf("the %s board has %d self-check reports, want the seven departments' three months", quarter, filed)
	}
	sch, err := scheme.Builtin("dept-quarterly-weighted")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range sch.Facts {
		if f.Name != "weights" {
			names = append(names, f.Name)
		}
	}
	grade := func(code string) string {
		facts := map[string]any{"weights": map[string]any{"self": 40, "survey": 30, "complaints": 30}}
		q := assessment.FactQuery{UnitID: byCode[code].ID, Period: quarter, From: first.UTC(), To: first.AddDate(0, 3, 0).UTC(), Names: names}
		err := db.Read(ctx, func(tx *store.Tx) error {
			for _, s := range []assessment.Source{complaint.FactSource{}, inspection.FactSource{}, survey.FactSource{}} {
				got, err := s.Facts(ctx, tx, q)
				if err != nil {
					return err
				}
				for _, f := range got {
					facts[f.Name] = f.Value
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"subjects": []any{map[string]any{"id": code, "periods": map[string]any{quarter: facts}}}})
		in, err := scheme.ParseFacts(b)
		if err != nil {
			t.Fatalf("%s facts: %v", code, err)
		}
		rs, err := sch.Evaluate(in...)
		if err != nil || rs[0].Grade == nil {
			t.Fatalf("%s %s: %+v %v (facts %s)", code, quarter, rs, err, b)
		}
		return fmt.Sprintf("%s %s", rs[0].Grade.Code, rs[0].Total)
	}
	if g := grade("LOG-CY"); g[:9] != "excellent" {
		t.Errorf("储运中心 %s: %s, want excellent", quarter, g)
	}
	if g := grade("LOG-WH"); g[:4] != "fail" {
		t.Errorf("武汉业务部 %s: %s, want fail", quarter, g)
	}
}
