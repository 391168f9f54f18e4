package scheme

import (
	"strings"
	"sync"
	"testing"
)

func builtinYAML(t *testing.T, code string) []byte {
	t.Helper()
	s, err := Builtin(code)
	if err != nil {
		t.Fatal(err)
	}
	y, err := s.YAML()
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// The same text gives the same scheme, another text (a new version) another, and a text
// that does not parse is refused every time, never kept.
func TestParseShared(t *testing.T) {
	text := builtinYAML(t, "unit-monthly")
	a, err := ParseShared(text)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseShared([]byte(string(text)))
	if err != nil || a != b {
		t.Fatalf("the same text parsed twice: %p %p %v", a, b, err)
	}
	v2 := []byte(strings.Replace(string(text), "version: 1", "version: 2", 1))
	c, err := ParseShared(v2)
	if err != nil || c == a || c.Version != 2 {
		t.Fatalf("a new version: %p (v%d) beside %p, %v", c, c.Version, a, err)
	}
	bad := []byte(strings.Replace(string(text), "total:", "totl:", 1))
	for range 2 {
		if s, err := ParseShared(bad); err == nil || s != nil {
			t.Fatalf("a bad text: %v %v", s, err)
		}
	}
	if fresh, _ := Parse(text); fresh == a {
		t.Error("Parse handed out the shared scheme")
	}
}

// CanActivate no longer compiles the scheme in place: a scheme shared between goroutines is
// read by Evaluate while an administrator's page asks whether it can be activated, and the
// race detector (go test -race) sees any write. Every goroutine gets the same results.
func TestSharedSchemeConcurrently(t *testing.T) {
	s, err := ParseShared(builtinYAML(t, "unit-monthly"))
	if err != nil {
		t.Fatal(err)
	}
	total := s.c.total
	facts, err := ParseFacts([]byte(`{"subjects":[{"id":"U","periods":{"2026-03":{"inspections":1,"problems":20,"survey":[20]},` +
		`"2026-10":{"inspections":1,"problems":20,"survey":[20]},"2026-11":{"inspections":1,"problems":5,"survey":[20,16,16]}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	const want = "scored standards=30 survey_score=20 complaints=30 total=80 grade=fail|" +
		"scored standards=30 survey_score=20 complaints=30 total=80 grade=fail flags=year_end_ineligible|" +
		"scored standards=45 survey_score=17.33 complaints=30 total=92.33 grade=pass flags=year_end_ineligible"
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			if i%2 == 1 {
				if err := s.CanActivate(); err != nil {
					got[i] = err.Error()
					return
				}
				if _, err := s.YAML(); err != nil {
					got[i] = err.Error()
					return
				}
			}
			rs, err := s.Evaluate(facts...)
			if err != nil {
				got[i] = err.Error()
				return
			}
			var l []string
			for _, r := range rs {
				l = append(l, summary(r))
			}
			got[i] = strings.Join(l, "|")
		})
	}
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("goroutine %d:\n got %s\nwant %s", i, g, want)
		}
	}
	if s.c.total != total {
		t.Error("CanActivate recompiled the shared scheme")
	}
}

// CanActivate still judges the scheme as it stands after a change in code.
func TestCanActivateAfterChange(t *testing.T) {
	s, err := Builtin("unit-monthly")
	if err != nil {
		t.Fatal(err)
	}
	s.Total = "no_such_name + 1"
	if err := s.CanActivate(); err == nil {
		t.Error("a scheme with a bad total can be activated")
	}
}
