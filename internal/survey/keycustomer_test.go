package survey_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/org"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
)

func TestKeyCustomerScore(t *testing.T) {
	for _, tt := range []struct {
		points []int
		best   int
		want   string
		ok     bool
	}{
		{[]int{100, 100, 80}, 100, "93.33", true},
		{[]int{100, 100, 100, 80}, 100, "95.00", true}, // 95 counts as 100 in the scheme, not here
		{[]int{20, 16}, 20, "90.00", true},
		{[]int{2, 1}, 3, "50.00", true},
		{[]int{1, 1, 0}, 3, "22.22", true},
		{[]int{0}, 100, "0.00", true},
		{nil, 100, "", false},
		{[]int{50}, 0, "", false},
	} {
		got, ok := survey.KeyCustomerScore(tt.points, tt.best)
		if got != tt.want || ok != tt.ok {
			t.Errorf("KeyCustomerScore(%v, %d) = %q, %v; want %q, %v", tt.points, tt.best, got, ok, tt.want, tt.ok)
		}
	}
}

// TestKeyCustomerCampaign addresses a department's key customers, answers two of three, and
// reads the questionnaire fact; resident facts do not see those answers.
func TestKeyCustomerCampaign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		dept, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: f.company.ID, Code: "P-CY", Name: "储运中心", Kind: org.Department})
		if err != nil {
			t.Fatal(err)
		}
		var general survey.Template
		ts, _ := survey.ListTemplates(ctx, db)
		for _, x := range ts {
			if x.Code == "general-five-level" {
				general = x
			}
		}
		key := func(units ...survey.CampaignUnitInput) survey.CampaignInput {
			return survey.CampaignInput{Name: "2026 年第四季度重点客户问卷", Quarter: "2026-Q4", Audience: survey.KeyCustomers, TemplateID: general.ID, Units: units}
		}
		for _, bad := range []struct {
			name string
			in   survey.CampaignInput
			want string
		}{
			{"no customers", key(survey.CampaignUnitInput{UnitID: dept.ID}), "重点客户"},
			{"a customer twice", key(survey.CampaignUnitInput{UnitID: dept.ID, Customers: []string{"华中钢铁", "华中钢铁"}}), "华中钢铁"},
			{"customers on a residents' campaign", survey.CampaignInput{Name: "x", Quarter: "2026-Q4", TemplateID: general.ID,
				Units: []survey.CampaignUnitInput{{UnitID: f.area.ID, Customers: []string{"华中钢铁"}}}}, "重点客户"},
			{"unknown audience", survey.CampaignInput{Name: "x", Quarter: "2026-Q4", Audience: "press", TemplateID: general.ID,
				Units: []survey.CampaignUnitInput{{UnitID: f.area.ID}}}, "press"},
		} {
			t.Run(bad.name, func(t *testing.T) {
				before := count(t, db, "SELECT COUNT(*) FROM survey_campaigns")
				_, err := survey.CreateCampaign(ctx, db, f.clerkA, bad.in)
				if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.As(err).Message(locale.ZH), bad.want) {
					t.Fatalf("got %v (%s), want a refusal containing %q", err, errs.As(err).Message(locale.ZH), bad.want)
				}
				if after := count(t, db, "SELECT COUNT(*) FROM survey_campaigns"); after != before {
					t.Fatalf("a refused campaign was stored: %d → %d", before, after)
				}
			})
		}
		c, err := survey.CreateCampaign(ctx, db, f.clerkA, key(survey.CampaignUnitInput{UnitID: dept.ID, Customers: []string{"华中钢铁", " 长江航运 ", "武汉粮油"}}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Audience != survey.KeyCustomers || len(c.Units) != 1 || c.Units[0].Households != 3 || c.Units[0].ThresholdBP != 0 {
			t.Fatalf("campaign: %+v", c)
		}
		invs, err := survey.ListInvitations(ctx, db, f.clerkA, c.ID, survey.InvitationFilter{UnitID: dept.ID, Limit: 10})
		if err != nil || len(invs) != 3 || invs[1].Household != "长江航运" {
			t.Fatalf("invitations: %+v %v", invs, err)
		}
		facts := func(unitID int64, names ...string) map[string]assessment.Fact {
			out := map[string]assessment.Fact{}
			first, last, _ := survey.QuarterBounds("2026-Q4")
			err := db.Read(ctx, func(tx *store.Tx) error {
				got, err := survey.FactSource{}.Facts(ctx, tx, assessment.FactQuery{UnitID: unitID, Period: "2026-Q4", From: first.UTC(), To: last.AddDate(0, 0, 1).UTC(), Names: names})
				for _, g := range got {
					out[g.Name] = g
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		none := facts(dept.ID, "questionnaire", "questionnaire_missing")
		if none["questionnaire_missing"].Value != true || none["questionnaire"].Value != json.Number("0") {
			t.Fatalf("no answers yet: %+v", none)
		}
		for i, level := range []string{"1", "2"} { // 非常满意 100, 满意 80
			if _, err := survey.SubmitOnline(ctx, db, invs[i].Code, overall(level), "", "client-k"); err != nil {
				t.Fatal(err)
			}
		}
		got := facts(dept.ID, "questionnaire", "questionnaire_missing", "survey", "valid")
		if got["questionnaire"].Value != json.Number("90.00") || got["questionnaire_missing"].Value != false || len(got["questionnaire"].Records) != 2 ||
			!strings.Contains(got["questionnaire"].Records[0].Summary, "华中钢铁") {
			t.Fatalf("questionnaire: %+v", got)
		}
		if bands := got["survey"].Value.([]int); len(bands) != 0 || got["valid"].Value != 0 {
			t.Fatalf("resident facts counted key-customer answers: %+v", got)
		}
		// The survey-quarterly view of the quarter covers the residents' areas, not the department.
		if err := assessment.SeedSchemes(ctx, db); err != nil {
			t.Fatal(err)
		}
		v, err := survey.QuarterResults(ctx, db, f.clerkA, "2026-Q4")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range v.Units {
			if u.UnitID == dept.ID {
				t.Fatalf("the survey-quarterly view lists the department: %+v", v.Units)
			}
		}
		if len(v.Units) != 2 {
			t.Fatalf("the survey-quarterly view: %+v", v.Units)
		}
	})
}
