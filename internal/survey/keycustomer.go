package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"manyi/internal/assessment"
	"manyi/internal/store"
)

// KeyCustomerScore is a department's key-customer questionnaire score (0–100, two decimals,
// half up): the mean of the answers' overall points over the scale's best, times 100. Each
// key customer weighs the same. ok is false when no answer came back: there is then no
// score, not a score of 0. The scheme, not this function, counts 95 and above as 100
// (questionnaire_full_from), so the page shows the score the customers gave.
func KeyCustomerScore(points []int, maxPoints int) (score string, ok bool) {
	if len(points) == 0 || maxPoints <= 0 {
		return "", false
	}
	sum := 0
	for _, p := range points {
		sum += p
	}
	return ratio(sum*100, len(points)*maxPoints), true
}

// keyCustomerFacts reads the department's answers of the quarter's key-customer campaigns,
// fakes left out. Campaigns of different templates are pooled answer by answer, each answer
// scaled by its own template's best.
func keyCustomerFacts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	score := assessment.Fact{Name: "questionnaire", Records: []assessment.Record{}}
	missing := assessment.Fact{Name: "questionnaire_missing", Records: []assessment.Record{}}
	rows, err := tx.Query(ctx, `SELECT a.id, a.answered_at, a.points, i.household, c.id, c.name, t.definition FROM survey_answers a
		JOIN survey_invitations i ON i.id = a.invitation_id
		JOIN survey_campaigns c ON c.id = a.campaign_id
		JOIN survey_templates t ON t.id = c.template_id
		WHERE c.quarter = ? AND c.audience = ? AND a.unit_id = ? AND a.authenticity <> 'fake' ORDER BY a.answered_at, a.id`, q.Period, KeyCustomers, q.UnitID)
	if err != nil {
		return nil, fmt.Errorf("key-customer facts: %w", err)
	}
	defer rows.Close()
	best := map[int64]int{} // campaign → its template's best points
	var raw, scaled []int   // raw points, and points scaled to a best of 10000 (pooled templates)
	bests := map[int]bool{}
	for rows.Next() {
		var id, campaign int64
		var at time.Time
		var points int
		var customer, name, def string
		if err := rows.Scan(&id, &at, &points, &customer, &campaign, &name, &def); err != nil {
			return nil, err
		}
		if _, ok := best[campaign]; !ok {
			var d Definition
			if err := json.Unmarshal([]byte(def), &d); err != nil {
				return nil, fmt.Errorf("template of campaign %d: %w", campaign, err)
			}
			best[campaign] = d.MaxPoints()
		}
		if best[campaign] <= 0 {
			continue
		}
		raw, scaled = append(raw, points), append(scaled, points*10000/best[campaign])
		bests[best[campaign]] = true
		score.Records = append(score.Records, assessment.Record{Kind: "survey_answer", ID: strconv.FormatInt(id, 10), At: at.UTC(),
			Summary: fmt.Sprintf("%s：重点客户 %s 总体评价 %d/%d 分", name, customer, points, best[campaign]), URL: fmt.Sprintf("/surveys/answers/%d", id)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s, ok := KeyCustomerScore(scaled, 10000)
	if len(bests) == 1 { // one scale, the usual case: exact, without the scaling's rounding
		for b := range bests {
			s, ok = KeyCustomerScore(raw, b)
		}
	}
	if !ok {
		score.Value, missing.Value = json.Number("0"), true
		missing.Records = append(missing.Records, assessment.Record{Kind: "survey_campaign", At: q.From,
			Summary: "本季度没有重点客户问卷回答", URL: "/surveys"})
		return []assessment.Fact{score, missing}, nil
	}
	score.Value, missing.Value = json.Number(s), false
	return []assessment.Fact{score, missing}, nil
}
