package demo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"manyi/internal/access"
	"manyi/internal/store"
	"manyi/internal/survey"
)

// answersPerN is the bulk survey answers a year per unit of N: a million at N=100 (issue 14).
const answersPerN = 10_000

// scaleFollowupBy answers the bulk follow-ups: the teams' heads have no accounts and act as
// the system, as the demo's sections' heads do; the demo's clerk creates and checks.
var scaleFollowupBy = access.System.Login()

const (
	scaleFakeEvery   = 150 // one answer in 150 is found fake on a callback
	scaleOnlineEvery = 10  // one in ten answered online from the QR code, the rest on paper
	fakeReason       = "回访核实：该户业主表示未填写过问卷"
)

// scaleAnswer is a drawn answer before it is written: when, and whether online.
type scaleAnswer struct {
	at     time.Time
	online bool
}

// surveys adds the residents' quarterly campaigns of the bulk teams, one a quarter of the
// year up to the current one, as the demo's (surveys.go): every household of a team's area
// invited, and a year of answers with the demo's distributions — bands as its history's
// (about 46 % 很满意, 36 % 基本满意, 17 % 一般, a few worse), an opinion with its location and
// problem type on one 一般 in five and every other worse one, each opening a follow-up that
// the unit answers three days later and the clerk closes two days after (those of the current
// quarter and half the previous one's still open), one answer in scaleFakeEvery marked fake.
// Answers fall on the 1st to 27th of the months before today (before the quarter's snapshot,
// as the demo's), paper ones at noon and typed in on the 27th, online ones over the day.
// A team keeps its threshold (one in four at 30 %, the others 10 %) and a response rate
// around it, as the demo's areas, some above and some below; its households follow.
func (g *scaleGen) surveys(ctx context.Context) error {
	tmpl, taken, err := g.surveyBasis(ctx)
	if err != nil {
		return err
	}
	var teams []*scaleTeam
	for i := range g.centres {
		for j := range g.centres[i].teams {
			teams = append(teams, &g.centres[i].teams[j])
		}
	}
	quarters := quartersFrom(g.start, g.today)
	// Days answers may come back on, per quarter: those of the loaded year, and all of the
	// quarter's (households are planned for a whole quarter).
	days, whole := map[string][]time.Time{}, map[string]int{}
	var all []time.Time
	for _, q := range quarters {
		first, last, _ := survey.QuarterBounds(q)
		for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
			if d.Day() > 27 {
				continue
			}
			whole[q]++
			if !d.Before(g.start) && d.Before(g.today) {
				days[q] = append(days[q], d)
				all = append(all, d)
			}
		}
	}
	count := int(math.Round(answersPerN * g.sum.N))
	drawn := map[string]map[int64][]scaleAnswer{}
	for _, q := range quarters {
		drawn[q] = map[int64][]scaleAnswer{}
	}
	for range count {
		d := all[g.rnd.IntN(len(all))]
		t := teams[g.rnd.IntN(len(teams))]
		a := scaleAnswer{at: d.Add(12 * time.Hour)}
		if g.rnd.IntN(scaleOnlineEvery) == 0 {
			a = scaleAnswer{at: d.Add(time.Duration(8*60+g.rnd.IntN(14*60)) * time.Minute), online: true}
		}
		q := survey.QuarterOf(d)
		drawn[q][t.id] = append(drawn[q][t.id], a)
	}
	type area struct {
		thresholdBP int
		rate        float64
	}
	areas := make([]area, len(teams))
	for i := range areas {
		areas[i].thresholdBP = 1000
		if i%4 == 2 {
			areas[i].thresholdBP = 3000
		}
		areas[i].rate = float64(areas[i].thresholdBP) / 10000 * (0.6 + 1.2*g.rnd.Float64())
	}
	perDay := float64(count) / float64(len(teams)*len(all))
	households := map[string][]int{}
	for _, q := range quarters {
		for i, t := range teams {
			answers := drawn[q][t.id]
			slices.SortFunc(answers, func(a, b scaleAnswer) int { return a.at.Compare(b.at) })
			n := max(len(answers), 1, int(math.Round(perDay*float64(whole[q])/areas[i].rate)))
			households[q] = append(households[q], n)
			g.b.total[invitationsTable.name] += n
		}
	}
	code := int64(0)
	for _, q := range quarters {
		first, last, _ := survey.QuarterBounds(q)
		// Not before the bulk units are (a day before the year starts): the first quarter's
		// campaign would otherwise invite households of units that did not exist yet.
		created := campaignCreated(q)
		if set := g.start.Add(-24 * time.Hour); created.Before(set) {
			created = set
		}
		created = created.UTC()
		campaign := g.id(campaignsTable)
		g.sum.Campaigns++
		if err := g.b.add(ctx, campaignsTable, campaign, campaignTitle(q, "维修服务"), q, survey.Residents, tmpl.ID, survey.Open, first.Format(time.DateOnly),
			last.Format(time.DateOnly), survey.DefaultSnapshot(q), survey.DefaultFollowupDays, survey.DefaultRetentionDays, demoClerk.Login(), created, created); err != nil {
			return err
		}
		for i, t := range teams {
			answers := drawn[q][t.id]
			if err := g.b.add(ctx, campaignUnitsTable, campaign, t.id, households[q][i], areas[i].thresholdBP); err != nil {
				return err
			}
			for seq := 1; seq <= households[q][i]; seq++ {
				code++
				for taken[bulkCode(code)] {
					code++
				}
				invitation := g.id(invitationsTable)
				g.sum.Invitations++
				var answeredAt any
				if seq <= len(answers) {
					answeredAt = answers[seq-1].at.UTC()
				}
				if err := g.b.add(ctx, invitationsTable, invitation, campaign, t.id, seq, bulkCode(code), "", "household", answeredAt, created); err != nil {
					return err
				}
				if seq <= len(answers) {
					if err := g.answer(ctx, tmpl.Def, q == quarters[len(quarters)-1], q == quarters[max(0, len(quarters)-2)], campaign, invitation, t.id, answers[seq-1]); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// surveyBasis reads what the bulk survey rows rest on: the demo's residents' questionnaire
// and the invitation codes the demo's campaigns took, which the bulk codes step over.
func (g *scaleGen) surveyBasis(ctx context.Context) (survey.Template, map[string]bool, error) {
	ts, err := survey.ListTemplates(ctx, g.b.db)
	if err != nil {
		return survey.Template{}, nil, err
	}
	i := slices.IndexFunc(ts, func(t survey.Template) bool { return t.Code == "property-quarterly" })
	if i < 0 {
		return survey.Template{}, nil, fmt.Errorf("demo scale: no property-quarterly questionnaire")
	}
	var codes []string
	err = g.b.db.Read(ctx, func(tx *store.Tx) error {
		codes, err = store.All(ctx, tx, func(r store.Scanner) (code string, err error) { return code, r.Scan(&code) }, "SELECT code FROM survey_invitations")
		return err
	})
	taken := make(map[string]bool, len(codes))
	for _, c := range codes {
		taken[c] = true
	}
	return ts[i], taken, err
}

// answer adds one answer to invitation and, when it carries an opinion, its follow-up. The
// rating is scored by the area's own survey.Score, which gives the stored answers and pattern.
func (g *scaleGen) answer(ctx context.Context, def survey.Definition, current, previous bool, campaign, invitation, unit int64, a scaleAnswer) error {
	level := 1
	switch r := g.rnd.IntN(200); {
	case r >= 199:
		level = 5
	case r >= 197:
		level = 4
	case r >= 164:
		level = 3
	case r >= 92:
		level = 2
	}
	in := survey.AnswerInput{Values: map[string][]string{def.Overall().Key: {fmt.Sprint(level)}}}
	if (level == 3 && g.rnd.IntN(5) == 0) || (level > 3 && g.rnd.IntN(2) == 0) {
		o := surveyOpinions[g.rnd.IntN(len(surveyOpinions))]
		in.Opinion, in.Location, in.ProblemType = o.opinion, o.location, o.kind
	}
	sc, err := survey.Score(def, &in)
	if err != nil {
		return fmt.Errorf("demo scale: survey answer: %w", err)
	}
	id := g.id(answersTable)
	g.sum.Answers++
	channel, clientKey, created := survey.Paper, "", a.at
	if a.online {
		channel, clientKey = survey.Online, fmt.Sprintf("scale-%d", id)
	} else {
		y, m, _ := a.at.In(Zone).Date()
		created = time.Date(y, m, 27, 18, 0, 0, 0, Zone)
	}
	created = minTime(created, g.now).UTC()
	authenticity, reason, updated := "unchecked", "", created
	if g.sum.Answers%scaleFakeEvery == scaleFakeEvery/2 {
		authenticity, reason, updated = survey.Fake, fakeReason, minTime(created.AddDate(0, 0, 2), g.now).UTC()
	}
	if err := g.b.add(ctx, answersTable, id, invitation, campaign, unit, channel, a.at.UTC(), sc.Level, sc.Points, sc.Band, sc.Satisfied, sc.Dissatisfied,
		in.Location, in.ProblemType, in.Opinion, in.Opinion != "", "", "", sc.Answers, sc.Pattern, nil, clientKey, nil, authenticity, reason,
		false, "", 1, created, updated); err != nil {
		return err
	}
	if in.Opinion == "" {
		return nil
	}
	status := survey.FollowClosed
	if current || previous && id%2 == 0 {
		status = survey.FollowOpen
	}
	answered, closed := created.AddDate(0, 0, 3), created.AddDate(0, 0, 5)
	switch {
	case answered.After(g.now):
		status = survey.FollowOpen
	case closed.After(g.now) && status == survey.FollowClosed:
		status = survey.FollowAnswered
	}
	cause, action, outcome := "经现场核实，"+in.Opinion, "已安排专人处理并明确责任人", "已电话回访业主，问题已解决"
	var answeredBy, note, closedBy string
	var answeredAt, closedAt any
	if status != survey.FollowOpen {
		answeredBy, answeredAt = scaleFollowupBy, answered
	} else {
		cause, action, outcome = "", "", ""
	}
	if status == survey.FollowClosed {
		note, closedBy, closedAt = "品质部抽查回访，情况属实", demoClerk.Login(), closed
	}
	return g.b.add(ctx, followupsTable, g.id(followupsTable), id, unit, status, created.AddDate(0, 0, survey.DefaultFollowupDays), cause, action, outcome, "",
		note, answeredBy, answeredAt, closedBy, closedAt, created)
}

func minTime(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}
