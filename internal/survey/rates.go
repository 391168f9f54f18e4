package survey

import (
	"fmt"
	"sort"

	"manyi/internal/errs"
)

// SatisfactionMinBP is seed 001's requirement: 95 % of valid questionnaires basically
// satisfied or better.
const SatisfactionMinBP = 9500

// UnitRates are one unit's counts in a campaign. Valid excludes answers marked fake.
type UnitRates struct {
	UnitID        int64  `json:"unit_id"`
	UnitName      string `json:"unit_name"`
	Households    int    `json:"households"`
	ThresholdBP   int    `json:"threshold_bp"`
	Answered      int    `json:"answered"` // every answer, fake ones included
	Fake          int    `json:"fake"`
	Valid         int    `json:"valid"`
	Satisfied     int    `json:"satisfied_or_better"`
	Dissatisfied  int    `json:"dissatisfied"`
	VerifiedFault int    `json:"verified_fault_dissatisfied"`
	Opinions      int    `json:"opinions"`
	PointsSum     int    `json:"points_sum"`
	MaxPoints     int    `json:"max_points"`
	BandSum       int    `json:"band_sum"`
}

// Percent formats num/den as a percentage with two decimals, rounded half up, in exact
// integer arithmetic. A zero denominator is refused, naming field.
func Percent(field string, num, den int) (string, error) {
	if den <= 0 {
		return "", errs.Field(field, "survey.zero_denominator")
	}
	v := (int64(num)*20000 + int64(den)) / (2 * int64(den)) // hundredths of a percent
	return fmt.Sprintf("%d.%02d%%", v/100, v%100), nil
}

// ratio formats num/den with two decimals, half up; "—" when den is 0.
func ratio(num, den int) string {
	if den <= 0 {
		return "—"
	}
	v := (int64(num)*200 + int64(den)) / (2 * int64(den))
	return fmt.Sprintf("%d.%02d", v/100, v%100)
}

// ResponseRate is valid questionnaires ÷ households; households of zero is refused.
func (u UnitRates) ResponseRate() (string, error) {
	return Percent("households", u.Valid, u.Households)
}

// ResponseOK reports whether the response rate reaches the threshold (inclusive).
func (u UnitRates) ResponseOK() bool {
	return u.Households > 0 && int64(u.Valid)*10000 >= int64(u.ThresholdBP)*int64(u.Households)
}

// SatisfactionRate is basically satisfied or better ÷ valid; "—" without valid answers.
func (u UnitRates) SatisfactionRate() string {
	s, err := Percent("survey_valid", u.Satisfied, u.Valid)
	if err != nil {
		return "—"
	}
	return s
}

// SatisfactionOK reports whether the satisfaction rate reaches 95 %.
func (u UnitRates) SatisfactionOK() bool {
	return u.Valid > 0 && int64(u.Satisfied)*10000 >= SatisfactionMinBP*int64(u.Valid)
}

// BandMean is the mean band points (unit-monthly's survey component), two decimals.
func (u UnitRates) BandMean() string { return ratio(u.BandSum, u.Valid) }

// Score is the questionnaire score 0–100: mean points over the scale's best, two decimals.
func (u UnitRates) Score() string { return ratio(u.PointsSum*100, u.Valid*u.MaxPoints) }

// Deduction is the unit head's survey-quarterly deduction from these counts (docs/policies.md §2),
// without improper means: −1 below the response threshold, −3 below 95 % satisfied, −1 per
// verified fault. It is what the scheme computes, shown beside the rates.
func (u UnitRates) Deduction() int {
	d := 0
	if !u.ResponseOK() {
		d--
	}
	if !u.SatisfactionOK() {
		d -= 3
	}
	return d - u.VerifiedFault
}

// ThresholdPercent formats the threshold.
func (u UnitRates) ThresholdPercent() string {
	return fmt.Sprintf("%d.%02d%%", u.ThresholdBP/100, u.ThresholdBP%100)
}

// Count is one class of a classification with its running share.
type Count struct {
	Key        string `json:"key"`
	N          int    `json:"n"`
	Cumulative string `json:"cumulative"` // running percentage of the total, for a Pareto chart
	Bar        int    `json:"bar"`        // N against the largest, in tens of percent, for drawing
}

// Pareto sorts counts from the largest down (ties by key) and fills the running share.
func Pareto(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	total, top := 0, 0
	for k, n := range m {
		out = append(out, Count{Key: k, N: n})
		total += n
		top = max(top, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Key < out[j].Key
	})
	run := 0
	for i := range out {
		run += out[i].N
		out[i].Cumulative, _ = Percent("survey_total", run, total)
		if top > 0 {
			out[i].Bar = out[i].N * 10 / top * 10
		}
	}
	return out
}
