package survey

import (
	"context"
	"encoding/json"
	"strconv"

	"manyi/internal/access"
	"manyi/internal/org"
	"manyi/internal/store"
)

// Results are a campaign's rates, distributions and classifications for the units the
// actor may read. AtSnapshot says the counts stop at the snapshot day (the quarter's
// figures); otherwise every answer so far counts.
type Results struct {
	Campaign     Campaign
	Template     Template
	AtSnapshot   bool
	Units        []UnitRates
	Distribution []QuestionCounts
	Locations    []Count
	Types        []Count
	Followups    map[string]int // by status
	Overdue      int
}

// QuestionCounts is how often each option of a choice or rating question was chosen.
type QuestionCounts struct {
	Question Question
	Options  []OptionCount
	Answered int
}

// OptionCount is one option's count.
type OptionCount struct {
	Label   string
	N       int
	Percent string
	Bar     int
}

// countsOf completes a selection of campaign c's running counts: as they stand, from the
// totals over the campaign (survey_unit_counts), or at its snapshot, from the counts per day.
func countsOf(c Campaign, atSnapshot bool, sel string) (string, []any) {
	if atSnapshot {
		return sel + " FROM survey_counts WHERE campaign_id = ? AND day <= ?", []any{c.ID, c.SnapshotOn}
	}
	return sel + " FROM survey_unit_counts WHERE campaign_id = ?", []any{c.ID}
}

// unitCounts sums a campaign's running counts per unit (survey_counts, kept with every
// change to an answer), up to the snapshot day when asked.
func unitCounts(ctx context.Context, tx *store.Tx, c Campaign, maxPoints int, atSnapshot bool) (map[int64]*UnitRates, error) {
	q, args := countsOf(c, atSnapshot, "SELECT unit_id, SUM(answered), SUM(fake), SUM(satisfied), SUM(dissatisfied), SUM(faults), SUM(opinions), SUM(points), SUM(bands)")
	rows, err := tx.Query(ctx, q+" GROUP BY unit_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*UnitRates{}
	for rows.Next() {
		u := &UnitRates{MaxPoints: maxPoints}
		if err := rows.Scan(&u.UnitID, &u.Answered, &u.Fake, &u.Satisfied, &u.Dissatisfied, &u.VerifiedFault, &u.Opinions, &u.PointsSum, &u.BandSum); err != nil {
			return nil, err
		}
		u.Valid = u.Answered - u.Fake
		out[u.UnitID] = u
	}
	return out, rows.Err()
}

// Rates returns a campaign's rates per unit the actor may read, from the running counts.
func Rates(ctx context.Context, db *store.DB, actor access.Principal, campaignID int64, atSnapshot bool) ([]UnitRates, error) {
	var out []UnitRates
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		out, err = rates(ctx, tx, tree, actor, campaignID, atSnapshot)
		return err
	})
	return out, err
}

// RatesOf returns the rates of several campaigns as they stand, by campaign: Rates with one
// read of the unit tree, which is a fifth of a campaign's rates at 2,000 units.
func RatesOf(ctx context.Context, db *store.DB, actor access.Principal, campaignIDs []int64) (map[int64][]UnitRates, error) {
	out := map[int64][]UnitRates{}
	err := db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range campaignIDs {
			if out[id], err = rates(ctx, tx, tree, actor, id, false); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func rates(ctx context.Context, tx *store.Tx, tree *org.Tree, actor access.Principal, campaignID int64, atSnapshot bool) ([]UnitRates, error) {
	c, err := getCampaign(ctx, tx, campaignID)
	if err != nil {
		return nil, err
	}
	if err := readableIn(tree, actor, &c); err != nil {
		return nil, err
	}
	t, err := getTemplate(ctx, tx, c.TemplateID)
	if err != nil {
		return nil, err
	}
	counts, err := unitCounts(ctx, tx, c, t.Def.MaxPoints(), atSnapshot)
	if err != nil {
		return nil, err
	}
	var out []UnitRates
	for _, cu := range c.Units {
		u := UnitRates{MaxPoints: t.Def.MaxPoints()}
		if x, ok := counts[cu.UnitID]; ok {
			u = *x
		}
		u.UnitID, u.UnitName, u.Households, u.ThresholdBP = cu.UnitID, cu.UnitName, cu.Households, cu.ThresholdBP
		out = append(out, u)
	}
	return out, nil
}

// Classification returns a campaign's opinions counted by problem location and by type,
// with their Pareto shares, over the units the actor may read.
func Classification(ctx context.Context, db *store.DB, actor access.Principal, campaignID int64, atSnapshot bool) (locations, types []Count, err error) {
	err = db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		locs, tys := map[string]int{}, map[string]int{}
		if err := classify(ctx, tx, tree, actor, campaignID, atSnapshot, locs, tys); err != nil {
			return err
		}
		locations, types = Pareto(locs), Pareto(tys)
		return nil
	})
	return locations, types, err
}

// ClassificationOf is Classification of several campaigns together, as they stand: their
// opinions counted by location and by type over all of them, with one read of the unit tree.
func ClassificationOf(ctx context.Context, db *store.DB, actor access.Principal, campaignIDs []int64) (locations, types []Count, err error) {
	err = db.Read(ctx, func(tx *store.Tx) error {
		tree, err := org.LoadTree(ctx, tx)
		if err != nil {
			return err
		}
		locs, tys := map[string]int{}, map[string]int{}
		for _, id := range campaignIDs {
			if err := classify(ctx, tx, tree, actor, id, false, locs, tys); err != nil {
				return err
			}
		}
		locations, types = Pareto(locs), Pareto(tys)
		return nil
	})
	return locations, types, err
}

