package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/survey"
)

// The demo's period-close history for unit-monthly: a year of interim ledger evidence
// (January to October 2026) for the property company's areas and sections, and closes of
// January to September approved by the committee and locked. October's evidence is there but
// its close is left for the user to start. 玫瑰区 fails in March and again in October, so
// closing October shows it losing year-end award eligibility.

// demoClerk and demoCommittee are the demo's clerk and committee accounts acting through the
// assessment functions, which check their roles like any request.
var (
	demoClerk     = access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
	demoCommittee = access.Principal{Username: "committee", Name: "郑永年", Grants: []access.Grant{{Role: access.Committee}}}
)

// demoMonths are the months with evidence; all but the last are closed and locked.
var demoMonths = []string{"2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"}

// monthEvidence is one unit's evidence of one month: the problems of each inspection and the
// band of each survey evaluation.
type monthEvidence struct {
	problems []int
	bands    []int
}

// fixedEvidence overrides the generated evidence where the demo tells a story.
var fixedEvidence = map[string]map[string]monthEvidence{
	"PROP-MGQ": { // 玫瑰区 fails twice: year-end ineligible once October is closed
		"2026-03": {problems: []int{7, 5}, bands: []int{12, 16, 12, 8, 16}},
		"2026-10": {problems: []int{4, 5}, bands: []int{20, 20, 16, 16, 12, 20, 16, 20, 20, 12}},
	},
	"PROP-LHK": { // 绿化科: inspected in May but not surveyed → incomplete, decided in the close
		"2026-05": {problems: []int{2}},
		"2026-10": {problems: []int{1}}, // and again in October, for the user to decide
	},
	"PROP-BJK": { // 保洁科: nothing in February → no opinion
		"2026-02": {},
	},
}

// demoSubjects are the units with generated evidence (服务管理科, the organiser, has none and
// so gets no opinion every month).
var demoSubjects = []string{"PROP-MDC", "PROP-YJC", "PROP-YXY", "PROP-MGQ", "PROP-WXK", "PROP-BJK", "PROP-LHK"}

const demoMissingReason = "演示数据：投诉模块尚未上线，按纸质投诉台账当月无有效投诉和重大投诉"

// assessment loads the period-close history; it does nothing if err (from loading the
// organisation) is set.
func (l *loader) assessment(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if err := assessment.SeedSchemes(ctx, l.db); err != nil {
		return fmt.Errorf("demo: schemes: %w", err)
	}
	rng := rand.New(rand.NewPCG(2026, 10))
	for _, month := range demoMonths {
		for _, code := range demoSubjects {
			ev, fixed := fixedEvidence[code][month]
			if !fixed {
				ev = generated(rng)
			}
			if err := l.evidence(ctx, code, month, ev); err != nil {
				return err
			}
		}
	}
	if err := l.surveyStories(ctx); err != nil {
		return err
	}
	e := assessment.NewEngine(l.db, complaint.FactSource{}, inspection.FactSource{}, survey.FactSource{})
	prop := l.units["PROP"]
	for _, month := range demoMonths[:len(demoMonths)-1] {
		c, err := e.Start(ctx, demoClerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: month, ParentUnitID: prop.ID})
		if err != nil {
			return fmt.Errorf("demo: close %s: %w", month, err)
		}
		if c.Uncovered() {
			if _, err := e.DecideMissing(ctx, demoClerk, c.ID, demoMissingReason); err != nil {
				return fmt.Errorf("demo: close %s: %w", month, err)
			}
		}
		if month == "2026-05" {
			if _, err := e.Decide(ctx, demoClerk, c.ID, assessment.DecisionInput{UnitID: l.units["PROP-LHK"].ID, Kind: assessment.Award,
				Fact: "survey", Value: "16", Reason: "5 月 29 日电话回访 3 户业主，均评价基本满意，按基本满意认定"}); err != nil {
				return fmt.Errorf("demo: decision %s: %w", month, err)
			}
		}
		if _, err := e.Approve(ctx, demoCommittee, c.ID); err != nil {
			return fmt.Errorf("demo: approve %s: %w", month, err)
		}
		if _, err := e.Lock(ctx, demoClerk, c.ID); err != nil {
			return fmt.Errorf("demo: lock %s: %w", month, err)
		}
	}
	return nil
}

// generated is an ordinary month: one to three inspections finding a few problems, and four
// to eight evaluations, mostly satisfied.
func generated(rng *rand.Rand) monthEvidence {
	var ev monthEvidence
	for range 1 + rng.IntN(3) {
		ev.problems = append(ev.problems, rng.IntN(3))
	}
	pool := []int{20, 20, 20, 20, 16, 16, 16, 12}
	for range 4 + rng.IntN(5) {
		ev.bands = append(ev.bands, pool[rng.IntN(len(pool))])
	}
	return ev
}

func (l *loader) evidence(ctx context.Context, code, month string, ev monthEvidence) error {
	for i, p := range ev.problems {
		if err := l.inspect(ctx, code, fmt.Sprintf("%s-%02d", month, 5+7*i), p); err != nil {
			return err
		}
	}
	return l.surveyBands(ctx, code, month, ev.bands)
}

func inspectionNote(problems int) string {
	switch {
	case problems == 0:
		return "月度服务标准检查，未发现问题"
	case problems < 5:
		return fmt.Sprintf("月度服务标准检查，发现 %d 项问题（公共区域保洁、设施报修响应）", problems)
	}
	return fmt.Sprintf("专项检查，发现 %d 项问题（值守脱岗、报修超时、公共区域卫生）", problems)
}
