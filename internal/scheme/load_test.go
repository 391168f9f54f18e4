package scheme

import (
	"strings"
	"testing"

	"manyi/internal/errs"
	"manyi/internal/locale"
)

func TestBuiltins(t *testing.T) {
	ss, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	// The fact names issue 3 gives for each template.
	want := map[string]string{
		"unit-monthly":            "inspections problems survey complaints_valid complaints_major",
		"survey-quarterly":        "households threshold valid satisfied_or_better verified_fault_dissatisfied improper_means",
		"dept-quarterly-weighted": "weights self_checks spot_checks questionnaire questionnaire_missing complaints_valid direct_deductions callback_deductions",
		"maintainer-monthly":      "orders",
		"care-deductions":         "deductions",
	}
	if len(ss) != len(want) {
		t.Fatalf("%d built-ins, want %d", len(ss), len(want))
	}
	for _, s := range ss {
		if got := strings.Join(s.FactNames(), " "); got != want[s.Code] {
			t.Errorf("%s facts: %s, want %s", s.Code, got, want[s.Code])
		}
		if s.Version < 1 {
			t.Errorf("%s has no version", s.Code)
		}
		err := s.CanActivate()
		if s.Code == "dept-quarterly-weighted" {
			if err == nil {
				t.Errorf("%s can be activated without weights", s.Code)
			}
		} else if err != nil {
			t.Errorf("%s cannot be activated: %v", s.Code, err)
		}
	}
	if _, err := Builtin("no-such"); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("Builtin(no-such) = %v, want not found", err)
	}
}

// A scheme written out as YAML reads back to the same scheme: the administrator's copy of a
// template is the template.
func TestYAMLRoundTrip(t *testing.T) {
	ss, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		out, err := s.YAML()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("%s: the exported YAML does not parse: %v\n%s", s.Code, err, out)
		}
		again, _ := back.YAML()
		if string(again) != string(out) {
			t.Errorf("%s: YAML changed on a round trip:\n%s\n---\n%s", s.Code, out, again)
		}
		if !strings.Contains(string(out), "formula:") || strings.Contains(string(out), "0.15000") {
			t.Errorf("%s: unexpected YAML:\n%s", s.Code, out)
		}
	}
}

// minimal is a valid scheme; tests break one thing in it at a time.
const minimal = `code: test
version: 1
name: {zh: 测试, en: Test}
subject: unit
period: month
params:
  - {name: base, value: 50}
facts:
  - {name: problems, type: count}
  - {name: w, type: map, keys: [a, b], optional: true}
components:
  - code: standards
    name: {zh: 标准, en: Standards}
    formula: base - problems
    explain: {zh: "{value}", en: "{value}"}
total: standards
rounding: {places: 2, mode: half_up}
grades:
  - {code: pass, name: {zh: 合格, en: Pass}, when: total >= 45}
`