// classify adds a campaign's opinions over the units the actor may read to the counts by
// location and by type.
func classify(ctx context.Context, tx *store.Tx, tree *org.Tree, actor access.Principal, campaignID int64, atSnapshot bool, locs, types map[string]int) error {
	c, err := getCampaign(ctx, tx, campaignID)
	if err != nil {
		return err
	}
	if err := readableIn(tree, actor, &c); err != nil {
		return err
	}
	units := map[int64]bool{}
	for _, cu := range c.Units {
		units[cu.UnitID] = true
	}
	return classification(ctx, tx, c, units, atSnapshot, locs, types)
}

// CampaignResults computes a campaign's results. unitID 0 takes every readable unit.
func CampaignResults(ctx context.Context, db *store.DB, actor access.Principal, campaignID, unitID int64, atSnapshot bool) (Results, error) {
	var r Results
	err := db.Read(ctx, func(tx *store.Tx) error {
		c, err := getCampaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if err := readable(ctx, tx, actor, &c); err != nil {
			return err
		}
		t, err := getTemplate(ctx, tx, c.TemplateID)
		if err != nil {
			return err
		}
		r.Campaign, r.Template, r.AtSnapshot = c, t, atSnapshot
		counts, err := unitCounts(ctx, tx, c, t.Def.MaxPoints(), atSnapshot)
		if err != nil {
			return err
		}
		units := map[int64]bool{}
		for _, cu := range c.Units {
			if unitID != 0 && cu.UnitID != unitID {
				continue
			}
			units[cu.UnitID] = true
			u := UnitRates{MaxPoints: t.Def.MaxPoints()}
			if x, ok := counts[cu.UnitID]; ok {
				u = *x
			}
			u.UnitID, u.UnitName, u.Households, u.ThresholdBP = cu.UnitID, cu.UnitName, cu.Households, cu.ThresholdBP
			r.Units = append(r.Units, u)
		}
		// Distributions read each answer's choices: a campaign holds a few thousand answers,
		// which is cheap; classification is a GROUP BY.
		q := "SELECT unit_id, answers FROM survey_answers WHERE campaign_id = ? AND authenticity <> 'fake'"
		args := []any{c.ID}
		if atSnapshot {
			q += " AND answered_at < ?"
			args = append(args, c.snapshotEnd())
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		dist := make([]map[int]int, len(t.Def.Questions))
		answered := make([]int, len(t.Def.Questions))
		for i := range dist {
			dist[i] = map[int]int{}
		}
		for rows.Next() {
			var uid int64
			var values string
			if err := rows.Scan(&uid, &values); err != nil {
				return err
			}
			if !units[uid] {
				continue
			}
			var v map[string][]string
			if err := json.Unmarshal([]byte(values), &v); err != nil {
				return err
			}
			for i, qu := range t.Def.Questions {
				if qu.Kind == Text || len(v[qu.Key]) == 0 {
					continue
				}
				answered[i]++
				for _, x := range v[qu.Key] {
					n, _ := strconv.Atoi(x)
					dist[i][n]++
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		locs, types := map[string]int{}, map[string]int{}
		if err := classification(ctx, tx, c, units, atSnapshot, locs, types); err != nil {
			return err
		}
		r.Locations, r.Types = Pareto(locs), Pareto(types)
		for i, qu := range t.Def.Questions {
			if qu.Kind == Text {
				continue
			}
			qc := QuestionCounts{Question: qu, Answered: answered[i]}
			labels := qu.Options
			if qu.Kind == Rating {
				labels = nil
				for _, l := range qu.Levels {
					labels = append(labels, l.Label)
				}
			}
			top := 0
			for j := range labels {
				top = max(top, dist[i][j+1])
			}
			for j, l := range labels {
				n := dist[i][j+1]
				oc := OptionCount{Label: l, N: n, Percent: "—"}
				if answered[i] > 0 {
					oc.Percent, _ = Percent("survey_answered", n, answered[i])
				}
				if top > 0 {
					oc.Bar = n * 10 / top * 10
				}
				qc.Options = append(qc.Options, oc)
			}
			r.Distribution = append(r.Distribution, qc)
		}
		r.Followups = map[string]int{}
		frows, err := tx.Query(ctx, `SELECT f.unit_id, f.status, f.due_at < ? FROM survey_followups f JOIN survey_answers a ON a.id = f.answer_id WHERE a.campaign_id = ?`, tx.Now, c.ID)
		if err != nil {
			return err
		}
		defer frows.Close()
		for frows.Next() {
			var uid int64
			var status string
			var late bool
			if err := frows.Scan(&uid, &status, &late); err != nil {
				return err
			}
			if !units[uid] {
				continue
			}
			r.Followups[status]++
			if status == FollowOpen && late {
				r.Overdue++
			}
		}
		return frows.Err()
	})
	return r, err
}

// Unclassified is the class of opinions without a location or type yet.
const Unclassified = "未分类"

func orUnclassified(s string) string {
	if s == "" {
		return Unclassified
	}
	return s
}

// classification adds a campaign's opinions in units, by problem location and by type, to
// locs and types, from the running counts.
func classification(ctx context.Context, tx *store.Tx, c Campaign, units map[int64]bool, atSnapshot bool, locs, types map[string]int) error {
	q, args := countsOf(c, atSnapshot, "SELECT unit_id, location, problem_type, SUM(classed)")
	rows, err := tx.Query(ctx, q+" GROUP BY unit_id, location, problem_type", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var loc, typ string
		var n int
		if err := rows.Scan(&uid, &loc, &typ, &n); err != nil {
			return err
		}
		if units[uid] && n > 0 {
			locs[orUnclassified(loc)] += n
			types[orUnclassified(typ)] += n
		}
	}
	return rows.Err()
}
