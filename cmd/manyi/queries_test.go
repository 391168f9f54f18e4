package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/booking"
	"manyi/internal/complaint"
	"manyi/internal/improvement"
	"manyi/internal/inspection"
	"manyi/internal/org"
	"manyi/internal/sampling"
	"manyi/internal/store"
	"manyi/internal/survey"
)

// listPages are the staff list pages and who opens them; each must load what it shows in a
// fixed number of queries, however many rows there are.
var listPages = []struct{ user, path string }{
	{"admin", "/org"}, {"admin", "/org/people"}, {"admin", "/org/users"}, {"admin", "/audit"},
	{"clerk", "/assessment"}, {"clerk", "/assessment/evidence"}, {"clerk", "/assessment/schemes"},
	{"clerk", "/complaints"}, {"clerk", "/complaints/notifications"}, {"clerk", "/complaints/stats"}, {"clerk", "/calendar"},
	{"clerk", "/inspections"}, {"clerk", "/inspections/checklists"}, {"clerk", "/inspections/checks"},
	{"clerk", "/inspections/duty"}, {"clerk", "/inspections/findings"}, {"clerk", "/inspections/notifications"},
	{"clerk", "/inspections/people"}, {"clerk", "/inspections/units"}, {"clerk", "/sampling"},
	{"clerk", "/surveys"}, {"clerk", "/surveys/answers"}, {"clerk", "/surveys/entry"}, {"clerk", "/surveys/followups"},
	{"clerk", "/surveys/improper"}, {"clerk", "/surveys/templates"},
	{"clerk", "/workorders"}, {"clerk", "/workorders/daily"}, {"clerk", "/workorders/duty"}, {"clerk", "/workorders/followups"},
	{"clerk", "/improvements"}, {"clerk", "/workorders/monthly"}, {"clerk", "/meetings"},
	{"clerk", "/bookings"}, {"clerk", "/projects"}, {"admin", "/webhooks"},
	{"dispatcher1", "/workorders/queue"}, {"foreman.net", "/workorders/self"}, {"head.yongxin", "/surveys"},
	{"head.yongxin", "/complaints"}, {"staff1", "/workorders/monthly"},
	// Every role's home page counts what it shows in a fixed number of queries too.
	{"admin", "/"}, {"clerk", "/"}, {"committee", "/"}, {"head.yongxin", "/"}, {"dispatcher1", "/"},
	{"foreman.net", "/"}, {"staff1", "/"},
}

// TestListPagesQueryCount counts the SQL statements of every list page on the demo, adds
// rows of every kind those pages list (people with roles, survey campaigns, checklists,
// complaints, a sampling plan and its draw), and counts again: a page whose count grew runs a
// query per row.
func TestListPagesQueryCount(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, d store.Dialect) {
		m := MustRunMain(t, d)
		clients := map[string]*client{}
		for _, p := range listPages {
			if clients[p.user] != nil {
				continue
			}
			c := newClient(t, m.URL())
			if p.user == "admin" {
				c.login("admin", testAdminPassword)
			} else {
				c.login(p.user, "manyi-demo-2026")
			}
			clients[p.user] = c
		}
		count := func() map[string]int64 {
			out := map[string]int64{}
			for _, p := range listPages {
				before := m.DB.Statements()
				if status, body := clients[p.user].get(p.path); status != http.StatusOK {
					t.Fatalf("%s as %s: %d %.200s", p.path, p.user, status, body)
				}
				out[p.user+" "+p.path] = m.DB.Statements() - before
			}
			return out
		}
		small := count()
		growLists(t, m.DB)
		large := count()
		for _, p := range listPages {
			if k := p.user + " " + p.path; large[k] != small[k] {
				t.Errorf("%s: %d statements, %d after more rows were added: a query per row", k, small[k], large[k])
			}
		}
		t.Logf("statements per page: %v", large)
	})
}

// growLists adds a few rows of every kind the list pages show, through the area functions.
func growLists(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	actor := access.System
	units, err := org.ListUnits(ctx, db, actor, org.UnitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var areas []int64
	for _, u := range units {
		if u.Kind == org.Area {
			areas = append(areas, u.ID)
		}
	}
	if len(areas) == 0 {
		t.Fatal("the demo has no area")
	}
	for i := range 3 {
		p, err := org.CreatePerson(ctx, db, actor, org.PersonInput{UnitID: areas[0], Name: fmt.Sprintf("增员%d", i), Title: "管家"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := org.SetGrants(ctx, db, actor, p.ID, []access.Grant{{Role: access.Staff, UnitID: areas[0]}}); err != nil {
			t.Fatal(err)
		}
		if _, err := complaint.Register(ctx, db, actor, complaint.Input{UnitID: areas[0], Channel: complaint.Phone,
			Category: complaint.Process, Complainant: "业主", Contact: "13800001111", Description: fmt.Sprintf("楼道灯不亮 %d", i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := inspection.SaveChecklist(ctx, db, actor, inspection.ChecklistInput{Code: fmt.Sprintf("GROW-%d", i),
			Name: "增补检查表", Items: "G1 | 地面清洁 | 1\nG2 | 标识完好 | 1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := improvement.RaiseDirect(ctx, db, actor, improvement.Input{UnitID: areas[0], Title: fmt.Sprintf("增补改善 %d", i),
			Problem: "楼道灯不亮", Owner: "管家", DueOn: time.Now().AddDate(0, 0, 3+i).Format("2006-01-02")}); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(time.Duration(i+1) * time.Hour)
		if _, err := booking.Register(ctx, db, actor, booking.Input{UnitID: areas[0], Channel: booking.Phone, Customer: "业主",
			Phone: "13800002222", Service: fmt.Sprintf("上门维修 %d", i), WindowStart: at, WindowEnd: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	tpls, err := survey.ListTemplates(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		q := survey.QuarterOf(time.Now().AddDate(-2-i, 0, 0))
		if _, err := survey.CreateCampaign(ctx, db, actor, survey.CampaignInput{Name: "增补调查 " + q, Quarter: q,
			TemplateID: tpls[0].ID, Units: []survey.CampaignUnitInput{{UnitID: areas[i%len(areas)]}}}); err != nil {
			t.Fatal(err)
		}
	}
	week, err := sampling.LatestWeek(ctx, db)
	if err != nil || week == "" {
		t.Fatalf("no sampling week in the demo: %v", err)
	}
	plan, err := sampling.SavePlan(ctx, db, actor, sampling.PlanInput{Code: "GROW", Name: "增补抽查", Source: sampling.FromImport, MinCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sampling.DrawWeek(ctx, db, actor, sampling.DrawInput{PlanID: plan.ID, Week: week, Population: "a,甲\nb,乙\nc,丙"}); err != nil {
		t.Fatal(err)
	}
}
