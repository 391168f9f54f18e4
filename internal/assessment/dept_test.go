package assessment_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/scheme"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
	"manyi/internal/survey"
)

// TestDeptQuarterFacts records docs/policies.md §3's worked example as evidence in the areas that own
// it, gathers dept-quarterly-weighted's facts through the registered sources (the way the
// close does), and evaluates the scheme with the example's weights 40/30/30: self-checks
// 94, 95, 93 with August spot-checked at 93 (92), five key customers at 96 (→ 100), two valid
// complaints (80), one untrue callback record (−1): 89.8, fail, 5,000 yuan.
func TestDeptQuarterFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var now time.Time
		db.Now = func() time.Time { return now }
		day := func(s string) time.Time {
			t, _ := time.ParseInLocation("2006-01-02 15:04", s, assessment.Zone)
			return t
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		group := access.Principal{Username: "workgroup", Grants: []access.Grant{{Role: access.Clerk}}}
		now = day("2026-07-01 09:00")
		co, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{Code: "LOG", Name: "物流公司", Kind: org.Company})
		must(err)
		dept, err := org.CreateUnit(ctx, db, access.System, org.UnitInput{ParentID: co.ID, Code: "LOG-CY", Name: "储运中心", Kind: org.Department})
		must(err)
		self := func(month string, score inspection.Points) {
			t.Helper()
			_, err := inspection.File(ctx, db, group, inspection.Input{Kind: inspection.SelfCheck, UnitID: dept.ID, Score: &score, Month: month, Quarter: "2026-Q3", Note: "部门自查表"})
			must(err)
		}
		now = day("2026-08-03 09:00")
		self("2026-07", 9400)
		now = day("2026-09-03 09:00")
		self("2026-08", 9500)
		spot := inspection.Points(9300)
		_, err = inspection.File(ctx, db, group, inspection.Input{Kind: inspection.SpotCheck, UnitID: dept.ID, Score: &spot, Month: "2026-08", Note: "抽查台账与系统数据"})
		must(err)

		must(survey.SeedTemplates(ctx, db))
		ts, err := survey.ListTemplates(ctx, db)
		must(err)
		var general survey.Template
		for _, x := range ts {
			if x.Code == "general-five-level" {
				general = x
			}
		}
		c, err := survey.CreateCampaign(ctx, db, group, survey.CampaignInput{Name: "第三季度重点客户问卷", Quarter: "2026-Q3", Audience: survey.KeyCustomers, TemplateID: general.ID,
			Units: []survey.CampaignUnitInput{{UnitID: dept.ID, Customers: []string{"华中钢铁", "长江航运", "武汉粮油", "东风物流", "楚天化工"}}}})
		must(err)
		invs, err := survey.ListInvitations(ctx, db, group, c.ID, survey.InvitationFilter{UnitID: dept.ID, Limit: 10})
		must(err)
		for i, level := range []string{"1", "1", "1", "1", "2"} { // 100 ×4, 80: 96
			_, err := survey.SubmitOnline(ctx, db, invs[i].Code, survey.AnswerInput{Values: map[string][]string{"overall": {level}}}, "", "k")
			must(err)
		}
		for _, d := range []string{"2026-08-12 10:00", "2026-09-02 15:00"} {
			cp, err := complaint.Register(ctx, db, group, complaint.Input{UnitID: dept.ID, Channel: complaint.Phone, Category: complaint.Process, Complainant: "客户", Description: "提货单据错误", ReceivedAt: day(d)})
			must(err)
			_, err = complaint.Act(ctx, db, group, cp.ID, complaint.Action{Verb: complaint.Classify, Class: complaint.Valid, Text: "属实"})
			must(err)
		}

		now = day("2026-10-08 09:00")
		self("2026-09", 9300)
		cl, err := inspection.SaveChecklist(ctx, db, group, inspection.ChecklistInput{Code: "LOG-CB", Name: "回访记录抽查", Items: "CB1 | 回访记录与实际不符 | 1 | 0.5-1"})
		must(err)
		// The audit is made on 8 October, of September's callback records: it counts in Q3.
		_, err = inspection.File(ctx, db, group, inspection.Input{Kind: inspection.CallbackAudit, UnitID: dept.ID, ChecklistID: cl.ID, Month: "2026-09",
			Findings: []inspection.FindingInput{{ItemID: cl.Items[0].ID, Description: "9 月 12 日回访记录客户称未接到电话"}}})
		must(err)

		sch, err := scheme.Builtin("dept-quarterly-weighted")
		must(err)
		var names []string
		for _, f := range sch.Facts {
			if f.Name != "weights" {
				names = append(names, f.Name)
			}
		}
		facts := map[string]any{"weights": map[string]any{"self": 40, "survey": 30, "complaints": 30}}
		records := map[string]int{}
		q := assessment.FactQuery{UnitID: dept.ID, Period: "2026-Q3", From: day("2026-07-01 00:00").UTC(), To: day("2026-10-01 00:00").UTC(), Names: names}
		must(db.Read(ctx, func(tx *store.Tx) error {
			for _, s := range []assessment.Source{complaint.FactSource{}, inspection.FactSource{}, survey.FactSource{}} {
				got, err := s.Facts(ctx, tx, q)
				if err != nil {
					return err
				}
				for _, f := range got {
					facts[f.Name], records[f.Name] = f.Value, len(f.Records)
				}
			}
			return nil
		}))
		for _, n := range names {
			if _, ok := facts[n]; !ok {
				t.Fatalf("no source gave %s: %v", n, facts)
			}
		}
		if records["self_checks"] != 3 || records["spot_checks"] != 1 || records["questionnaire"] != 5 || records["complaints_valid"] != 2 || records["callback_deductions"] != 1 {
			t.Fatalf("drill-down records: %v", records)
		}
		b, err := json.Marshal(map[string]any{"subjects": []any{map[string]any{"id": "LOG-CY", "periods": map[string]any{"2026-Q3": facts}}}})
		must(err)
		in, err := scheme.ParseFacts(b)
		must(err)
		rs, err := sch.Evaluate(in...)
		must(err)
		r := rs[0]
		if r.Status != scheme.Scored || r.Total.String() != "89.8" || r.Grade.Code != "fail" || r.Money["penalty"].String() != "5000" {
			t.Fatalf("result: %s %v %v %v (facts %s)", r.Status, r.Total, r.Grade, r.Money, b)
		}
	})
}
