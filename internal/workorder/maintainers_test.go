package workorder_test

import (
	"context"
	"slices"
	"testing"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/workorder"
)

// TestMaintainerPicker: the form's teams are those the user registers for, a team's
// maintainers are its active people only, and registering names a maintainer of the chosen
// team or is refused on the maintainer field, storing nothing.
func TestMaintainerPicker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		other := f.unit(t, f.centre.ID, "IMC-ZD", org.Team)
		outsider := f.person(t, other.ID, "维修人丙")
		retired := f.person(t, f.team.ID, "维修人丁")
		off := false
		if _, err := org.UpdatePerson(ctx, db, access.System, retired.ID, org.PersonPatch{Active: &off}); err != nil {
			t.Fatal(err)
		}
		unitIDs := func(us []org.Unit) (out []int64) {
			for _, u := range us {
				out = append(out, u.ID)
			}
			return out
		}
		for _, c := range []struct {
			who  string
			p    access.Principal
			want []int64
		}{
			{"dispatcher", f.disp1, []int64{f.team.ID, other.ID}},
			{"foreman", f.foreman, []int64{f.team.ID}},
			{"maintainer", f.maint, nil},
		} {
			if got, err := workorder.RegisterTeams(ctx, db, c.p); err != nil || !slices.Equal(unitIDs(got), c.want) {
				t.Errorf("teams of the %s: %v %v, want %v", c.who, unitIDs(got), err, c.want)
			}
		}
		people, err := workorder.Maintainers(ctx, db, f.disp1, f.team.ID)
		var names []string
		for _, p := range people {
			names = append(names, p.Name)
		}
		// By name (维修人乙 sorts before 维修人甲); not the inactive one, not another team's.
		if want := []string{"工长", "维修人乙", "维修人甲"}; err != nil || !slices.Equal(names, want) {
			t.Errorf("maintainers of the team: %v %v, want %v", names, err, want)
		}
		_, err = workorder.Maintainers(ctx, db, f.foreman, other.ID)
		wantCode(t, err, errs.Forbidden, "a foreman listing another team")
		_, err = workorder.Maintainers(ctx, db, f.clerk, f.centre.ID)
		if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Field != "team" {
			t.Errorf("maintainers of a centre: %v, want invalid team", err)
		}
		_, err = workorder.Maintainers(ctx, db, f.clerk, 999999)
		wantCode(t, err, errs.NotFound, "maintainers of a unit that does not exist")

		for _, c := range []struct {
			name       string
			maintainer int64
		}{{"another team's maintainer", outsider.ID}, {"an inactive maintainer", retired.ID}, {"nobody", 999999}} {
			_, err := workorder.Register(ctx, db, f.disp1, workorder.Input{Reporter: "王老师", Phone: "13800001111", Location: "3号楼", Device: "交换机",
				Fault: "网络不通", TeamID: f.team.ID, MaintainerID: c.maintainer, ReportedAt: f.at("2026-10-15 08:00")})
			if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Field != "maintainer" || e.Key != "wo.not_in_team" {
				t.Errorf("%s: %v, want invalid maintainer", c.name, err)
			}
		}
		if n := count(t, db, "SELECT COUNT(*) FROM work_orders"); n != 0 {
			t.Fatalf("refused orders stored %d rows", n)
		}
	})
}
