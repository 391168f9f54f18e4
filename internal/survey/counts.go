package survey

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"manyi/internal/assessment"
	"manyi/internal/store"
)

// countState is what an answer contributes to survey_counts.
type countState struct {
	campaignID, unitID            int64
	day, location, problemType    string
	fake, satisfied, dissatisfied bool
	fault, opinion                bool
	points, band                  int
	// resident: the answer is to a residents' campaign, so its band is a unit-monthly
	// survey fact (fact_totals) when it is not fake.
	resident bool
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bump adds (sign 1) or removes (sign −1) one answer's contribution to the running counts,
// per day (survey_counts) and over the campaign (survey_unit_counts), in the transaction that
// changes the answer.
func bump(ctx context.Context, tx *store.Tx, s countState, sign int) error {
	live := sign * b2i(!s.fake)
	classed := s.opinion || s.location != "" || s.problemType != ""
	values := []any{sign, sign * b2i(s.fake), live * b2i(s.satisfied), live * b2i(s.dissatisfied), live * b2i(s.fault), live * b2i(s.opinion), live * b2i(classed), live * s.points, live * s.band}
	if _, err := tx.Exec(ctx, dayCountsUpsert, append([]any{s.campaignID, s.unitID, s.day, s.location, s.problemType}, values...)...); err != nil {
		return fmt.Errorf("survey counts: %w", err)
	}
	if _, err := tx.Exec(ctx, unitCountsUpsert, append([]any{s.campaignID, s.unitID, s.location, s.problemType}, values...)...); err != nil {
		return fmt.Errorf("survey unit counts: %w", err)
	}
	if !s.resident || s.fake {
		return nil
	}
	return assessment.ShiftTotals(ctx, tx, nil, []assessment.Total{{Fact: "survey", SubjectKind: "unit", SubjectID: s.unitID, Day: s.day, Bucket: strconv.Itoa(s.band), N: int64(sign)}})
}

// countColumns are the counters of survey_counts and survey_unit_counts, in countState's order.
const countColumns = "answered, fake, satisfied, dissatisfied, faults, opinions, classed, points, bands"

// The upserts of bump, which adds an answer's counters to its row of each table.
var (
	dayCountsUpsert  = upsertCounts("survey_counts", "campaign_id, unit_id, day, location, problem_type")
	unitCountsUpsert = upsertCounts("survey_unit_counts", "campaign_id, unit_id, location, problem_type")
)

// upsertCounts is the statement that inserts a row of table's counters under key, or adds
// them to the row already there.
func upsertCounts(table, key string) string {
	cols := strings.Split(key+", "+countColumns, ", ")
	var add []string
	for _, c := range strings.Split(countColumns, ", ") {
		add = append(add, fmt.Sprintf("%s = %s.%s + excluded.%s", c, table, c, c))
	}
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(cols)-1) + ") ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(add, ", ")
}

// stateOf reads an answer's current contribution.
func stateOf(ctx context.Context, tx *store.Tx, id int64) (countState, error) {
	var s countState
	var at time.Time
	var auth string
	var audience string
	err := tx.QueryRow(ctx, `SELECT a.campaign_id, a.unit_id, a.answered_at, a.location, a.problem_type, a.authenticity, a.satisfied, a.dissatisfied, a.verified_fault, a.has_opinion, a.points, a.band, c.audience
		FROM survey_answers a JOIN survey_campaigns c ON c.id = a.campaign_id WHERE a.id = ?`, id).Scan(&s.campaignID, &s.unitID, &at, &s.location, &s.problemType, &auth, &s.satisfied, &s.dissatisfied, &s.fault, &s.opinion, &s.points, &s.band, &audience)
	s.day, s.fake, s.resident = Day(at), auth == Fake, audience == Residents
	return s, err
}

// recount runs change, which updates answer id, and moves the answer's contribution from
// what it was to what it is.
func recount(ctx context.Context, tx *store.Tx, id int64, change func() error) error {
	before, err := stateOf(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	after, err := stateOf(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := bump(ctx, tx, before, -1); err != nil {
		return err
	}
	return bump(ctx, tx, after, 1)
}

// RebuildCounts recomputes survey_counts from the answers, and survey_unit_counts from
// them. It is what the running counts must always equal (tests compare them); run it after
// loading answers in bulk.
func RebuildCounts(ctx context.Context, db *store.DB) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, table := range []string{"survey_unit_counts", "survey_counts"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT campaign_id, unit_id, answered_at, location, problem_type, authenticity, satisfied, dissatisfied, verified_fault, has_opinion, points, band FROM survey_answers`)
		if err != nil {
			return err
		}
		type key struct {
			campaign, unit int64
			day, loc, typ  string
		}
		sums := map[key]*[9]int{}
		var order []key
		for rows.Next() {
			var s countState
			var at time.Time
			var auth string
			if err := rows.Scan(&s.campaignID, &s.unitID, &at, &s.location, &s.problemType, &auth, &s.satisfied, &s.dissatisfied, &s.fault, &s.opinion, &s.points, &s.band); err != nil {
				rows.Close()
				return err
			}
			k := key{s.campaignID, s.unitID, Day(at), s.location, s.problemType}
			v := sums[k]
			if v == nil {
				v = &[9]int{}
				sums[k] = v
				order = append(order, k)
			}
			live := b2i(auth != Fake)
			classed := s.opinion || s.location != "" || s.problemType != ""
			for i, x := range []int{1, 1 - live, live * b2i(s.satisfied), live * b2i(s.dissatisfied), live * b2i(s.fault), live * b2i(s.opinion), live * b2i(classed), live * s.points, live * s.band} {
				v[i] += x
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range order {
			v := sums[k]
			if _, err := tx.Exec(ctx, `INSERT INTO survey_counts (campaign_id, unit_id, day, location, problem_type, `+countColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.campaign, k.unit, k.day, k.loc, k.typ, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO survey_unit_counts (campaign_id, unit_id, location, problem_type, `+countColumns+`)
			SELECT campaign_id, unit_id, location, problem_type, SUM(answered), SUM(fake), SUM(satisfied), SUM(dissatisfied), SUM(faults), SUM(opinions), SUM(classed), SUM(points), SUM(bands)
			FROM survey_counts GROUP BY campaign_id, unit_id, location, problem_type`)
		return err
	})
}

// TotalFacts lists the facts the area keeps running totals of (besides survey_counts).
func (FactSource) TotalFacts() []string { return []string{"survey"} }

// Recompute computes the survey band totals from the answers: the bands of the valid answers
// to residents' campaigns, per unit and day of answering.
func (FactSource) Recompute(ctx context.Context, tx *store.Tx) ([]assessment.Total, error) {
	rows, err := tx.Query(ctx, `SELECT a.unit_id, a.answered_at, a.band FROM survey_answers a JOIN survey_campaigns c ON c.id = a.campaign_id AND c.audience = 'residents'
		WHERE a.authenticity <> 'fake'`)
	if err != nil {
		return nil, fmt.Errorf("recompute survey: %w", err)
	}
	defer rows.Close()
	var out []assessment.Total
	for rows.Next() {
		var at time.Time
		var band int
		t := assessment.Total{Fact: "survey", SubjectKind: "unit", N: 1}
		if err := rows.Scan(&t.SubjectID, &at, &band); err != nil {
			return nil, err
		}
		t.Day, t.Bucket = Day(at), strconv.Itoa(band)
		out = append(out, t)
	}
	return out, rows.Err()
}
