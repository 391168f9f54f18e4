package sampling_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/sampling"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func members(n int, strata ...string) []sampling.Member {
	out := make([]sampling.Member, n)
	for i := range out {
		out[i] = sampling.Member{Ref: fmt.Sprintf("R%03d", i), Label: fmt.Sprint(i)}
		if len(strata) > 0 {
			out[i].Stratum = strata[i%len(strata)]
		}
	}
	return out
}

func TestQuota(t *testing.T) {
	for _, tt := range []struct {
		name      string
		count, bp int
		strata    []string
		pop       []sampling.Member
		want      int
	}{
		{"ten tickets", 10, 0, nil, members(80), 10},
		{"5 % of 120 trainees", 0, 500, nil, members(120), 6},
		{"5 % of 101 rounds up", 0, 500, nil, members(101), 6},
		{"two projects covering four stages", 2, 0, []string{"A", "B", "C", "D"}, members(9, "A", "B", "C", "D"), 4},
		{"two projects, only two stages present", 2, 0, []string{"A", "B", "C", "D"}, members(9, "A", "C"), 2},
	} {
		if got := sampling.Quota(tt.count, tt.bp, tt.strata, tt.pop); got != tt.want {
			t.Errorf("%s: quota %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestDrawReproducibleAndStratified(t *testing.T) {
	pop := members(40, "A", "B", "C", "D")
	a := sampling.Draw(pop, 4, 42, []string{"A", "B", "C", "D"})
	// The same population in another order and the same seed give the same sample.
	rev := append([]sampling.Member(nil), pop...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	b := sampling.Draw(rev, 4, 42, []string{"A", "B", "C", "D"})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("draw depends on the population's order: %v vs %v", a, b)
	}
	seen := map[string]bool{}
	for _, m := range a {
		seen[m.Stratum] = true
	}
	if len(seen) != 4 {
		t.Fatalf("four draws do not cover the four stages: %v", a)
	}
	if c := sampling.Draw(pop, 4, 43, []string{"A", "B", "C", "D"}); fmt.Sprint(c) == fmt.Sprint(a) {
		t.Fatalf("another seed gives the same sample: %v", c)
	}
	if all := sampling.Draw(pop, 40, 1, nil); len(all) != 40 {
		t.Fatalf("drawing the whole population gives %d", len(all))
	}
}

func TestWeekDays(t *testing.T) {
	for week, want := range map[string]string{"2026-W47": "2026-11-16..2026-11-22", "2026-W01": "2025-12-29..2026-01-04", "2027-W01": "2027-01-04..2027-01-10"} {
		from, to, err := sampling.WeekDays(week)
		if err != nil || from+".."+to != want {
			t.Errorf("%s: %s..%s %v, want %s", week, from, to, err, want)
		}
	}
	if _, _, err := sampling.WeekDays("2026-47"); !errs.Is(err, errs.Invalid) {
		t.Errorf("bad week accepted: %v", err)
	}
}

func TestParsePopulation(t *testing.T) {
	pop, err := sampling.ParsePopulation("ref,label,stratum\nP1,项目一,A\nP2,\"项目,二\",B\n\n", []string{"A", "B", "C", "D"})
	if err != nil || len(pop) != 2 || pop[1].Label != "项目,二" {
		t.Fatalf("population: %+v %v", pop, err)
	}
	_, err = sampling.ParsePopulation("P1,项目一,A\nP1,重复,B\nP3,,A\nP4,项目四,E\n", []string{"A", "B", "C", "D"})
	msg := errs.As(err).Message(locale.ZH)
	if !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "2 (P1)") || !strings.Contains(msg, "3") || !strings.Contains(msg, "4 (E)") {
		t.Fatalf("bad rows: %v", msg)
	}
	if _, err := sampling.ParsePopulation("\n", nil); !errs.Is(err, errs.Invalid) {
		t.Fatalf("empty population accepted: %v", err)
	}
}

func TestDrawWeek(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC) }
		clerk := access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
		staff := access.Principal{Username: "s", Grants: []access.Grant{{Role: access.Staff}}}
		if _, err := sampling.SavePlan(ctx, db, staff, sampling.PlanInput{Code: "X", Name: "x", Source: sampling.FromImport, MinCount: 1}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("plan by staff: %v", err)
		}
		if _, err := sampling.SavePlan(ctx, db, clerk, sampling.PlanInput{Code: "X", Name: "x", Source: sampling.FromImport}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("plan without quota: %v", err)
		}
		plan, err := sampling.SavePlan(ctx, db, clerk, sampling.PlanInput{Code: "IMPL", Name: "实施项目", Source: sampling.FromImport, MinCount: 2, Strata: "A,B,C,D"})
		if err != nil {
			t.Fatal(err)
		}
		pop := "P1,一,A\nP2,二,A\nP3,三,B\nP4,四,C\nP5,五,D\nP6,六,D\n"
		if _, err := sampling.DrawWeek(ctx, db, clerk, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: pop, Size: 7}); !errs.Is(err, errs.Invalid) ||
			!strings.Contains(errs.As(err).Message(locale.ZH), "样本量 7 大于总体数量 6") {
			t.Fatalf("sample larger than its population: %v", err)
		}
		seed := int64(7)
		s, err := sampling.DrawWeek(ctx, db, clerk, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: pop, Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		if s.Quota != 4 || s.Size != 4 || s.Met() {
			t.Fatalf("sample: quota %d size %d met %v", s.Quota, s.Size, s.Met())
		}
		if _, err := sampling.DrawWeek(ctx, db, clerk, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: pop}); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second draw of the week: %v", err)
		}
		if err := sampling.CheckItem(ctx, db, clerk, s.Items[0].ID, "problem", ""); !errs.Is(err, errs.Invalid) {
			t.Fatalf("problem without a note: %v", err)
		}
		for i, it := range s.Items {
			if err := sampling.CheckItem(ctx, db, clerk, it.ID, map[bool]string{true: "problem", false: "ok"}[i == 0], "记录缺签字"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := sampling.GetSample(ctx, db, clerk, s.ID)
		if err != nil || !got.Met() || got.Problems() != 1 || !sampling.Verify(got) || len(got.Population) != 6 {
			t.Fatalf("stored sample: %+v %v", got, err)
		}
		got.Seed++
		if sampling.Verify(got) {
			t.Fatal("a changed seed still verifies")
		}
		wk, err := sampling.Report(ctx, db, clerk, "2026-W47")
		if err != nil || !wk.Met() {
			t.Fatalf("week report: %+v %v", wk, err)
		}
		// The sample and the GM report show the whole organisation's population: a role
		// limited to a unit, or a role outside quality supervision, is refused.
		for _, p := range []access.Principal{staff, {Grants: []access.Grant{{Role: access.Clerk, UnitID: 2}}},
			{Grants: []access.Grant{{Role: access.UnitHead, UnitID: 2}}}} {
			if _, err := sampling.Report(ctx, db, p, "2026-W47"); !errs.Is(err, errs.Forbidden) {
				t.Errorf("report for %+v: %v, want forbidden", p.Grants, err)
			}
			if _, err := sampling.GetSample(ctx, db, p, s.ID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("sample for %+v: %v, want forbidden", p.Grants, err)
			}
		}
		committee := access.Principal{Grants: []access.Grant{{Role: access.Committee}}}
		if _, err := sampling.GetSample(ctx, db, committee, s.ID); err != nil {
			t.Errorf("the committee reads the sample: %v", err)
		}
		x, err := wk.XLSX(func(k string) string { return k })
		if err != nil || len(x) < 1000 {
			t.Fatalf("xlsx: %d %v", len(x), err)
		}
	})
}

