package survey

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"manyi/internal/assessment"
	"manyi/internal/scheme"
	"manyi/internal/store"
)

// FactSource gives period close the survey facts of a unit:
//
//   - survey (unit-monthly): the band points of each valid answer of the unit answered in
//     the period, fake ones left out;
//
//   - households, threshold, valid, satisfied_or_better, verified_fault_dissatisfied
//     (survey-quarterly): from the campaigns of the quarter that cover the unit, counting
//     answers up to each campaign's snapshot day, several campaigns read as one survey (their
//     households added, see quarterBasis); improper_means: the verified cases of the quarter.
//
//   - questionnaire and questionnaire_missing (dept-quarterly-weighted): the key-customer
//     score of the department, from the key-customer campaigns of the quarter (see
//     KeyCustomerScore); with no answer at all the score is 0 and questionnaire_missing is
//     true, which the scheme reads as incomplete, so a clerk decides rather than a silent 0.
//
// Resident facts count resident campaigns only, and the questionnaire key-customer ones.
//
// A unit no campaign of the quarter covers gets valid 0 (the scheme then calls it
// incomplete, for a recorded decision) and the organisation's households and threshold, or 1
// and 0 when the organisation has none, so the scheme's checks can run; the records say so.
type FactSource struct{}

var _ assessment.Source = FactSource{}

// Name identifies the source.
func (FactSource) Name() string { return "surveys" }

// quarterlyFacts are the survey-quarterly facts.
var quarterlyFacts = []string{"households", "threshold", "valid", "satisfied_or_better", "verified_fault_dissatisfied", "improper_means"}

// Provides lists the facts.
func (FactSource) Provides() []string {
	return append([]string{"survey", "questionnaire", "questionnaire_missing"}, quarterlyFacts...)
}