func TestParseRefusals(t *testing.T) {
	if _, err := Parse([]byte(minimal)); err != nil {
		t.Fatalf("the minimal scheme is refused: %v", err)
	}
	tests := []struct {
		name, from, to string
		want           string // in the English message
	}{
		{"unknown fact in a formula", "formula: base - problems", "formula: base - problemz",
			"components.standards.formula: unknown name “problemz” at line 1, column 8"},
		{"syntax error", "formula: base - problems", "formula: base - - ",
			"components.standards.formula: syntax error at line 1"},
		{"type error", "formula: base - problems", `formula: base - "x"`,
			"components.standards.formula: type error at line 1, column 6"},
		{"a condition as a formula", "formula: base - problems", "formula: base > problems",
			"must give a number, not a condition"},
		{"a number as a grade condition", "when: total >= 45", "when: total",
			"grades.pass.when: the condition at line 1, column 1 must give true or false"},
		{"a later component is unknown", "total: standards", "total: standards + later",
			"total formula: unknown name “later”"},
		{"unknown map key", "formula: base - problems", "formula: base - problems - w.c",
			"“w” has no key “c”"},
		{"explanation refers to nothing", `explain: {zh: "{value}", en: "{value}"}`, `explain: {zh: "{value}", en: "{nothing}"}`,
			"components.standards.explain: unknown name “nothing”"},
		{"explanation brace", `explain: {zh: "{value}", en: "{value}"}`, `explain: {zh: "{value}", en: "{value"}`,
			"lacks its closing }"},
		{"unknown YAML key", "total: standards", "total: standards\ntotl: x", "field totl not found"},
		{"bad code", "code: test", "code: Test Scheme", "scheme code “Test Scheme” is not valid"},
		{"no version", "version: 1", "version: 0", "scheme version must be a whole number"},
		{"bad period", "period: month", "period: fortnight", "period: “fortnight” is not valid"},
		{"bad subject", "subject: unit", "subject: dept", "subject type: “dept” is not valid"},
		{"bad rounding", "mode: half_up", "mode: nearest", "rounding: “nearest” is not valid"},
		{"bad fact type", "type: count}", "type: integer}", "facts.problems.type: “integer” is not valid"},
		{"duplicate name", "  - {name: base, value: 50}", "  - {name: base, value: 50}\n  - {name: problems, value: 1}",
			"the name “problems” is used twice"},
		{"reserved name", "name: base, value", "name: total, value", "“total” is reserved"},
		{"missing English", "name: {zh: 测试, en: Test}", "name: {zh: 测试, en: \"\"}", "scheme name: both the Chinese and the English text are required"},
		{"floor above cap", "    formula: base - problems", "    floor: 10\n    cap: 5\n    formula: base - problems",
			"the lower bound 10 is above the upper bound 5"},
		{"a decimal param read exactly", "value: 50}", "value: 0.1.2}", "is not a number"},
		{"weights not summing to 100", "total: standards", "total: standards\nweights: {keys: [a, b], values: {a: 60, b: 30}}",
			"weights: the weights sum to 90%"},
		{"rule of an unknown kind", "total: standards", "total: standards\nrules:\n  - {flag: x, name: {zh: x, en: x}, kind: sometimes, when: total < 1, count: 2}",
			"rules.x.kind: “sometimes” is not valid"},
		{"consecutive needs 2", "total: standards", "total: standards\nrules:\n  - {flag: x, name: {zh: x, en: x}, kind: consecutive, when: total < 1, count: 1}",
			"a count of 1 is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(minimal, tt.from, tt.to, 1)
			if src == minimal {
				t.Fatalf("the test does not change the scheme: %q not found", tt.from)
			}
			_, err := Parse([]byte(src))
			if err == nil {
				t.Fatal("accepted")
			}
			if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant an invalid error containing %q", err, tt.want)
			}
			if zh := errs.As(err).Message(locale.ZH); zh == "" || strings.HasPrefix(zh, "scheme.") {
				t.Errorf("no Chinese message: %q", zh)
			}
		})
	}
}

func TestCanActivateWeights(t *testing.T) {
	src := strings.Replace(minimal, "total: standards", "total: standards\nweights: {keys: [a, b], fact: w, required: true}", 1)
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = s.CanActivate()
	if err == nil || errs.As(err).Key != "scheme.weights_required" || errs.As(err).Field != "scheme_weights" {
		t.Fatalf("CanActivate without weights = %v", err)
	}
	if !strings.Contains(errs.As(err).Message(locale.ZH), "100%") {
		t.Errorf("zh message %q", errs.As(err).Message(locale.ZH))
	}
	s.Weights.Values = map[string]Decimal{"a": MustDecimal("33.3"), "b": MustDecimal("66.7")}
	if err := s.CanActivate(); err != nil {
		t.Errorf("CanActivate with 33.3 + 66.7: %v", err)
	}
	s.Weights.Values = map[string]Decimal{"a": MustDecimal("100"), "c": MustDecimal("0")}
	if err := s.CanActivate(); err == nil {
		t.Error("CanActivate with an unknown weight key accepted")
	}
}