// BenchmarkDraw draws ten tickets from a week of 10,000 in four strata.
func BenchmarkDraw(b *testing.B) {
	pop := members(10000, "A", "B", "C", "D")
	for i := 0; b.Loop(); i++ {
		if got := sampling.Draw(pop, 10, int64(i), []string{"A", "B", "C", "D"}); len(got) != 10 {
			b.Fatal(len(got))
		}
	}
}

// TestRefusals: a plan, a draw and a check refused with the field named, nothing stored.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC) }
		clerk := access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
		staff := access.Principal{Username: "s", Grants: []access.Grant{{Role: access.Staff}}}
		ok := sampling.PlanInput{Code: "CT", Name: "合同", Source: sampling.FromImport, MinCount: 5}
		for _, c := range []struct {
			name  string
			edit  func(*sampling.PlanInput)
			field string
		}{
			{"no code", func(p *sampling.PlanInput) { p.Code = " " }, "plan_code"},
			{"code with a slash", func(p *sampling.PlanInput) { p.Code = "a/b" }, "plan_code"},
			{"no name", func(p *sampling.PlanInput) { p.Name = "" }, "plan_name"},
			{"name too long", func(p *sampling.PlanInput) { p.Name = strings.Repeat("长", 101) }, "plan_name"},
			{"unknown source", func(p *sampling.PlanInput) { p.Source = "mail" }, "plan_source"},
			{"count out of range", func(p *sampling.PlanInput) { p.MinCount = -1 }, "min_count"},
			{"percent out of range", func(p *sampling.PlanInput) { p.MinBP = 10001 }, "min_percent"},
			{"21 strata", func(p *sampling.PlanInput) {
				var s []string
				for i := range 21 {
					s = append(s, fmt.Sprint("S", i))
				}
				p.Strata = strings.Join(s, ",")
			}, "strata"},
		} {
			in := ok
			c.edit(&in)
			_, err := sampling.SavePlan(ctx, db, clerk, in)
			if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Field != c.field {
				t.Errorf("%s: got %v, want invalid %s", c.name, err, c.field)
			}
		}
		if plans, err := sampling.PlanPage(ctx, db, clerk, store.Page{Limit: 10}); err != nil || len(plans) != 0 {
			t.Fatalf("refused plans stored: %v %v", plans, err)
		}
		plan, err := sampling.SavePlan(ctx, db, clerk, ok)
		if err != nil {
			t.Fatal(err)
		}
		pop := "C1,一\nC2,二\nC3,三\nC4,四\nC5,五\n"
		for _, c := range []struct {
			name  string
			actor access.Principal
			in    sampling.DrawInput
			code  errs.Code
		}{
			{"staff drawing", staff, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: pop}, errs.Forbidden},
			{"unknown plan", clerk, sampling.DrawInput{PlanID: 999999, Week: "2026-W47", Population: pop}, errs.Invalid},
			{"negative size", clerk, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: pop, Size: -1}, errs.Invalid},
			{"empty population", clerk, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: " "}, errs.Invalid},
			{"population line without a label", clerk, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: "C1\n"}, errs.Invalid},
		} {
			if _, err := sampling.DrawWeek(ctx, db, c.actor, c.in); !errs.Is(err, c.code) {
				t.Errorf("%s: got %v, want %s", c.name, err, c.code)
			}
		}
		s, err := sampling.DrawWeek(ctx, db, clerk, sampling.DrawInput{PlanID: plan.ID, Week: "2026-W47", Population: pop})
		if err != nil {
			t.Fatal(err)
		}
		item := s.Items[0].ID
		for _, c := range []struct {
			name         string
			actor        access.Principal
			id           int64
			result, note string
			code         errs.Code
		}{
			{"staff checking", staff, item, "ok", "", errs.Forbidden},
			{"unknown result", clerk, item, "maybe", "", errs.Invalid},
			{"note too long", clerk, item, "ok", strings.Repeat("长", 1001), errs.Invalid},
			{"unknown item", clerk, 999999, "ok", "", errs.NotFound},
		} {
			if err := sampling.CheckItem(ctx, db, c.actor, c.id, c.result, c.note); !errs.Is(err, c.code) {
				t.Errorf("%s: got %v, want %s", c.name, err, c.code)
			}
		}
		if got, err := sampling.GetSample(ctx, db, clerk, s.ID); err != nil || got.Items[0].Result != "" {
			t.Fatalf("a refused check changed the item: %+v %v", got.Items[0], err)
		}
	})
}
