package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/complaint"
	"manyi/internal/inspection"
	"manyi/internal/survey"
)

// The demo's period-close history for unit-monthly: twelve months of interim ledger evidence
// (the months before the current one) for the property company's areas and sections, with
// closes of all but the last approved by the committee and locked. The last month's evidence
// is there but its close is left for the user to start. 玫瑰区 fails in an earlier month of the
// last month's year and again in the last month, so closing it shows 玫瑰区 losing year-end
// award eligibility.

// demoClerk and demoCommittee are the demo's clerk and committee accounts acting through the
// assessment functions, which check their roles like any request.
var (
	demoClerk     = access.Principal{Username: "clerk", Name: "林晓雯", Grants: []access.Grant{{Role: access.Clerk}}}
	demoCommittee = access.Principal{Username: "committee", Name: "郑永年", Grants: []access.Grant{{Role: access.Committee}}}
)

// monthEvidence is one unit's evidence of one month: the problems of each inspection and the
// band of each survey evaluation.
type monthEvidence struct {
	problems []int
	bands    []int
}

// storyMonths places the history's stories among months (the twelve history months, oldest
// first): 玫瑰区's first failure seven months before the last, moved later into the last
// month's year when it falls before it; 绿化科 inspected but not surveyed in the fifth month;
// 保洁科 with no evidence in the second.
func storyMonths(months []string) (mgqFail, lhkGap, bjkEmpty string) {
	last := len(months) - 1
	fail := last - 7
	for fail < last-1 && months[fail][:4] != months[last][:4] {
		fail++
	}
	return months[fail], months[4], months[1]
}

// fixedEvidence overrides the generated evidence where the demo tells a story.
func fixedEvidence(months []string) map[string]map[string]monthEvidence {
	mgqFail, lhkGap, bjkEmpty := storyMonths(months)
	last := months[len(months)-1]
	return map[string]map[string]monthEvidence{
		"PROP-MGQ": { // 玫瑰区 fails twice: year-end ineligible once the last month is closed
			mgqFail: {problems: []int{7, 5}, bands: []int{12, 16, 12, 8, 16}},
			last:    {problems: []int{4, 5}, bands: []int{20, 20, 16, 16, 12, 20, 16, 20, 20, 12}},
		},
		"PROP-LHK": { // 绿化科: inspected but not surveyed → incomplete, decided in the close
			lhkGap: {problems: []int{2}},
			last:   {problems: []int{1}}, // and again last month, for the user to decide
		},
		"PROP-BJK": { // 保洁科: nothing → no opinion
			bjkEmpty: {},
		},
	}
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
	months := l.historyMonths()
	fixed := fixedEvidence(months)
	for _, month := range months {
		for _, code := range demoSubjects {
			ev, ok := fixed[code][month]
			if !ok {
				ev = generated(rng)
			}
			if err := l.evidence(ctx, code, month, ev); err != nil {
				return err
			}
		}
	}
	// This month's questionnaires so far, for the open quarter's pages.
	current := l.today.Format("2006-01")
	for _, code := range demoSubjects {
		if err := l.surveyBands(ctx, code, current, generated(rng).bands); err != nil {
			return err
		}
	}
	mgqFail, lhkGap, _ := storyMonths(months)
	if err := l.surveyStories(ctx, mgqFail, lhkGap); err != nil {
		return err
	}
	defer l.at(l.now)
	e := assessment.NewEngine(l.db, complaint.FactSource{}, inspection.FactSource{}, survey.FactSource{})
	prop := l.units["PROP"]
	for _, month := range months[:len(months)-1] {
		// Closed in the first week of the next month.
		l.atMost(mustMonth(month).AddDate(0, 1, 4).Add(10 * time.Hour))
		c, err := e.Start(ctx, demoClerk, assessment.StartInput{SchemeCode: "unit-monthly", Period: month, ParentUnitID: prop.ID})
		if err != nil {
			return fmt.Errorf("demo: close %s: %w", month, err)
		}
		if c.Uncovered() {
			if _, err := e.DecideMissing(ctx, demoClerk, c.ID, demoMissingReason); err != nil {
				return fmt.Errorf("demo: close %s: %w", month, err)
			}
		}
		if month == lhkGap {
			reason := fmt.Sprintf("%d 月 28 日电话回访 3 户业主，均评价基本满意，按基本满意认定", mustMonth(month).Month())
			if _, err := e.Decide(ctx, demoClerk, c.ID, assessment.DecisionInput{UnitID: l.units["PROP-LHK"].ID, Kind: assessment.Award,
				Fact: "survey", Value: "16", Reason: reason}); err != nil {
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