// Facts reads the unit's answers of the period.
func (FactSource) Facts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	want := map[string]bool{}
	for _, n := range q.Names {
		want[n] = true
	}
	var out []assessment.Fact
	if want["survey"] {
		f, err := bandFact(ctx, tx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if want["questionnaire"] || want["questionnaire_missing"] {
		fs, err := keyCustomerFacts(ctx, tx, q)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if want[f.Name] {
				out = append(out, f)
			}
		}
	}
	quarterly := false
	for _, n := range quarterlyFacts {
		quarterly = quarterly || want[n]
	}
	if quarterly {
		fs, err := quarterFacts(ctx, tx, q)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if want[f.Name] {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

func bandFact(ctx context.Context, tx *store.Tx, q assessment.FactQuery) (assessment.Fact, error) {
	got, err := bandBatch(ctx, tx, assessment.Batch{Subjects: []assessment.BatchSubject{{UnitID: q.UnitID}},
		Periods: []assessment.Span{{Period: q.Period, From: q.From, To: q.To}}, Totals: q.Totals})
	if err != nil {
		return assessment.Fact{}, err
	}
	return got[0][0], nil
}

var _ assessment.BatchSource = FactSource{}

// BatchFacts answers survey (unit-monthly) for all the subjects at once, and the quarterly
// facts too when only their values are asked (Totals); the quarterly facts with their records
// and the key-customer facts (schemes with a few subjects) are asked subject by subject.
func (s FactSource) BatchFacts(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][][]assessment.Fact, error) {
	batched := []string{"survey"}
	if b.Totals {
		batched = append(batched, quarterlyFacts...)
	}
	out, err := assessment.EachQuery(ctx, tx, s, b.Without(batched...))
	if err != nil {
		return nil, err
	}
	if b.Wants("survey") {
		got, err := bandBatch(ctx, tx, b)
		if err != nil {
			return nil, err
		}
		for i := range got {
			for j := range got[i] {
				out[i][j] = append(out[i][j], got[i][j])
			}
		}
	}
	if b.Totals && b.Wants(quarterlyFacts...) {
		_, units := b.UnitOwners()
		for j, p := range b.Periods {
			vs, err := quarterBatch(ctx, tx, p.Period, p.From, p.To, units)
			if err != nil {
				return nil, err
			}
			for i, sub := range b.Subjects {
				for _, f := range vs[sub.UnitID].facts() {
					if b.Wants(f.Name) {
						out[i][j] = append(out[i][j], f)
					}
				}
			}
		}
	}
	return out, nil
}

// bandBatch answers survey for every subject and period of b: the band of each answer to a
// residents' campaign given for the subject's own unit in the period, fake ones left out, in
// one query a period (one over all the periods from the running totals).
func bandBatch(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][]assessment.Fact, error) {
	out := make([][]assessment.Fact, len(b.Subjects))
	for i := range out {
		out[i] = make([]assessment.Fact, len(b.Periods))
		for j := range out[i] {
			out[i][j] = assessment.Fact{Name: "survey", Value: []int{}, Records: []assessment.Record{}}
		}
	}
	if b.Totals {
		subjects := make([][]int64, len(b.Subjects))
		for i, sub := range b.Subjects {
			subjects[i] = []int64{sub.UnitID}
		}
		t, err := assessment.BatchTotals(ctx, tx, "survey", "unit", subjects, b.DaySpans())
		if err != nil {
			return nil, err
		}
		for i := range t {
			for j := range t[i] {
				// Best band first: the scheme reads the list as a multiset (mean, counts per
				// band), so the order of the answers is not needed.
				bands := []int{}
				for k, n := range t[i][j] {
					band, _ := strconv.Atoi(k)
					for range n {
						bands = append(bands, band)
					}
				}
				sort.Sort(sort.Reverse(sort.IntSlice(bands)))
				out[i][j].Value = bands
			}
		}
		return out, nil
	}
	owners, units := b.UnitOwners()
	in, inArgs := tx.AnyOf("a.unit_id", units)
	for j, p := range b.Periods {
		rows, err := tx.Query(ctx, `SELECT a.id, a.unit_id, i.code, a.channel, a.answered_at, a.band FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id
			JOIN survey_campaigns c ON c.id = a.campaign_id AND c.audience = 'residents'
			WHERE `+in+` AND a.answered_at >= ? AND a.answered_at < ? AND a.authenticity <> 'fake' ORDER BY a.answered_at, a.id`, append(inArgs, p.From, p.To)...)
		if err != nil {
			return nil, fmt.Errorf("survey facts: %w", err)
		}
		for rows.Next() {
			var id, unit int64
			var code, channel string
			var at time.Time
			var band int
			if err := rows.Scan(&id, &unit, &code, &channel, &at, &band); err != nil {
				rows.Close()
				return nil, err
			}
			r := assessment.Record{Kind: "survey_answer", ID: strconv.FormatInt(id, 10), At: at.UTC(),
				Summary: fmt.Sprintf("问卷 %s（%s）档次分 %d", FormatCode(code), channelZH[channel], band), URL: fmt.Sprintf("/surveys/answers/%d", id)}
			for _, k := range owners[unit] {
				f := &out[k][j]
				f.Value = append(f.Value.([]int), band)
				f.Records = append(f.Records, r)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxRecords bounds the records listed per fact and campaign: a drill-down shows the
// first ones and links to the full list, so a close of a large quarter stays small.
const maxRecords = 2000

var channelZH = map[string]string{Online: "在线", Paper: "纸质", Visit: "走访"}

// quarterCampaign is a residents' campaign of the quarter covering a unit: what it says of
// the unit and the unit's counts up to the campaign's snapshot day.
type quarterCampaign struct {
	id                       int64
	name, snap               string
	households, thresholdBP  int
	valid, satisfied, faults int
}

// quarterValues are a unit's survey-quarterly fact values.
type quarterValues struct {
	camps                              []quarterCampaign
	households, thresholdBP            int
	valid, satisfied, faults, improper int
}

// quarterBasis says the households and threshold of a unit's quarter from its campaigns, or
// from the unit's own settings (ownHH, ownTh, nil when unset) when no campaign covers it.
//
// Several campaigns of a quarter over one unit (a second round, a visit campaign) are read as
// one survey: each hands every household it covers a questionnaire, so the response rate is
// the quarter's valid questionnaires over the questionnaires handed out, the sum of the
// campaigns' households, and the satisfaction rate is over all the quarter's valid
// questionnaires. The latest campaign says the threshold.
func quarterBasis(camps []quarterCampaign, ownHH, ownTh *int) (households, thresholdBP int) {
	if len(camps) == 0 {
		households = 1
		if ownHH != nil && *ownHH > 0 {
			households = *ownHH
		}
		if ownTh != nil {
			thresholdBP = *ownTh
		}
		return households, thresholdBP
	}
	for _, c := range camps {
		households += c.households
	}
	return households, camps[len(camps)-1].thresholdBP
}

// quarterBatch reads the survey-quarterly values of units for the quarter period (local days
// from..to, to excluded) in at most four statements, whatever the number of units: the
// quarter page evaluates every unit of the quarter's campaigns (1,600 at N=100).
func quarterBatch(ctx context.Context, tx *store.Tx, period string, from, to time.Time, units []int64) (map[int64]*quarterValues, error) {
	out := make(map[int64]*quarterValues, len(units))
	for _, u := range units {
		out[u] = &quarterValues{}
	}
	if len(units) == 0 {
		return out, nil
	}
	in, inArgs := tx.AnyOf("cu.unit_id", units)
	rows, err := tx.Query(ctx, `SELECT c.id, c.name, c.snapshot_on, cu.unit_id, cu.households, cu.threshold_bp FROM survey_campaigns c
		JOIN survey_campaign_units cu ON cu.campaign_id = c.id WHERE c.quarter = ? AND c.audience = 'residents' AND `+in+` ORDER BY c.id`, append([]any{period}, inArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("survey facts: %w", err)
	}
	for rows.Next() {
		var c quarterCampaign
		var unit int64
		if err := rows.Scan(&c.id, &c.name, &c.snap, &unit, &c.households, &c.thresholdBP); err != nil {
			rows.Close()
			return nil, err
		}
		out[unit].camps = append(out[unit].camps, c)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	var bare, covered []int64
	for _, u := range units {
		if len(out[u].camps) == 0 {
			bare = append(bare, u)
		} else {
			covered = append(covered, u)
		}
	}
	if len(bare) > 0 {
		in, inArgs := tx.AnyOf("id", bare)
		rows, err := tx.Query(ctx, "SELECT id, households, threshold_bp FROM units WHERE "+in, inArgs...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var hh, th *int
			if err := rows.Scan(&id, &hh, &th); err != nil {
				rows.Close()
				return nil, err
			}
			v := out[id]
			v.households, v.thresholdBP = quarterBasis(nil, hh, th)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	if len(covered) > 0 {
		// The counts come from the running counts, each campaign's up to its own snapshot.
		in, inArgs := tx.AnyOf("sc.unit_id", covered)
		rows, err := tx.Query(ctx, `SELECT sc.campaign_id, sc.unit_id, SUM(sc.answered - sc.fake), SUM(sc.satisfied), SUM(sc.faults) FROM survey_campaigns c
			JOIN survey_counts sc ON sc.campaign_id = c.id WHERE c.quarter = ? AND c.audience = 'residents' AND `+in+` AND sc.day <= c.snapshot_on
			GROUP BY sc.campaign_id, sc.unit_id`, append([]any{period}, inArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("survey facts: %w", err)
		}
		for rows.Next() {
			var camp, unit int64
			var v, sat, fa int
			if err := rows.Scan(&camp, &unit, &v, &sat, &fa); err != nil {
				rows.Close()
				return nil, err
			}
			for k := range out[unit].camps {
				if c := &out[unit].camps[k]; c.id == camp {
					c.valid, c.satisfied, c.faults = v, sat, fa
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		for _, u := range covered {
			v := out[u]
			v.households, v.thresholdBP = quarterBasis(v.camps, nil, nil)
			for _, c := range v.camps {
				v.valid, v.satisfied, v.faults = v.valid+c.valid, v.satisfied+c.satisfied, v.faults+c.faults
			}
		}
	}
	in, inArgs = tx.AnyOf("unit_id", units)
	rows, err = tx.Query(ctx, "SELECT unit_id, COUNT(*) FROM survey_improper_cases WHERE "+in+" AND occurred_on >= ? AND occurred_on < ? GROUP BY unit_id",
		append(inArgs, Day(from), Day(to))...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var unit int64
		var n int
		if err := rows.Scan(&unit, &n); err != nil {
			rows.Close()
			return nil, err
		}
		out[unit].improper = n
	}
	err = rows.Err()
	rows.Close()
	return out, err
}

// facts are the unit's survey-quarterly facts with no records.
func (v *quarterValues) facts() []assessment.Fact {
	return []assessment.Fact{
		{Name: "households", Value: v.households, Records: []assessment.Record{}},
		{Name: "threshold", Value: scheme.NewDecimal(int64(v.thresholdBP), -4), Records: []assessment.Record{}},
		{Name: "valid", Value: v.valid, Records: []assessment.Record{}},
		{Name: "satisfied_or_better", Value: v.satisfied, Records: []assessment.Record{}},
		{Name: "verified_fault_dissatisfied", Value: v.faults, Records: []assessment.Record{}},
		{Name: "improper_means", Value: v.improper, Records: []assessment.Record{}},
	}
}

// quarterFacts gives the unit's survey-quarterly facts, with the records behind them unless
// q.Totals.
func quarterFacts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	vs, err := quarterBatch(ctx, tx, q.Period, q.From, q.To, []int64{q.UnitID})
	if err != nil {
		return nil, err
	}
	v := vs[q.UnitID]
	out := v.facts()
	if q.Totals {
		return out, nil
	}
	var hhRecs []assessment.Record
	if len(v.camps) == 0 {
		hhRecs = []assessment.Record{{Kind: "survey_campaign", ID: "", At: q.From, Summary: fmt.Sprintf("本季度没有调查活动覆盖该单位；户数取组织设置 %d", v.households), URL: "/surveys"}}
	}
	for _, c := range v.camps {
		hhRecs = append(hhRecs, assessment.Record{Kind: "survey_campaign", ID: strconv.FormatInt(c.id, 10), At: q.From,
			Summary: fmt.Sprintf("%s：%d 户，回收率要求 %d.%02d%%，截至 %s", c.name, c.households, c.thresholdBP/100, c.thresholdBP%100, c.snap), URL: fmt.Sprintf("/surveys/campaigns/%d", c.id)})
	}
	// The records list the answers behind the counts, at most maxRecords each, with a last
	// record pointing at the full list.
	var validRecs, satRecs, faultRecs []assessment.Record
	for _, c := range v.camps {
		snap, _ := time.ParseInLocation(time.DateOnly, c.snap, Zone)
		for _, l := range []struct {
			recs *[]assessment.Record
			cond string
			n    int
		}{{&validRecs, "", c.valid}, {&satRecs, " AND a.satisfied", c.satisfied}, {&faultRecs, " AND a.verified_fault", c.faults}} {
			if l.n == 0 {
				continue
			}
			rows, err := tx.Query(ctx, `SELECT a.id, a.answered_at FROM survey_answers a
				WHERE a.campaign_id = ? AND a.unit_id = ? AND a.authenticity <> 'fake' AND a.answered_at < ?`+l.cond+` ORDER BY a.answered_at, a.id LIMIT ?`,
				c.id, q.UnitID, snap.AddDate(0, 0, 1).UTC(), maxRecords)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id int64
				var at time.Time
				if err := rows.Scan(&id, &at); err != nil {
					rows.Close()
					return nil, err
				}
				*l.recs = append(*l.recs, assessment.Record{Kind: "survey_answer", ID: strconv.FormatInt(id, 10), At: at.UTC(), Summary: fmt.Sprintf("问卷回答 #%d", id), URL: fmt.Sprintf("/surveys/answers/%d", id)})
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, err
			}
			if l.n > maxRecords {
				*l.recs = append(*l.recs, assessment.Record{Kind: "survey_answers", At: snap.UTC(), Summary: fmt.Sprintf("以及另外 %d 份", l.n-maxRecords),
					URL: fmt.Sprintf("/surveys/answers?campaign=%d&unit=%d", c.id, q.UnitID)})
			}
		}
	}
	var impRecs []assessment.Record
	if v.improper > 0 {
		irows, err := tx.Query(ctx, "SELECT id, occurred_on, description FROM survey_improper_cases WHERE unit_id = ? AND occurred_on >= ? AND occurred_on < ? ORDER BY occurred_on, id", q.UnitID, Day(q.From), Day(q.To))
		if err != nil {
			return nil, err
		}
		for irows.Next() {
			var id int64
			var day, desc string
			if err := irows.Scan(&id, &day, &desc); err != nil {
				irows.Close()
				return nil, err
			}
			t, _ := time.ParseInLocation(time.DateOnly, day, Zone)
			impRecs = append(impRecs, assessment.Record{Kind: "survey_improper_case", ID: strconv.FormatInt(id, 10), At: t.UTC(), Summary: desc, URL: "/surveys/improper"})
		}
		err = irows.Err()
		irows.Close()
		if err != nil {
			return nil, err
		}
	}
	for i, recs := range [][]assessment.Record{hhRecs, hhRecs, validRecs, satRecs, faultRecs, impRecs} {
		out[i].Records = nonNil(recs)
	}
	return out, nil
}

func nonNil(r []assessment.Record) []assessment.Record {
	if r == nil {
		return []assessment.Record{}
	}
	return r
}
