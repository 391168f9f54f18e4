package demo

import (
	"context"
	"fmt"
	"time"

	"manyi/internal/complaint"
)

// complaintsPerN is the bulk complaints a year per unit of N: ten times the demo's desk, as
// the bulk organisation is ten times its units.
const complaintsPerN = 1000

// codeSpace is the number of codes of eight letters of codeAlphabet, the areas' format of
// tracking codes (complaint.NewTrackingCode) and invitation codes (survey.NewCode); codeStep,
// coprime to it, spreads consecutive numbers over it so bulk codes are unique without a
// lookup and look as random as the areas'.
const (
	codeSpace = 852_891_037_441 // 31^8
	codeStep  = 387_420_489     // 3^18
)

const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// bulkCode is the n-th bulk code of eight letters.
func bulkCode(n int64) string {
	x := uint64(n) * codeStep % codeSpace
	out := make([]byte, 8)
	for at := 7; at >= 0; at-- {
		out[at] = codeAlphabet[x%31]
		x /= 31
	}
	return string(out)
}

// trackingCode is complaint id's tracking code in the area's format.
func trackingCode(id int64) string {
	c := bulkCode(id)
	return "TS-" + c[:4] + "-" + c[4:]
}

// complaints adds a year of complaints about the bulk teams with the demo's distributions
// (complaints.go): every channel and category alike, three in four invalid, one in twenty
// major; classified two hours after receipt, replied after three, resolved the next day and
// confirmed (or, one in nine, closed) the day after; one in seven late, replied after 30
// hours and resolved after six days, breaching both deadlines. The SLA deadlines are the
// desk's policy over the working-day calendar, as complaint.Register and Act set them; steps
// after the moment of loading are not taken, so the last days' complaints are still open.
func (g *scaleGen) complaints(ctx context.Context) error {
	pol, cal, err := complaint.LoadSLA(ctx, g.b.db)
	if err != nil {
		return err
	}
	var teams []int64
	for _, c := range g.centres {
		for _, t := range c.teams {
			teams = append(teams, t.id)
		}
	}
	count := g.b.total[complaintsTable.name]
	span := g.now.Sub(g.start)
	for i := range count {
		id := g.id(complaintsTable)
		received := g.start.Add(time.Duration(g.rnd.Int64N(int64(span)))).Truncate(time.Second).UTC()
		cat := complaint.Categories[g.rnd.IntN(len(complaint.Categories))]
		texts := complaintTexts[cat]
		channel := complaint.Channels[g.rnd.IntN(len(complaint.Channels))]
		class := complaint.Valid
		switch r := g.rnd.IntN(20); {
		case r < 15:
			class = complaint.Invalid
		case r == 19:
			class = complaint.Major
		}
		contact := g.phone()
		solutionDue, err := pol.SolutionDue(cal, received)
		if err != nil {
			return fmt.Errorf("demo scale complaint: %w", err)
		}
		replyAfter, resolveAfter, finishAfter := 3*time.Hour, 26*time.Hour, 50*time.Hour
		if i%7 == 3 {
			replyAfter, resolveAfter, finishAfter = 30*time.Hour, 6*24*time.Hour, 7*24*time.Hour
		}
		finished := complaint.Confirmed
		if i%9 == 4 {
			finished = complaint.Closed
		}
		status, updated := complaint.Registered, received
		var classifiedAt, repliedAt, resolvedAt, closedAt any
		reason, reply, solution := "", "", ""
		step := func(after time.Duration) bool {
			at := received.Add(after)
			if at.After(g.now) {
				return false
			}
			updated = at
			return true
		}
		if step(2 * time.Hour) {
			classifiedAt = updated
			reason = map[complaint.Class]string{complaint.Invalid: "经核实不属于服务问题", complaint.Valid: "经查实，确属服务过错", complaint.Major: "造成业主集体投诉，严重影响公司声誉"}[class]
		} else {
			class = complaint.Unclassified
		}
		if step(replyAfter) {
			status, repliedAt, reply = complaint.Replied, updated, "已收到您的投诉，我们正在核实处理。"
		}
		if step(resolveAfter) {
			status, resolvedAt, solution = complaint.Resolved, updated, "已安排专人处理并回访，问题已解决。"
		}
		if step(finishAfter) {
			status, closedAt = finished, updated
		}
		g.sum.Complaints++
		if err := g.b.add(ctx, complaintsTable, id, trackingCode(id), teams[g.rnd.IntN(len(teams))], string(channel), string(cat), g.name(), contact,
			complaint.ContactKey(contact), texts[g.rnd.IntN(len(texts))], string(status), string(class), reason, classifiedAt,
			received, pol.ReplyDue(received), repliedAt, reply, solutionDue, resolvedAt, solution, closedAt, received, updated); err != nil {
			return err
		}
	}
	return nil
}
