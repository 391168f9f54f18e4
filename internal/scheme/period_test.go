package scheme

import "testing"

func TestParsePeriod(t *testing.T) {
	good := map[string]Period{
		"2026-03": {Month, 2026, 3}, "2026-12": {Month, 2026, 12},
		"2026-Q1": {Quarter, 2026, 1}, "2026-Q4": {Quarter, 2026, 4},
		"2026-W05": {Week, 2026, 5}, "2026-W53": {Week, 2026, 53}, // 2026 has 53 ISO weeks
		"2026": {Year, 2026, 0},
	}
	for s, want := range good {
		p, err := ParsePeriod(s)
		if err != nil || p != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", s, p, err, want)
		}
		if p.String() != s {
			t.Errorf("%v prints as %s, want %s", p, p, s)
		}
	}
	for _, s := range []string{"", "2026-13", "2026-00", "2026-3", "2026-Q5", "2026-Q0", "2026-W00",
		"2025-W53", "2026-W54", "2026-W5", "26-03", "2026/03", "2026-03-01", "abcd", "0999", "2026-q1", "２０２６"} {
		if p, err := ParsePeriod(s); err == nil {
			t.Errorf("ParsePeriod(%q) = %v, want an error", s, p)
		}
	}
}

func TestPeriodNext(t *testing.T) {
	tests := map[string]string{
		"2026-03": "2026-04", "2025-12": "2026-01",
		"2026-Q4": "2027-Q1", "2026-Q2": "2026-Q3",
		"2026-W52": "2026-W53", "2026-W53": "2027-W01", "2025-W52": "2026-W01",
		"2026": "2027",
	}
	for from, want := range tests {
		p, _ := ParsePeriod(from)
		if got := p.Next().String(); got != want {
			t.Errorf("%s.Next() = %s, want %s", from, got, want)
		}
	}
}

func TestPeriodContains(t *testing.T) {
	q1, _ := ParsePeriod("2026-Q1")
	for m, want := range map[string]bool{"2026-01": true, "2026-03": true, "2026-04": false, "2025-02": false} {
		mp, _ := ParsePeriod(m)
		if q1.Contains(mp) != want {
			t.Errorf("2026-Q1 contains %s: %v, want %v", m, !want, want)
		}
	}
}
