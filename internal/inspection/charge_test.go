package inspection_test

import (
	"context"
	"slices"
	"testing"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/inspection"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

// TestChargeable: the form offers the inspected unit's subtree and one unit's active people;
// a finding charging someone outside the inspected unit is refused on charged_person, in both
// languages, and stores nothing.
func TestChargeable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		bed, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: f.ward.ID, Code: "BQ1-A", Name: "一病区甲组", Kind: org.Team})
		if err != nil {
			t.Fatal(err)
		}
		nurse, err := org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: bed.ID, Name: "王护士", Title: "护士"})
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := org.CreatePerson(ctx, db, access.System, org.PersonInput{UnitID: f.area.ID, Name: "赵管家", Title: "管家"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := inspection.ChargeablePeople(ctx, db, f.clerk, f.ward.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var units []int64
		for _, u := range c.Units {
			units = append(units, u.ID)
		}
		if !slices.Equal(units, []int64{f.ward.ID, bed.ID}) || c.Units[0].Depth != 0 || c.Units[1].Depth != 1 || c.UnitID != f.ward.ID {
			t.Errorf("units under the ward: %+v", c.Units)
		}
		var people []string
		for _, p := range c.People {
			people = append(people, p.Name)
		}
		if want := []string{"张护理", "李护理"}; !slices.Equal(people, want) {
			t.Errorf("people of the ward: %v, want %v (not the team's nurse)", people, want)
		}
		if c, err := inspection.ChargeablePeople(ctx, db, f.clerk, f.ward.ID, bed.ID); err != nil || len(c.People) != 1 || c.People[0].ID != nurse.ID {
			t.Errorf("people of the ward's team: %+v %v", c.People, err)
		}
		for _, tt := range []struct {
			name          string
			actor         access.Principal
			unit, workers int64
			code          errs.Code
			field         string
		}{
			{"a unit beside the inspected one", f.clerk, f.ward.ID, f.area.ID, errs.Invalid, "charged_unit"},
			{"a unit that does not exist", f.clerk, 999999, 0, errs.NotFound, ""},
			{"staff", f.staff, f.ward.ID, 0, errs.Forbidden, ""},
		} {
			_, err := inspection.ChargeablePeople(ctx, db, tt.actor, tt.unit, tt.workers)
			if e := errs.As(err); e == nil || e.Code != tt.code || e.Field != tt.field {
				t.Errorf("%s: %v, want %s %q", tt.name, err, tt.code, tt.field)
			}
		}

		in := inspection.Input{Kind: inspection.WardRound, UnitID: f.ward.ID, ChecklistID: f.rounds.ID, InspectedAt: at("2026-11-18 09:00"),
			Findings: []inspection.FindingInput{{ItemID: f.rounds.Items[0].ID, Description: "3 床未翻身", PersonID: stranger.ID}}}
		_, err = inspection.File(ctx, db, f.clerk, in)
		e := errs.As(err)
		if e == nil || e.Code != errs.Invalid || e.Field != "charged_person" {
			t.Fatalf("charging a person of another unit: %v", err)
		}
		for lang, want := range map[locale.Lang]string{
			locale.ZH: "责任人（赵管家）不在被检查单位或其下级单位工作",
			locale.EN: "Person charged (赵管家) does not work in the inspected unit or a unit under it",
		} {
			if got := e.Message(lang); got != want {
				t.Errorf("%s message %q, want %q", lang, got, want)
			}
		}
		if list, err := inspection.List(ctx, db, f.clerk, inspection.Filter{}); err != nil || len(list) != 0 {
			t.Fatalf("the refused inspection was stored: %d %v", len(list), err)
		}
		in.Findings[0].PersonID = nurse.ID
		ins, err := inspection.File(ctx, db, f.clerk, in)
		if err != nil {
			t.Fatalf("charging a nurse of the ward's team: %v", err)
		}
		_, err = inspection.AddFinding(ctx, db, f.clerk, ins.ID, inspection.FindingInput{ItemID: f.rounds.Items[1].ID, Description: "记录不全", PersonID: stranger.ID})
		if e := errs.As(err); e == nil || e.Field != "charged_person" {
			t.Fatalf("adding a finding charging a person of another unit: %v", err)
		}
	})
}
