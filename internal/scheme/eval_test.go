package scheme

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"manyi/internal/errs"
	"manyi/internal/locale"
)

// evaluate runs a built-in template over a facts file written as JSON.
func evaluate(t *testing.T, code, facts string) []Result {
	t.Helper()
	s, err := Builtin(code)
	if err != nil {
		t.Fatalf("Builtin(%s): %v", code, err)
	}
	f, err := ParseFacts([]byte(facts))
	if err != nil {
		t.Fatalf("ParseFacts: %v", err)
	}
	rs, err := s.Evaluate(f...)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return rs
}

// one wraps one subject's one period of facts (a JSON object) into a facts file.
func one(period, facts string) string {
	return fmt.Sprintf(`{"subjects":[{"id":"S","periods":{%q:%s}}]}`, period, facts)
}

// summary is a result in one comparable line: status, components, total, grade, money, flags.
func summary(r Result) string {
	var b strings.Builder
	b.WriteString(string(r.Status))
	for _, c := range r.Components {
		fmt.Fprintf(&b, " %s=%s", c.Code, c.Value)
	}
	if r.Total != nil {
		fmt.Fprintf(&b, " total=%s", r.Total)
	}
	if r.Grade != nil {
		fmt.Fprintf(&b, " grade=%s", r.Grade.Code)
	}
	for _, m := range []string{"reward", "penalty", "fine"} {
		if a, ok := r.Money[m]; ok {
			fmt.Fprintf(&b, " %s=%s", m, a)
		}
	}
	if len(r.Flags) > 0 {
		fmt.Fprintf(&b, " flags=%s", strings.Join(r.Flags, ","))
	}
	return b.String()
}

// Every worked example of docs/policies.md, exactly.
func TestWorkedExamples(t *testing.T) {
	tests := []struct {
		name, code, facts string
		want              []string // summary per result, in period order
	}{
		{
			name: "§1 unit-monthly October: 47 + 18 + 24 = 89, fail; with March also failed → year-end ineligible",
			code: "unit-monthly",
			facts: `{"subjects":[{"id":"牡丹处","periods":{
				"2026-03":{"inspections":2,"problems":12,"survey":[20,16],"complaints_valid":0,"complaints_major":0},
				"2026-10":{"inspections":1,"problems":3,"survey":[20,20,20,20,20,20,16,16,16,12],"complaints_valid":1,"complaints_major":0}}}]}`,
			want: []string{
				"scored standards=38 survey_score=18 complaints=30 total=86 grade=fail",
				"scored standards=47 survey_score=18 complaints=24 total=89 grade=fail flags=year_end_ineligible",
			},
		},
		{
			name:  "§2 survey-quarterly 永馨园: −1 −3 −2 = −6",
			code:  "survey-quarterly",
			facts: one("2026-Q3", `{"households":400,"threshold":0.30,"valid":100,"satisfied_or_better":93,"verified_fault_dissatisfied":2,"improper_means":0}`),
			want:  []string{"scored response=-1 satisfaction=-3 faults=-2 improper=0 total=-6 fine=0"},
		},
		{
			name: "§3 dept-quarterly-weighted 40/30/30: 36.8 + 30 + 24 − 1 = 89.8, fail, penalty 5000",
			code: "dept-quarterly-weighted",
			facts: one("2026-Q1", `{"weights":{"self":40,"survey":30,"complaints":30},
				"self_checks":{"2026-01":94,"2026-02":95,"2026-03":93},"spot_checks":{"2026-02":93},
				"questionnaire":96,"complaints_valid":2,"callback_deductions":[1]}`),
			want: []string{"scored self_check=92 questionnaire_score=100 complaint_score=80 callbacks=-1 total=89.8 grade=fail reward=0 penalty=5000"},
		},
		{
			name: "§4 maintainer-monthly: 386 ÷ 20 = 19.3, + 20 × 0.15 = 22.3",
			code: "maintainer-monthly",
			facts: one("2026-10", `{"orders":[[10,10],[10,10],[10,10],[10,10],[10,10],[10,10],[10,10],[10,10],
				[10,10],[10,10],[10,10],[10,10],[10,10],[10,10],[10,10],[8,10],[8,10],[8,10],[8,10],[8,6]]}`),
			want: []string{"scored average=19.3 volume=3 total=22.3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := evaluate(t, tt.code, tt.facts)
			if len(rs) != len(tt.want) {
				t.Fatalf("got %d results, want %d", len(rs), len(tt.want))
			}
			for i, r := range rs {
				if got := summary(r); got != tt.want[i] {
					t.Errorf("%s %s:\n got  %s\n want %s", r.Subject, r.Period, got, tt.want[i])
				}
			}
		})
	}
}

