package demo

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/inspection"
	"manyi/internal/org"
)

// findingsPerN is the bulk inspection findings a year per unit of N: about ten a team a month.
const findingsPerN = 2000

// scaleChecklist is what the spot checks of the bulk teams check; the first two items charge
// the maintainer whose work was found wanting.
var scaleChecklist = inspection.ChecklistInput{Code: "IMC-SPOT", Name: "维修班组服务标准抽查表", UnitKind: string(org.Team), Items: `M01 | 工单故障原因填写不完整 | 1 | 0.5-2 | person
M02 | 未按约定时间联系报修人 | 2 | 1-3 | person
M03 | 维修现场未清理 | 1
M04 | 工具备件摆放不规范 | 1
M05 | 值班记录不全 | 1`}

// inspections adds the year's spot checks of the bulk teams, as the demo's monthly property
// inspections (inspect): on working days at 10:00, by the clerk, each finding up to five
// problems, one per item; a problem of a charging item is charged to one of the team's
// maintainers and signed off by the centre's head two hours later (still pending if that is
// after the moment of loading). The checklist is saved through the area, as the demo's are.
func (g *scaleGen) inspections(ctx context.Context) error {
	cl, err := inspection.SaveChecklist(ctx, g.b.db, demoClerk, scaleChecklist)
	if err != nil {
		return fmt.Errorf("demo scale: checklist: %w", err)
	}
	type team struct {
		*scaleTeam
		head string
	}
	var teams []team
	for i := range g.centres {
		for j := range g.centres[i].teams {
			teams = append(teams, team{&g.centres[i].teams[j], g.centres[i].head})
		}
	}
	span := int(g.today.Sub(g.start).Hours() / 24)
	for added := 0; added < g.b.total[findingsTable.name]; {
		t := teams[g.rnd.IntN(len(teams))]
		day := g.start.AddDate(0, 0, g.rnd.IntN(span))
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		at := day.Add(10 * time.Hour)
		problems := min(g.rnd.IntN(6), g.b.total[findingsTable.name]-added)
		id := g.id(inspectionsTable)
		g.sum.Inspections++
		if err := g.b.add(ctx, inspectionsTable, id, string(inspection.Routine), t.id, cl.ID, demoClerk.Name, at.UTC(), at.Format("2006-01"), at.Format(time.DateOnly),
			len(cl.Items), spotCheckNote(problems), demoClerk.Name, at.UTC()); err != nil {
			return err
		}
		first := g.rnd.IntN(len(cl.Items))
		for i := range problems {
			it := cl.Items[(first+i)%len(cl.Items)]
			var person any
			signoff, signedBy, signedAt := inspection.NoSignoff, "", any(nil)
			if it.ChargesPerson {
				person, signoff = t.maintainers[g.rnd.IntN(len(t.maintainers))], inspection.Pending
				if signed := at.Add(2 * time.Hour); !signed.After(g.now) {
					signoff, signedBy, signedAt = inspection.Signed, t.head, signed.UTC()
				}
			}
			g.sum.Findings++
			if err := g.b.add(ctx, findingsTable, g.id(findingsTable), id, it.ID, t.id, person, at.Format("2006-01"), it.Text, int64(it.Deduction),
				string(signoff), signedBy, signedAt, at.UTC(), at.UTC()); err != nil {
				return err
			}
		}
		added += problems
	}
	return nil
}

func spotCheckNote(problems int) string {
	if problems == 0 {
		return "维修班组服务标准抽查，未发现问题"
	}
	return fmt.Sprintf("维修班组服务标准抽查，发现 %d 项问题", problems)
}
