package target

import (
	"context"
	"testing"
	"time"

	"manyi/internal/access"
	"manyi/internal/errs"
	"manyi/internal/store"
	"manyi/internal/store/storetest"
)

func TestAttainedAtTheEdges(t *testing.T) {
	for _, tc := range []struct {
		value int
		c     Comparison
		thr   int
		want  bool
	}{
		{9600, Above, 9600, false}, {9601, Above, 9600, true}, // first-time pass "> 96 %"
		{9700, AtLeast, 9700, true}, {9699, AtLeast, 9700, false}, // on-time "≥ 97 %"
		{10000, AtLeast, 10000, true}, {9999, AtLeast, 10000, false}, // fulfilment 100 %
		{0, Exactly, 0, true}, {1, Exactly, 0, false}, // no plan filed late
		{3, AtMost, 3, true}, {4, AtMost, 3, false},
	} {
		if got := Attained(tc.value, tc.c, tc.thr); got != tc.want {
			t.Errorf("Attained(%d %s %d) = %v", tc.value, tc.c, tc.thr, got)
		}
	}
}

func TestFigureValueFloorsRates(t *testing.T) {
	// 2 of 3 is 66.666…%: the figure shows 66.66 %, never rounding a miss up into a pass.
	if v, ok := (Figure{Num: 2, Den: 3}).Value(Rate); !ok || v != 6666 {
		t.Errorf("2/3 = %d %v", v, ok)
	}
	if _, ok := (Figure{}).Value(Rate); ok {
		t.Error("a rate over nothing was measured")
	}
}

func TestParseThreshold(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		in   string
		want int
		key  string
	}{
		{Rate, "96", 9600, ""}, {Rate, "96.5", 9650, ""}, {Rate, "96.50 %", 9650, ""}, {Rate, "100", 10000, ""},
		{Rate, "100.01", 0, "target.percent_range"}, {Rate, "120", 0, "target.percent_range"}, {Rate, "-1", 0, "target.percent_range"},
		{Rate, "-0.5", 0, "target.percent_range"}, {Rate, "96.555", 0, "target.percent_invalid"}, {Rate, "abc", 0, "target.percent_invalid"},
		{Count, "0", 0, ""}, {Count, "2", 2, ""}, {Count, "-1", 0, "target.count_invalid"}, {Count, "1.5", 0, "target.count_invalid"},
	} {
		got, err := parseThreshold(tc.kind, tc.in)
		if tc.key == "" && (err != nil || got != tc.want) {
			t.Errorf("parseThreshold(%s, %q) = %d, %v; want %d", tc.kind, tc.in, got, err, tc.want)
		}
		if tc.key != "" && errs.As(err).Key != tc.key {
			t.Errorf("parseThreshold(%s, %q) = %v; want %s", tc.kind, tc.in, err, tc.key)
		}
	}
}

type fixed struct{ kind Kind }

func (fixed) Name() string { return "fixed" }
func (m fixed) Kind() Kind { return m.kind }
func (fixed) Figures(context.Context, *store.Tx, time.Time, time.Time) (map[int64]*Figure, error) {
	return map[int64]*Figure{}, nil
}

// TestSaveRefusals: a percentage outside 0–100, a threshold no rate can meet and a comparison
// that does not exist are refused and change nothing; a clerk's valid change is kept.
func TestSaveRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := Seed(ctx, db); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(store.Rebind(db.Dialect, "UPDATE service_targets SET measure = 'fixed' WHERE code = ?"), "eng-first-pass"); err != nil {
			t.Fatal(err)
		}
		e := NewEngine(db, fixed{Rate})
		clerk := access.Principal{UserID: 1, Username: "clerk", Grants: []access.Grant{{Role: access.Clerk}}}
		for _, tc := range []struct {
			in    Input
			actor access.Principal
			key   string
		}{
			{Input{Code: "eng-first-pass", Comparison: Above, Threshold: "120"}, clerk, "target.percent_range"},
			{Input{Code: "eng-first-pass", Comparison: Above, Threshold: "100"}, clerk, "target.unmeetable"},
			{Input{Code: "eng-first-pass", Comparison: "~", Threshold: "96"}, clerk, "err.invalid_choice"},
			{Input{Code: "no-such", Comparison: Above, Threshold: "96"}, clerk, "target.unknown"},
			{Input{Code: "eng-first-pass", Comparison: Above, Threshold: "95"}, access.Principal{UserID: 2, Grants: []access.Grant{{Role: access.Staff}}}, "err.forbidden"},
		} {
			if _, err := e.Save(ctx, tc.actor, tc.in); errs.As(err).Key != tc.key {
				t.Errorf("%+v: %v, want %s", tc.in, err, tc.key)
			}
		}
		got, err := e.Save(ctx, clerk, Input{Code: "eng-first-pass", Comparison: AtLeast, Threshold: "97.5"})
		if err != nil || got.ThresholdBP != 9750 || got.Comparison != AtLeast {
			t.Fatalf("save: %+v %v", got, err)
		}
	})
}
