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
//     households added, see quarterFacts); improper_means: the verified cases of the quarter.
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

// BatchFacts answers survey (unit-monthly) for all the subjects at once; the quarterly and
// key-customer facts (schemes with a few subjects) are asked subject by subject.
func (s FactSource) BatchFacts(ctx context.Context, tx *store.Tx, b assessment.Batch) ([][][]assessment.Fact, error) {
	out, err := assessment.EachQuery(ctx, tx, s, b.Without("survey"))
	if err != nil || !b.Wants("survey") {
		return out, err
	}
	got, err := bandBatch(ctx, tx, b)
	if err != nil {
		return nil, err
	}
	for i := range got {
		for j := range got[i] {
			out[i][j] = append(out[i][j], got[i][j])
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

func quarterFacts(ctx context.Context, tx *store.Tx, q assessment.FactQuery) ([]assessment.Fact, error) {
	rows, err := tx.Query(ctx, `SELECT c.id, c.name, c.snapshot_on, cu.households, cu.threshold_bp FROM survey_campaigns c
		JOIN survey_campaign_units cu ON cu.campaign_id = c.id WHERE c.quarter = ? AND cu.unit_id = ? AND c.audience = 'residents' ORDER BY c.id`, q.Period, q.UnitID)
	if err != nil {
		return nil, fmt.Errorf("survey facts: %w", err)
	}
	type camp struct {
		id          int64
		name, snap  string
		households  int
		thresholdBP int
	}
	var camps []camp
	for rows.Next() {
		var c camp
		if err := rows.Scan(&c.id, &c.name, &c.snap, &c.households, &c.thresholdBP); err != nil {
			rows.Close()
			return nil, err
		}
		camps = append(camps, c)
	}
	rows.Close()
	households, thresholdBP := 1, 0
	var hhRecs []assessment.Record
	if len(camps) == 0 {
		var hh, th *int
		if err := tx.QueryRow(ctx, "SELECT households, threshold_bp FROM units WHERE id = ?", q.UnitID).Scan(&hh, &th); err != nil {
			return nil, err
		}
		if hh != nil && *hh > 0 {
			households = *hh
		}
		if th != nil {
			thresholdBP = *th
		}
		hhRecs = []assessment.Record{{Kind: "survey_campaign", ID: "", At: q.From, Summary: fmt.Sprintf("本季度没有调查活动覆盖该单位；户数取组织设置 %d", households), URL: "/surveys"}}
	} else {
		// Several campaigns of a quarter over one unit (a second round, a visit campaign) are
		// read as one survey: each hands every household it covers a questionnaire, so the
		// response rate is the quarter's valid questionnaires over the questionnaires handed
		// out, the sum of the campaigns' households, and the satisfaction rate is over all the
		// quarter's valid questionnaires. The latest campaign says the threshold.
		households, thresholdBP = 0, camps[len(camps)-1].thresholdBP
		for _, c := range camps {
			households += c.households
		}
		for _, c := range camps {
			hhRecs = append(hhRecs, assessment.Record{Kind: "survey_campaign", ID: strconv.FormatInt(c.id, 10), At: q.From,
				Summary: fmt.Sprintf("%s：%d 户，回收率要求 %d.%02d%%，截至 %s", c.name, c.households, c.thresholdBP/100, c.thresholdBP%100, c.snap), URL: fmt.Sprintf("/surveys/campaigns/%d", c.id)})
		}
	}
	// The counts come from the running counts; the records list the answers behind them, at
	// most maxRecords each, with a last record pointing at the full list.
	valid, satisfied, faults := 0, 0, 0
	var validRecs, satRecs, faultRecs []assessment.Record
	for _, c := range camps {
		var v, sat, fa int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(answered - fake), 0), COALESCE(SUM(satisfied), 0), COALESCE(SUM(faults), 0) FROM survey_counts
			WHERE campaign_id = ? AND unit_id = ? AND day <= ?`, c.id, q.UnitID, c.snap).Scan(&v, &sat, &fa); err != nil {
			return nil, err
		}
		valid, satisfied, faults = valid+v, satisfied+sat, faults+fa
		snap, _ := time.ParseInLocation(time.DateOnly, c.snap, Zone)
		for _, l := range []struct {
			recs *[]assessment.Record
			cond string
			n    int
		}{{&validRecs, "", v}, {&satRecs, " AND a.satisfied", sat}, {&faultRecs, " AND a.verified_fault", fa}} {
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
	from, to := Day(q.From), Day(q.To)
	irows, err := tx.Query(ctx, "SELECT id, occurred_on, description FROM survey_improper_cases WHERE unit_id = ? AND occurred_on >= ? AND occurred_on < ? ORDER BY occurred_on, id", q.UnitID, from, to)
	if err != nil {
		return nil, err
	}
	improper := 0
	var impRecs []assessment.Record
	for irows.Next() {
		var id int64
		var day, desc string
		if err := irows.Scan(&id, &day, &desc); err != nil {
			irows.Close()
			return nil, err
		}
		t, _ := time.ParseInLocation(time.DateOnly, day, Zone)
		improper++
		impRecs = append(impRecs, assessment.Record{Kind: "survey_improper_case", ID: strconv.FormatInt(id, 10), At: t.UTC(), Summary: desc, URL: "/surveys/improper"})
	}
	err = irows.Err()
	irows.Close()
	if err != nil {
		return nil, err
	}
	threshold := scheme.NewDecimal(int64(thresholdBP), -4)
	return []assessment.Fact{
		{Name: "households", Value: households, Records: hhRecs},
		{Name: "threshold", Value: threshold, Records: hhRecs},
		{Name: "valid", Value: valid, Records: nonNil(validRecs)},
		{Name: "satisfied_or_better", Value: satisfied, Records: nonNil(satRecs)},
		{Name: "verified_fault_dissatisfied", Value: faults, Records: nonNil(faultRecs)},
		{Name: "improper_means", Value: improper, Records: nonNil(impRecs)},
	}, nil
}

func nonNil(r []assessment.Record) []assessment.Record {
	if r == nil {
		return []assessment.Record{}
	}
	return r
}
