package scheme

import (
	"reflect"
	"testing"
)

// FuzzCompile feeds arbitrary text to the formula checker: it must refuse or compile, never
// panic, and a compiled formula must run without panicking.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		"50 - problems * per_problem", "mean(map(orders, sum(#)))", "w.self * n / 100",
		"sum(map(keys(m), max(0, m[#] - 1)))", "n > 1 ? -n : +n", "let x = 1; x", "rows[0][1]",
		"(((", "n +", `"a" + 1`, "1e400", "0.1 + 0.2", "count(filter(list, # == 20))", "-", "#", "{a: 1}",
	} {
		f.Add(seed)
	}
	env := map[string]any{
		"n":    MustDecimal("3"),
		"list": []Decimal{MustDecimal("20"), MustDecimal("16")},
		"rows": [][]Decimal{{MustDecimal("10"), MustDecimal("8")}},
		"m":    map[string]Decimal{"a": MustDecimal("1")},
		"flag": true,
		"w":    map[string]Decimal{"self": MustDecimal("40"), "survey": MustDecimal("60")},
	}
	names := map[string]any{
		"n": Decimal{}, "list": []Decimal{}, "rows": [][]Decimal{}, "m": map[string]Decimal{}, "flag": false,
		"w": map[string]Decimal{"self": {}, "survey": {}},
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, want := range []reflect.Type{decimalType, boolType, nil} {
			p, err := compile("f", src, names, want)
			if err == nil {
				_, _ = p.run(env)
			}
		}
	})
}

// FuzzEvaluateFacts feeds arbitrary facts files to every template: a file is refused or
// evaluated, never a panic.
func FuzzEvaluateFacts(f *testing.F) {
	for _, seed := range []string{
		`{"subjects":[{"id":"牡丹处","periods":{"2026-10":{"inspections":1,"problems":3,"survey":[20,16],"complaints_valid":1}}}]}`,
		`{"subjects":[{"id":"A","periods":{"2026-Q1":{"households":400,"threshold":0.3,"valid":100,"satisfied_or_better":93}}}]}`,
		`{"subjects":[{"id":"A","periods":{"2026-Q1":{"weights":{"self":40,"survey":30,"complaints":30},"self_checks":{"2026-01":94},"spot_checks":{"2026-01":90},"questionnaire":96,"callback_deductions":[1]}}}]}`,
		`{"subjects":[{"id":"A","periods":{"2026-10":{"orders":[[10,10],[8,6]]}}}]}`,
		`{"subjects":[{"id":"A","periods":{"2026-10":{"deductions":[{"points":30,"double":true}]},"2026-11":{}}}]}`,
		`{"subjects":[{"id":"A","periods":{"2026-W53":{},"2026":{},"x":{"a":[[[]]]}}}]}`,
		`{"subjects":[{"id":"A","periods":{"2026-10":{"inspections":1e999,"survey":[1e-999]}}}]}`,
		`{"subjects":null}`, `[]`, `{`,
	} {
		f.Add([]byte(seed))
	}
	schemes, err := Builtins()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		facts, err := ParseFacts(data)
		if err != nil {
			return
		}
		for _, s := range schemes {
			rs, err := s.Evaluate(facts...)
			if err != nil {
				continue
			}
			for _, r := range rs {
				if r.Status == Scored && r.Total == nil {
					t.Fatalf("%s: a scored result without a total", s.Code)
				}
			}
		}
	})
}
