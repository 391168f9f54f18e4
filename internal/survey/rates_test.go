package survey

import (
	"strings"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		num, den int
		want     string
	}{
		{100, 400, "25.00%"}, {93, 100, "93.00%"}, {1, 3, "33.33%"}, {2, 3, "66.67%"}, {1, 8, "12.50%"}, {0, 7, "0.00%"}, {7, 7, "100.00%"},
		{1, 200000, "0.00%"}, {1, 20000, "0.01%"}, // half up
	} {
		if got, err := Percent("x", c.num, c.den); err != nil || got != c.want {
			t.Errorf("%d/%d = %s %v, want %s", c.num, c.den, got, err, c.want)
		}
	}
	if _, err := Percent("households", 1, 0); err == nil {
		t.Error("a zero denominator is not refused")
	}
}

func TestThresholds(t *testing.T) {
	for _, c := range []struct {
		u        UnitRates
		response bool
		satisfy  bool
		deduct   int
	}{
		{UnitRates{Households: 400, ThresholdBP: 3000, Valid: 120, Satisfied: 114}, true, true, 0}, // exactly 30 % and 95 %: inclusive
		{UnitRates{Households: 400, ThresholdBP: 3000, Valid: 119, Satisfied: 114}, false, true, -1},
		{UnitRates{Households: 400, ThresholdBP: 3000, Valid: 100, Satisfied: 93, VerifiedFault: 2}, false, false, -6}, // docs/policies.md §2
		{UnitRates{Households: 10, ThresholdBP: 1000, Valid: 0}, false, false, -4},
	} {
		if c.u.ResponseOK() != c.response || c.u.SatisfactionOK() != c.satisfy || c.u.Deduction() != c.deduct {
			t.Errorf("%+v: response %v satisfaction %v deduction %d", c.u, c.u.ResponseOK(), c.u.SatisfactionOK(), c.u.Deduction())
		}
	}
	// docs/policies.md §1's worked example: 6 × 20, 3 × 16, 1 × 12 → 18.00.
	if got := (UnitRates{Valid: 10, BandSum: 6*20 + 3*16 + 12}).BandMean(); got != "18.00" {
		t.Errorf("band mean %s, want 18.00", got)
	}
	if got := (UnitRates{Valid: 3, PointsSum: 50, MaxPoints: 20}).Score(); got != "83.33" {
		t.Errorf("score %s, want 83.33", got)
	}
}

func TestPareto(t *testing.T) {
	got := Pareto(map[string]int{"保洁卫生": 3, "设施维修": 5, "其他": 1, "安全秩序": 3})
	var keys []string
	for _, c := range got {
		keys = append(keys, c.Key+":"+c.Cumulative)
	}
	if want := "设施维修:41.67%,保洁卫生:66.67%,安全秩序:91.67%,其他:100.00%"; strings.Join(keys, ",") != want {
		t.Errorf("pareto %s, want %s", strings.Join(keys, ","), want)
	}
	if got[0].Bar != 100 || got[3].Bar != 20 {
		t.Errorf("bars %d %d", got[0].Bar, got[3].Bar)
	}
}

func TestDetect(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	var rows []SignalRow
	// Six online answers from one phone within five minutes, all alike.
	for i := range 6 {
		rows = append(rows, SignalRow{ID: int64(i + 1), UnitID: 1, UnitName: "玫瑰区", Channel: Online, ClientKey: "aaaaaaaaaaaa", Pattern: "p", At: t0.Add(time.Duration(i) * time.Minute)})
	}
	// Four more from another phone, an hour apart: nothing.
	for i := range 4 {
		rows = append(rows, SignalRow{ID: int64(10 + i), UnitID: 1, UnitName: "玫瑰区", Channel: Online, ClientKey: "bbbbbbbbbbbb", Pattern: "q", At: t0.Add(time.Duration(i) * time.Hour)})
	}
	// A paper answer typed by the rated unit's own staff.
	rows = append(rows, SignalRow{ID: 20, UnitID: 2, UnitName: "永馨园", Channel: Paper, EnteredBy: "steward", StaffOfUnit: true, At: t0})
	current := map[int64]Rate{1: {Satisfied: 40, Valid: 40}, 2: {Satisfied: 30, Valid: 40}}
	history := map[int64]Rate{1: {Satisfied: 60, Valid: 80}, 2: {Satisfied: 30, Valid: 40}}
	got := map[string]int{}
	for _, s := range Detect(rows, current, history) {
		got[s.Kind] += len(s.AnswerIDs)
		if s.Kind == AboveHistory && s.UnitID != 1 {
			t.Errorf("above-history signal for unit %d", s.UnitID)
		}
	}
	if got[SameClient] != 6 || got[IdenticalBurst] != 6 || got[StaffEntry] != 1 {
		t.Errorf("signals %v", got)
	}
	if _, ok := got[AboveHistory]; !ok {
		t.Error("100 % against 75 % is not flagged")
	}
}