// The October example's explanations name their inputs, and the result records the scheme.
func TestExplanationsAndVersion(t *testing.T) {
	rs := evaluate(t, "unit-monthly", one("2026-10",
		`{"inspections":1,"problems":3,"survey":[20,20,20,20,20,20,16,16,16,12],"complaints_valid":1}`))
	r := rs[0]
	if r.Scheme != "unit-monthly" || r.Version != 1 {
		t.Errorf("scheme %s v%d", r.Scheme, r.Version)
	}
	want := []string{
		"50 − 3 problems × 1 = 47 (floor 0)",
		"mean band points of 10 evaluations = 18 (very satisfied 6, basically satisfied 3, neutral 1, not very satisfied 0, very dissatisfied 0)",
		"30 − 1 valid × 6 − 0 major × 12 = 24 (floor 0)",
	}
	for i, c := range r.Components {
		if c.Explanation.EN != want[i] {
			t.Errorf("%s explanation:\n got  %s\n want %s", c.Code, c.Explanation.EN, want[i])
		}
		if c.Explanation.ZH == "" || c.Max == nil {
			t.Errorf("%s: missing zh explanation or max", c.Code)
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"total":"89"`, `"value":"47","max":"50"`, `"grade":{"code":"fail","name":{"zh":"不合格","en":"Fail"}}`} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("JSON lacks %s:\n%s", frag, b)
		}
	}
}

func TestUnitMonthly(t *testing.T) {
	const sixEvals = `"survey":[20,20,20,20,20,20]`
	tests := []struct {
		name, facts, want string
	}{
		{"60 problems floor the standards at 0, not −10",
			`{"inspections":3,"problems":60,` + sixEvals + `}`,
			"scored standards=0 survey_score=20 complaints=30 total=50 grade=fail"},
		{"a major complaint costs 12, not 12 + 6",
			`{"inspections":1,"problems":0,` + sixEvals + `,"complaints_major":1}`,
			"scored standards=50 survey_score=20 complaints=18 total=88 grade=fail"},
		{"a valid complaint costs 6",
			`{"inspections":1,"problems":0,` + sixEvals + `,"complaints_valid":1}`,
			"scored standards=50 survey_score=20 complaints=24 total=94 grade=pass"},
		{"valid and major together",
			`{"inspections":1,` + sixEvals + `,"complaints_valid":1,"complaints_major":1}`,
			"scored standards=50 survey_score=20 complaints=12 total=82 grade=fail"},
		{"complaints floor at 0",
			`{"inspections":1,` + sixEvals + `,"complaints_valid":3,"complaints_major":2}`,
			"scored standards=50 survey_score=20 complaints=0 total=70 grade=fail"},
		{"complaints alone make a scored month (no inspection)",
			`{` + sixEvals + `,"complaints_valid":1}`,
			"scored standards=50 survey_score=20 complaints=24 total=94 grade=pass"},
		{"95 exactly is excellent",
			`{"inspections":1,"problems":5,` + sixEvals + `}`,
			"scored standards=45 survey_score=20 complaints=30 total=95 grade=excellent"},
		{"94 is pass", `{"inspections":1,"problems":6,` + sixEvals + `}`,
			"scored standards=44 survey_score=20 complaints=30 total=94 grade=pass"},
		{"90 exactly is pass", `{"inspections":1,"problems":10,` + sixEvals + `}`,
			"scored standards=40 survey_score=20 complaints=30 total=90 grade=pass"},
		{"a mean that does not terminate is rounded half up to 2 places",
			`{"inspections":1,"survey":[20,16,16]}`,
			"scored standards=50 survey_score=17.33 complaints=30 total=97.33 grade=excellent"},
		{"no inspection and no complaint: no opinion, even with a survey",
			`{"inspections":0,` + sixEvals + `}`, "no_opinion"},
		{"no facts at all: no opinion", `{}`, "no_opinion"},
		{"inspections but no survey evaluation: incomplete, never filled",
			`{"inspections":2,"problems":1}`, "incomplete"},
		{"a complaint but no survey evaluation: incomplete",
			`{"complaints_major":1,"survey":[]}`, "incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := evaluate(t, "unit-monthly", one("2026-05", tt.facts))[0]
			if got := summary(r); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if r.Status != Scored && (r.Reason == nil || r.Reason.EN == "" || r.Reason.ZH == "" || r.Total != nil || r.Grade != nil) {
				t.Errorf("a %s result needs a reason and no total or grade: %+v", r.Status, r)
			}
		})
	}
}

// Grade edges with a scheme whose total is given directly, so 94.99 and 89.99 can be reached.
func TestUnitMonthlyGradeEdges(t *testing.T) {
	s, err := Builtin("unit-monthly")
	if err != nil {
		t.Fatal(err)
	}
	s.Params = append(s.Params, Param{Name: "shift", Value: Decimal{}})
	s.Total = "standards + survey_score + complaints - shift"
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ shift, total, grade string }{
		{"4.01", "95.99", "excellent"}, {"5", "95", "excellent"}, {"5.01", "94.99", "pass"},
		{"10", "90", "pass"}, {"10.01", "89.99", "fail"}, {"100", "0", "fail"},
	} {
		s.c.params["shift"] = MustDecimal(tt.shift)
		f, _ := ParseFacts([]byte(one("2026-05", `{"inspections":1,"survey":[20]}`)))
		rs, err := s.Evaluate(f...)
		if err != nil {
			t.Fatal(err)
		}
		if r := rs[0]; r.Total.String() != tt.total || r.Grade.Code != tt.grade {
			t.Errorf("shift %s: total %s grade %s, want %s %s", tt.shift, r.Total, r.Grade.Code, tt.total, tt.grade)
		}
	}
}

func TestTwoFailsInAYear(t *testing.T) {
	fail := `{"inspections":1,"problems":20,"survey":[20]}` // 30 + 20 + 30 = 80
	pass := `{"inspections":1,"problems":0,"survey":[20]}`  // 100
	flags := func(periods string) string {
		rs := evaluate(t, "unit-monthly", `{"subjects":[{"id":"U","periods":{`+periods+`}}]}`)
		var out []string
		for _, r := range rs {
			out = append(out, r.Period+":"+strings.Join(r.Flags, ","))
		}
		return strings.Join(out, " ")
	}
	tests := []struct{ name, periods, want string }{
		{"March and October: the flag comes with October and stays",
			`"2026-03":` + fail + `,"2026-06":` + pass + `,"2026-10":` + fail + `,"2026-11":` + pass,
			"2026-03: 2026-06: 2026-10:year_end_ineligible 2026-11:year_end_ineligible"},
		{"one fail a year in two years is no flag",
			`"2025-12":` + fail + `,"2026-01":` + fail,
			"2025-12: 2026-01:"},
		{"a no-opinion month does not count",
			`"2026-03":` + fail + `,"2026-04":{"survey":[4]}`,
			"2026-03: 2026-04:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := flags(tt.periods); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSurveyQuarterly(t *testing.T) {
	tests := []struct{ name, facts, want string }{
		{"thresholds are inclusive: 30 % and 95 % exactly cost nothing",
			`{"households":400,"threshold":0.3,"valid":120,"satisfied_or_better":114}`,
			"scored response=0 satisfaction=0 faults=0 improper=0 total=0 fine=0"},
		{"牡丹处 at 10 %", `{"households":1000,"threshold":0.10,"valid":100,"satisfied_or_better":100}`,
			"scored response=0 satisfaction=0 faults=0 improper=0 total=0 fine=0"},
		{"just below 10 %", `{"households":1001,"threshold":0.10,"valid":100,"satisfied_or_better":100}`,
			"scored response=-1 satisfaction=0 faults=0 improper=0 total=-1 fine=0"},
		{"improper means: 100 yuan and −5 each",
			`{"households":100,"threshold":0.3,"valid":50,"satisfied_or_better":50,"improper_means":2}`,
			"scored response=0 satisfaction=0 faults=0 improper=-10 total=-10 fine=200"},
		{"no valid questionnaire: incomplete", `{"households":100,"threshold":0.3,"valid":0,"satisfied_or_better":0}`,
			"incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(evaluate(t, "survey-quarterly", one("2026-Q2", tt.facts))[0]); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDeptQuarterlyWeighted(t *testing.T) {
	base := func(selfCheck string, extra string) string {
		return `{"weights":{"self":40,"survey":30,"complaints":30},"self_checks":{"2026-04":` + selfCheck +
			`},"questionnaire":100` + extra + `}`
	}
	tests := []struct{ name, facts, want string }{
		{"all 100: excellent, reward at the cap (100 − 95) × 2000",
			base("100", ""),
			"scored self_check=100 questionnaire_score=100 complaint_score=100 callbacks=0 total=100 grade=excellent reward=10000 penalty=0"},
		{"exactly 95 is pass: no money",
			base("87.5", ""),
			"scored self_check=87.5 questionnaire_score=100 complaint_score=100 callbacks=0 total=95 grade=pass reward=0 penalty=0"},
		{"95.01 is excellent: reward 20",
			base("87.525", ""),
			"scored self_check=87.53 questionnaire_score=100 complaint_score=100 callbacks=0 total=95.01 grade=excellent reward=20 penalty=0"},
		{"94.99 fails: penalty 10",
			base("87.475", ""),
			"scored self_check=87.48 questionnaire_score=100 complaint_score=100 callbacks=0 total=94.99 grade=fail reward=0 penalty=10"},
		{"90 fails: penalty 5000",
			base("75", ""),
			"scored self_check=75 questionnaire_score=100 complaint_score=100 callbacks=0 total=90 grade=fail reward=0 penalty=5000"},
		{"89.99 and below count as 90: penalty stays at the cap 5000",
			base("74.975", ""),
			"scored self_check=74.98 questionnaire_score=100 complaint_score=100 callbacks=0 total=89.99 grade=fail reward=0 penalty=5000"},
		{"zero: penalty still 5000",
			`{"weights":{"self":40,"survey":30,"complaints":30},"self_checks":{"2026-04":0},"questionnaire":0,"complaints_valid":11}`,
			"scored self_check=0 questionnaire_score=0 complaint_score=0 callbacks=0 total=0 grade=fail reward=0 penalty=5000"},
		{"questionnaire 94.99 stays; direct deductions and complaints floor at 0",
			`{"weights":{"self":40,"survey":30,"complaints":30},"self_checks":{"2026-04":100},"questionnaire":94.99,"complaints_valid":9,"direct_deductions":15}`,
			"scored self_check=100 questionnaire_score=94.99 complaint_score=0 callbacks=0 total=68.5 grade=fail reward=0 penalty=5000"},
		{"a spot check above the self check costs nothing",
			`{"weights":{"self":100,"survey":0,"complaints":0},"self_checks":{"2026-04":90,"2026-05":92},"spot_checks":{"2026-04":95,"2026-05":90},"questionnaire":0,"callback_deductions":[0.5,0.5]}`,
			"scored self_check=89 questionnaire_score=0 complaint_score=100 callbacks=-1 total=88 grade=fail reward=0 penalty=5000"},
		{"no weights in facts or scheme: incomplete",
			`{"self_checks":{"2026-04":100},"questionnaire":100}`, "incomplete"},
		{"no key customer answered: incomplete, not a questionnaire of 0",
			base("100", `,"questionnaire_missing":true`), "incomplete"},
		{"key customers answered: scored",
			base("100", `,"questionnaire_missing":false`),
			"scored self_check=100 questionnaire_score=100 complaint_score=100 callbacks=0 total=100 grade=excellent reward=10000 penalty=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(evaluate(t, "dept-quarterly-weighted", one("2026-Q2", tt.facts))[0]); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// The scheme's own weights apply when facts carry none; facts' weights override them.
func TestDeptWeightsFromScheme(t *testing.T) {
	s, err := Builtin("dept-quarterly-weighted")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CanActivate(); errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "100%") {
		t.Fatalf("CanActivate without weights = %v, want a refusal naming 100%%", err)
	}
	s.Weights.Values = map[string]Decimal{"self": MustDecimal("50"), "survey": MustDecimal("25"), "complaints": MustDecimal("25")}
	if err := s.CanActivate(); err != nil {
		t.Fatalf("CanActivate with weights: %v", err)
	}
	f, _ := ParseFacts([]byte(`{"subjects":[{"id":"D","periods":{
		"2026-Q1":{"self_checks":{"2026-01":90},"questionnaire":100},
		"2026-Q2":{"weights":{"self":40,"survey":30,"complaints":30},"self_checks":{"2026-04":90},"questionnaire":100}}}]}`))
	rs, err := s.Evaluate(f...)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Total.String() != "95" || rs[1].Total.String() != "96" {
		t.Errorf("totals %s, %s; want 95 (50/25/25) and 96 (40/30/30)", rs[0].Total, rs[1].Total)
	}
	s.Weights.Values["self"] = MustDecimal("49.9")
	if err := s.CanActivate(); err == nil || !strings.Contains(err.Error(), "99.9") {
		t.Errorf("weights summing to 99.9: %v", err)
	}
}

func TestRewardBudget(t *testing.T) {
	// Each excellent quarter at 100 earns 10,000 yuan: the third reward of 2026 reaches 30,000,
	// which is within the budget; the fourth exceeds it. 2027 starts afresh.
	q := `{"weights":{"self":40,"survey":30,"complaints":30},"self_checks":{"%s":100},"questionnaire":100}`
	facts := `{"subjects":[{"id":"A","periods":{"2026-Q1":` + fmt.Sprintf(q, "2026-01") + `,"2026-Q2":` + fmt.Sprintf(q, "2026-04") + `}},
		{"id":"B","periods":{"2026-Q1":` + fmt.Sprintf(q, "2026-02") + `,"2026-Q2":` + fmt.Sprintf(q, "2026-05") + `,"2027-Q1":` + fmt.Sprintf(q, "2027-01") + `}}]}`
	var got []string
	for _, r := range evaluate(t, "dept-quarterly-weighted", facts) {
		got = append(got, r.Subject+r.Period+":"+strings.Join(r.Flags, ","))
	}
	want := "A2026-Q1: A2026-Q2: B2026-Q1: B2026-Q2:reward_budget_exceeded B2027-Q1:"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestMaintainerMonthly(t *testing.T) {
	tests := []struct{ name, facts, want string }{
		{"one perfect order", `{"orders":[[10,10]]}`, "scored average=20 volume=0.15 total=20.15"},
		{"a mean of thirds is rounded", `{"orders":[[10,10],[10,8],[10,8]]}`, "scored average=18.67 volume=0.45 total=19.12"},
		{"the lowest order is 12", `{"orders":[[6,6]]}`, "scored average=12 volume=0.15 total=12.15"},
		{"no evaluated order: no opinion", `{"orders":[]}`, "no_opinion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(evaluate(t, "maintainer-monthly", one("2026-10", tt.facts))[0]); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCareDeductions(t *testing.T) {
	month := func(points ...string) string {
		var ds []string
		for _, p := range points {
			double := strings.HasSuffix(p, "x2")
			ds = append(ds, fmt.Sprintf(`{"points":%s,"double":%t}`, strings.TrimSuffix(p, "x2"), double))
		}
		return `{"deductions":[` + strings.Join(ds, ",") + `]}`
	}
	tests := []struct {
		name    string
		periods string
		want    []string
	}{
		{"1 point is 10 yuan; a double deduction counts twice; 30 means base salary only",
			`"2026-01":` + month("10", "5x2", "2.5"),
			[]string{"scored deducted=22.5 total=22.5 penalty=225"}},
		{"exactly 30, then 30 again: dismissal review with the second month",
			`"2026-01":` + month("30") + `,"2026-02":` + month("15x2"),
			[]string{"scored deducted=30 total=30 penalty=300 flags=base_salary_only",
				"scored deducted=30 total=30 penalty=300 flags=base_salary_only,dismissal_review"}},
		{"29.5 breaks the run",
			`"2026-01":` + month("30") + `,"2026-02":` + month("29.5") + `,"2026-03":` + month("31"),
			[]string{"scored deducted=30 total=30 penalty=300 flags=base_salary_only",
				"scored deducted=29.5 total=29.5 penalty=295",
				"scored deducted=31 total=31 penalty=310 flags=base_salary_only"}},
		{"December and January are consecutive",
			`"2025-12":` + month("40") + `,"2026-01":` + month("30"),
			[]string{"scored deducted=40 total=40 penalty=400 flags=base_salary_only",
				"scored deducted=30 total=30 penalty=300 flags=base_salary_only,dismissal_review"}},
		{"a month missing between is no run",
			`"2026-01":` + month("40") + `,"2026-03":` + month("30"),
			[]string{"scored deducted=40 total=40 penalty=400 flags=base_salary_only",
				"scored deducted=30 total=30 penalty=300 flags=base_salary_only"}},
		{"no deductions", `"2026-01":{}`, []string{"scored deducted=0 total=0 penalty=0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := evaluate(t, "care-deductions", `{"subjects":[{"id":"P","periods":{`+tt.periods+`}}]}`)
			if len(rs) != len(tt.want) {
				t.Fatalf("%d results, want %d", len(rs), len(tt.want))
			}
			for i, r := range rs {
				if got := summary(r); got != tt.want[i] {
					t.Errorf("%s:\n got  %s\n want %s", r.Period, got, tt.want[i])
				}
			}
		})
	}
}

// Bad facts are refused naming the subject, the period and the fact, and nothing is computed.
func TestBadFacts(t *testing.T) {
	tests := []struct {
		name, code, facts string
		want              string // English message, in full
	}{
		{"unknown fact", "unit-monthly", `{"subjects":[{"id":"牡丹处","periods":{"2026-10":{"problemz":3}}}]}`,
			"subject “牡丹处”, period 2026-10: unknown fact “problemz” (this scheme takes inspections, problems, survey, complaints_valid, complaints_major)"},
		{"wrong type", "unit-monthly", one("2026-10", `{"inspections":"two"}`),
			"subject “S”, period 2026-10, fact inspections: wrong type, expected count"},
		{"negative count", "unit-monthly", one("2026-10", `{"inspections":1,"problems":-1}`),
			"subject “S”, period 2026-10, fact problems: a count cannot be negative (-1)"},
		{"fractional count", "unit-monthly", one("2026-10", `{"inspections":1.5}`),
			"subject “S”, period 2026-10, fact inspections: a count must be a whole number (1.5)"},
		{"not a band", "unit-monthly", one("2026-10", `{"inspections":1,"survey":[20,15]}`),
			"subject “S”, period 2026-10, fact survey[2]: 15 is not an allowed value (20, 16, 12, 8, 4)"},
		{"survey not a list", "unit-monthly", one("2026-10", `{"inspections":1,"survey":20}`),
			"subject “S”, period 2026-10, fact survey: wrong type, expected list"},
		{"not a period", "unit-monthly", one("2026-13", `{}`),
			"subject “S”: “2026-13” is not a month period (e.g. 2026-03)"},
		{"a quarter for a monthly scheme", "unit-monthly", one("2026-Q1", `{}`),
			"subject “S”: “2026-Q1” is not a month period (e.g. 2026-03)"},
		{"a month for a quarterly scheme", "survey-quarterly", one("2026-03", `{}`),
			"subject “S”: “2026-03” is not a quarter period (e.g. 2026-Q1)"},
		{"problems without inspection", "unit-monthly", one("2026-10", `{"problems":2}`),
			"subject “S”, period 2026-10, fact problems: problems need at least one inspection; give inspections too"},
		{"missing required fact", "survey-quarterly", one("2026-Q1", `{"households":10,"threshold":0.1,"valid":1}`),
			"subject “S”, period 2026-Q1: the fact “satisfied_or_better” is missing"},
		{"threshold above 1", "survey-quarterly", one("2026-Q1", `{"households":10,"threshold":30,"valid":1,"satisfied_or_better":1}`),
			"subject “S”, period 2026-Q1, fact threshold: 30 is outside 0 to 1"},
		{"satisfied above valid", "survey-quarterly", one("2026-Q1", `{"households":10,"threshold":0.1,"valid":1,"satisfied_or_better":2}`),
			"subject “S”, period 2026-Q1, fact satisfied_or_better: cannot exceed the valid questionnaires"},
		{"zero households", "survey-quarterly", one("2026-Q1", `{"households":0,"threshold":0.1,"valid":0,"satisfied_or_better":0}`),
			"subject “S”, period 2026-Q1, fact households: 0 is outside 1 to ∞"},
		{"callback deduction outside 0.5–1", "dept-quarterly-weighted",
			one("2026-Q1", `{"self_checks":{"2026-01":90},"questionnaire":90,"callback_deductions":[0.5,1.5]}`),
			"subject “S”, period 2026-Q1, fact callback_deductions[2]: 1.5 is outside 0.5 to 1"},
		{"callback deduction below 0.5", "dept-quarterly-weighted",
			one("2026-Q1", `{"self_checks":{"2026-01":90},"questionnaire":90,"callback_deductions":[0.4]}`),
			"subject “S”, period 2026-Q1, fact callback_deductions[1]: 0.4 is outside 0.5 to 1"},
		{"weights not summing to 100", "dept-quarterly-weighted",
			one("2026-Q1", `{"weights":{"self":40,"survey":30,"complaints":20},"self_checks":{"2026-01":90},"questionnaire":90}`),
			"subject “S”, period 2026-Q1, fact weights: the weights sum to 90%; they must sum to exactly 100%"},
		{"weights missing a key", "dept-quarterly-weighted",
			one("2026-Q1", `{"weights":{"self":70,"survey":30},"self_checks":{"2026-01":90},"questionnaire":90}`),
			"subject “S”, period 2026-Q1, fact weights.complaints: this key is missing"},
		{"a self-check month outside the quarter", "dept-quarterly-weighted",
			one("2026-Q1", `{"self_checks":{"2026-04":90},"questionnaire":90}`),
			"subject “S”, period 2026-Q1, fact self_checks.2026-04: the key “2026-04” is not a month within 2026-Q1"},
		{"a spot check without its self check", "dept-quarterly-weighted",
			one("2026-Q1", `{"self_checks":{"2026-01":90},"spot_checks":{"2026-02":80},"questionnaire":90}`),
			"subject “S”, period 2026-Q1, fact spot_checks: every spot-checked month needs that month's self-check score"},
		{"an order with three scores", "maintainer-monthly", one("2026-10", `{"orders":[[10,10],[10,10,10]]}`),
			"subject “S”, period 2026-10, fact orders[2]: each row must have exactly 2 numbers"},
		{"a rating that is not 10, 8 or 6", "maintainer-monthly", one("2026-10", `{"orders":[[10,9]]}`),
			"subject “S”, period 2026-10, fact orders[1][2]: 9 is not an allowed value (10, 8, 6)"},
		{"a deduction without points", "care-deductions", one("2026-10", `{"deductions":[{"double":true}]}`),
			"subject “S”, period 2026-10, fact deductions[1].points: this field is missing"},
		{"a deduction with an unknown field", "care-deductions", one("2026-10", `{"deductions":[{"points":1,"reason":"x"}]}`),
			"subject “S”, period 2026-10, fact deductions[1].reason: unknown field (use points, double)"},
		{"negative points", "care-deductions", one("2026-10", `{"deductions":[{"points":-1}]}`),
			"subject “S”, period 2026-10, fact deductions[1].points: -1 is outside 0 to ∞"},
		{"double not a bool", "care-deductions", one("2026-10", `{"deductions":[{"points":1,"double":"yes"}]}`),
			"subject “S”, period 2026-10, fact deductions[1].double: wrong type, expected true/false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Builtin(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ParseFacts([]byte(tt.facts))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := s.Evaluate(f...)
			if err == nil {
				t.Fatalf("accepted: %+v", rs)
			}
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("code %s, want invalid", errs.CodeOf(err))
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err.Error(), tt.want)
			}
			if zh := errs.As(err).Message(locale.ZH); !strings.Contains(zh, "“S”") && !strings.Contains(zh, "牡丹处") {
				t.Errorf("zh message does not name the subject: %s", zh)
			}
		})
	}
}

// All refusals are reported, not only the first.
func TestBadFactsAllReported(t *testing.T) {
	s, _ := Builtin("unit-monthly")
	f, _ := ParseFacts([]byte(`{"subjects":[{"id":"A","periods":{"2026-01":{"x":1},"2026-02":{"problems":-1}}},{"id":"B","periods":{"26-1":{}}}]}`))
	_, err := s.Evaluate(f...)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, frag := range []string{"“A”, period 2026-01: unknown fact “x”", "“A”, period 2026-02, fact problems", "“B”: “26-1”"} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q:\n%s", frag, err)
		}
	}
}

func TestParseFactsRefusals(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"not JSON", `{"subjects":`, "facts file is not valid JSON"},
		{"unknown top-level key", `{"subject":[]}`, `unknown field "subject"`},
		{"no subjects", `{"subjects":[]}`, "facts file has no subjects"},
		{"no id", `{"subjects":[{"periods":{"2026-01":{}}}]}`, "facts file: subject 1 has no id"},
		{"twice", `{"subjects":[{"id":"A","periods":{"2026-01":{}}},{"id":"A","periods":{"2026-02":{}}}]}`, "“A” appears twice"},
		{"no periods", `{"subjects":[{"id":"A","periods":{}}]}`, "“A” has no periods"},
		{"trailing data", `{"subjects":[{"id":"A","periods":{"2026-01":{}}}]} {}`, "unexpected data"},
		{"periods not an object", `{"subjects":[{"id":"A","periods":[]}]}`, "facts file is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFacts([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// A formula failing at run time is refused naming the subject, the period and the formula.
func TestRuntimeFailure(t *testing.T) {
	s, _ := Builtin("maintainer-monthly")
	s.Components[1].Formula = "count(orders) / (count(orders) - 1)"
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	f, _ := ParseFacts([]byte(one("2026-10", `{"orders":[[10,10]]}`)))
	_, err := s.Evaluate(f...)
	want := "subject “S”, period 2026-10, components.volume.formula: the formula failed: division by zero"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// A period close passes Go values, not JSON: ints, Decimals, slices and maps of them.
func TestEvaluateGoValues(t *testing.T) {
	s, _ := Builtin("unit-monthly")
	rs, err := s.Evaluate(SubjectFacts{ID: "牡丹处", Periods: map[string]map[string]any{
		"2026-10": {"inspections": 1, "problems": int64(3), "survey": []int{20, 20, 20, 20, 20, 20, 16, 16, 16, 12},
			"complaints_valid": MustDecimal("1")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(rs[0]); got != "scored standards=47 survey_score=18 complaints=24 total=89 grade=fail" {
		t.Errorf("got %s", got)
	}
	d, _ := Builtin("dept-quarterly-weighted")
	rs, err = d.Evaluate(SubjectFacts{ID: "D", Periods: map[string]map[string]any{
		"2026-Q1": {"weights": map[string]Decimal{"self": MustDecimal("40"), "survey": MustDecimal("30"), "complaints": MustDecimal("30")},
			"self_checks": map[string]any{"2026-01": 94.5}, "questionnaire": 0.1, "callback_deductions": []Decimal{MustDecimal("0.5")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// 94.5 × 0.4 + 0.1 × 0.3 + 100 × 0.3 − 0.5 = 37.8 + 0.03 + 30 − 0.5
	if rs[0].Total.String() != "67.33" {
		t.Errorf("total %s, want 67.33", rs[0].Total)
	}
}
