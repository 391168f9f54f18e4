package scheme

import (
	"strings"
	"testing"

	"manyi/internal/errs"
)

// testNames are the names formulas in these tests may use.
var testNames = map[string]any{
	"n":      Decimal{},
	"list":   []Decimal{},
	"rows":   [][]Decimal{},
	"m":      map[string]Decimal{},
	"flag":   false,
	"weight": Decimal{},
	"w":      map[string]Decimal{"self": {}, "survey": {}}, // a map with fixed keys
}

func TestFormulaExact(t *testing.T) {
	env := map[string]any{
		"n":      MustDecimal("92"),
		"list":   []Decimal{MustDecimal("20"), MustDecimal("16"), MustDecimal("12")},
		"rows":   [][]Decimal{{MustDecimal("10"), MustDecimal("8")}, {MustDecimal("8"), MustDecimal("6")}},
		"m":      map[string]Decimal{"a": MustDecimal("1.5"), "b": MustDecimal("2.5")},
		"flag":   true,
		"weight": MustDecimal("40"),
	}
	tests := []struct{ src, want string }{
		{"n * weight / 100", "36.8"},
		{"n * 0.4 + 30 + 24 - 1", "89.8"},
		{"0.1 + 0.2", "0.3"},
		{"-n", "-92"},
		{"-(n - 100)", "8"},
		{"+n", "92"},
		{"mean(list)", "16"},
		{"sum(list)", "48"},
		{"count(list) * 0.15", "0.45"},
		{"min(list)", "12"},
		{"max(list)", "20"},
		{"max(0, 3 - n)", "0"},
		{"min(n, 100, 95.5)", "92"},
		{"clamp(n, 0, 50)", "50"},
		{"clamp(-n, 0, 50)", "0"},
		{"abs(-2.5)", "2.5"},
		{"floor(2.7)", "2"},
		{"ceil(2.1)", "3"},
		{"round(2 / 3, 2)", "0.67"},
		{"round(2.345, 2)", "2.35"},
		{"mean(map(rows, sum(#)))", "16"},
		{"rows[0][1]", "8"},
		{"m.a + m['b']", "4"},
		{"sum(values(m))", "4"},
		{"count(m)", "2"},
		{"count(filter(list, # >= 16))", "2"},
		{"flag ? 1 : 2", "1"},
		{"n == 92 ? 1 : 0", "1"},
		{"n != 92.0 ? 1 : 0", "0"},
		{"let x = n / 4; x * 2", "46"},
		{"1e2 + 1", "101"},
		{"100 - 10 * 2 - 0", "80"},
	}
	for _, tt := range tests {
		p, err := compile("f", tt.src, testNames, decimalType)
		if err != nil {
			t.Errorf("compile(%q): %v", tt.src, err)
			continue
		}
		got, err := p.decimal(env)
		if err != nil {
			t.Errorf("run(%q): %v", tt.src, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("%s = %s, want %s", tt.src, got, tt.want)
		}
	}
}

// A formula is refused when it is saved, with the position of the fault and a message in both
// languages.
func TestFormulaRefusals(t *testing.T) {
	tests := []struct {
		src, key string
		want     string // in the English message
	}{
		{"problemz + 1", "scheme.unknown_name", "unknown name “problemz” at line 1, column 1"},
		{"n +\n  bogus", "scheme.unknown_name", "unknown name “bogus” at line 2, column 3"},
		{"nosuch(n)", "scheme.unknown_name", "unknown name “nosuch”"},
		{"w.slef * n", "scheme.unknown_key", "“w” has no key “slef” at line 1, column 3 (keys: self, survey)"},
		{"w['nope']", "scheme.unknown_key", "no key “nope”"},
		{"len(list)", "scheme.unknown_name", "unknown name “len”"}, // int-valued builtins are off
		{"n +", "scheme.formula_syntax", "syntax error at line 1, column"},
		{"(n", "scheme.formula_syntax", "syntax error"},
		{"n ** 2", "scheme.formula_type", "type error"},
		{`n + "a"`, "scheme.formula_type", "type error at line 1, column 3"},
		{"n + flag", "scheme.formula_type", "type error"},
		{"sum(n)", "scheme.formula_type", "type error"},
		{"n > 1", "scheme.formula_not_number", "must give a number, not a condition"},
		{`"text"`, "scheme.formula_not_number", "not a text"},
		{"list", "scheme.formula_not_number", "not a list"},
		{"", "scheme.formula_empty", "empty"},
		{strings.Repeat("n+", 1001) + "n", "scheme.formula_too_long", "too long"},
		{strings.Repeat("(", 300) + "n" + strings.Repeat(")", 300), "", ""},
		{strings.Repeat("n + ", 450) + "n", "scheme.formula_syntax", "exceeds maximum allowed nodes"},
	}
	for _, tt := range tests {
		_, err := compile("components.x.formula", tt.src, testNames, decimalType)
		if tt.key == "" {
			continue // only must not panic
		}
		e := errs.As(err)
		if err == nil || e.Key != tt.key {
			t.Errorf("compile(%.40q) = %v, want %s", tt.src, err, tt.key)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "components.x.formula: ") {
			t.Errorf("compile(%.40q) message %q, want it to name the field and contain %q", tt.src, err, tt.want)
		}
		if e.Field != "components.x.formula" || e.Code != errs.Invalid {
			t.Errorf("compile(%.40q): field %q code %s", tt.src, e.Field, e.Code)
		}
	}
	// Conditions must be conditions.
	if _, err := compile("when", "n + 1", testNames, boolType); errs.As(err).Key != "scheme.formula_not_condition" {
		t.Errorf("a number as a condition: %v", err)
	}
}

func TestFormulaRuntimeErrors(t *testing.T) {
	env := map[string]any{"n": Decimal{}, "list": []Decimal{}, "rows": [][]Decimal{}, "m": map[string]Decimal{}, "flag": false, "weight": Decimal{}}
	for src, want := range map[string]string{
		"1 / n":          "division by zero",
		"mean(list)":     "mean of an empty list",
		"max(list)":      "max of an empty list",
		"clamp(1, 2, 1)": "lower bound 2 is above upper bound 1",
		"round(1, 0.5)":  "places must be a whole number",
		"1000000000000000000 * 1000000000000000000 * 1000000000000000000 * 1000000000000000000": "overflow",
	} {
		p, err := compile("f", src, testNames, decimalType)
		if err != nil {
			t.Errorf("compile(%q): %v", src, err)
			continue
		}
		_, err = p.decimal(env)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", src, err, want)
		}
	}
}
