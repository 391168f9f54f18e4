package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"manyi/internal/access"
	"manyi/internal/project"
)

// projects fills the engineering project register with a year of projects ending today,
// about five a month over the three offices, so that the targets page has every case: plans
// filed late or not at all, first acceptance inspections failed, and one contract not
// fulfilled. The engineering management department's clerk keeps the register and approves
// the major projects' plans; dates follow the day the demo is loaded.
func (l *loader) projects(ctx context.Context, prev error) error {
	if prev != nil {
		return prev
	}
	clerk := access.Principal{Username: "clerk.eng", Name: "谢振东", Grants: []access.Grant{{Role: access.Clerk, UnitID: l.units["ENG"].ID}}}
	rng := rand.New(rand.NewPCG(2026, 16))
	today := l.today
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	offices := []string{"ENG-GC1", "ENG-GC2", "ENG-GC3"}
	kinds := []string{"光缆线路改造", "基站配套", "室内分布系统", "机房搬迁", "传输网扩容", "宽带接入"}
	customers := []string{"市移动分公司", "市联通分公司", "市电信分公司", "铁塔公司", "开发区管委会"}
	unfulfilled := false
	for i := range 60 {
		start := today.AddDate(0, 0, -365+i*6+rng.IntN(4))
		in := project.Input{
			Code:         fmt.Sprintf("GC-%s-%02d", start.Format("0601"), i+1),
			Name:         customers[i%len(customers)] + kinds[i%len(kinds)],
			ContractNo:   fmt.Sprintf("HT%s%03d", start.Format("2006"), i+1),
			Customer:     customers[i%len(customers)],
			UnitID:       l.units[offices[i%len(offices)]].ID,
			Major:        i%3 == 0,
			Tendered:     i%4 == 1,
			PlannedStart: day(start),
		}
		if in.Major || in.Tendered {
			lead := project.PlanLeadDays + rng.IntN(4)
			switch {
			case i == 9, i == 33: // filed late
				lead = 1
			case i == 21: // never filed
				lead = -1
			case !in.Major:
				lead = rng.IntN(3)
			}
			if lead >= 0 && !start.AddDate(0, 0, -lead).After(today) {
				in.PlanFiledOn = day(start.AddDate(0, 0, -lead))
				if in.Major {
					in.PlanApprovedOn = day(start.AddDate(0, 0, -lead+1))
				}
			}
		}
		in.MaterialsPlan = "主材按合同清单采购"
		handover := start.AddDate(0, 0, 30+rng.IntN(40))
		if handover.Before(today) {
			in.HandedOverOn = day(handover)
			ok, satisfied := true, rng.IntN(20) != 0
			if !unfulfilled && i > 20 && i%7 == 0 {
				ok, unfulfilled = false, true // the one contract not fulfilled
			}
			in.Fulfilled, in.CustomerSatisfied = &ok, &satisfied
		}
		p, err := project.Save(ctx, l.db, clerk, in)
		if err != nil {
			return fmt.Errorf("demo: project %s: %w", in.Code, err)
		}
		if in.HandedOverOn == "" {
			continue
		}
		// The acceptance inspection comes a few days before handover; one in twelve fails
		// first and passes a week later.
		inspect := handover.AddDate(0, 0, -5)
		passed := i%12 != 5
		if _, err := project.AddAcceptance(ctx, l.db, clerk, p.ID, project.Acceptance{InspectedOn: day(inspect), Passed: passed}); err != nil {
			return fmt.Errorf("demo: acceptance of %s: %w", in.Code, err)
		}
		if !passed {
			if _, err := project.AddAcceptance(ctx, l.db, clerk, p.ID, project.Acceptance{InspectedOn: day(inspect.AddDate(0, 0, 4)), Passed: true, Note: "整改后复验合格"}); err != nil {
				return fmt.Errorf("demo: re-inspection of %s: %w", in.Code, err)
			}
		}
	}
	return nil
}
