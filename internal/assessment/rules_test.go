package assessment_test

import (
	"fmt"
	"strings"
	"testing"

	"manyi/internal/access"
	"manyi/internal/assessment"
	"manyi/internal/org"
	"manyi/internal/scheme"
)

func TestCheckBudget(t *testing.T) {
	d := scheme.MustDecimal
	tests := []struct {
		limit, rewards, expenses, close string
		remaining, after                string
		exceeds                         bool
	}{
		{"30000", "0", "0", "9200", "30000", "20800", false},
		{"30000", "20000", "800", "9200", "9200", "0", false}, // exactly spent is within
		{"30000", "20000", "800", "9200.01", "9200", "-0.01", true},
		{"30000", "25000", "6000", "0", "-1000", "-1000", true}, // already over: flagged again
	}
	for _, tt := range tests {
		rem, after, ex := assessment.CheckBudget(d(tt.limit), d(tt.rewards), d(tt.expenses), d(tt.close))
		if rem.String() != tt.remaining || after.String() != tt.after || ex != tt.exceeds {
			t.Errorf("%+v: got %s %s %v", tt, rem, after, ex)
		}
	}
}

func TestPayMonth(t *testing.T) {
	for in, want := range map[string]string{"2026-10": "2026-10", "2026-Q3": "2026-09", "2026-Q4": "2026-12", "2026": "2026-12", "2026-W01": "2026-01"} {
		p, err := scheme.ParsePeriod(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := assessment.PayMonth(p); got != want {
			t.Errorf("PayMonth(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestSubjects(t *testing.T) {
	units := []org.Unit{
		{ID: 1, Code: "C", Kind: org.Company, Active: true},
		{ID: 2, ParentID: 1, Code: "C-D", Kind: org.Department, Active: true},
		{ID: 3, ParentID: 2, Code: "C-D-A", Kind: org.Area, Active: true},
		{ID: 4, ParentID: 2, Code: "C-D-S", Kind: org.Section, Active: true},
		{ID: 5, ParentID: 4, Code: "C-D-S-T", Kind: org.Team, Active: true},
		{ID: 6, ParentID: 2, Code: "C-D-X", Kind: org.Area}, // inactive
	}
	people := []org.Person{
		{ID: 10, UnitID: 3, Active: true, Grants: []access.Grant{{Role: access.UnitHead, UnitID: 3}}},
		{ID: 11, UnitID: 5, Active: true, Grants: []access.Grant{{Role: access.Staff, UnitID: 5}}},
		{ID: 12, UnitID: 5, Active: true, Grants: []access.Grant{{Role: access.Foreman, UnitID: 5}}},
		{ID: 13, UnitID: 5, Grants: []access.Grant{{Role: access.Staff, UnitID: 5}}}, // left
		{ID: 14, UnitID: 2, Active: true, Grants: []access.Grant{{Role: access.UnitHead, UnitID: 2}}},
	}
	tree := org.NewTree(units)
	mk := func(subject scheme.SubjectType, rule scheme.SubjectRule) *scheme.Scheme {
		return &scheme.Scheme{Subject: subject, Subjects: rule}
	}
	tests := []struct {
		name   string
		sch    *scheme.Scheme
		parent int64
		want   []assessment.Subject
	}{
		{"unit default: areas and sections", mk(scheme.Unit, scheme.SubjectRule{}), 1, []assessment.Subject{{UnitID: 3}, {UnitID: 4}}},
		{"departments", mk(scheme.Unit, scheme.SubjectRule{Units: []string{"department"}}), 1, []assessment.Subject{{UnitID: 2}}},
		{"unit heads of areas", mk(scheme.UnitHead, scheme.SubjectRule{Units: []string{"area"}}), 1, []assessment.Subject{{UnitID: 3, PersonID: 10}}},
		{"a unit without head", mk(scheme.UnitHead, scheme.SubjectRule{Units: []string{"section"}}), 1, []assessment.Subject{{UnitID: 4}}},
		{"staff by default", mk(scheme.Person, scheme.SubjectRule{}), 1, []assessment.Subject{{UnitID: 5, PersonID: 11}}},
		{"staff and foremen", mk(scheme.Person, scheme.SubjectRule{Roles: []string{"staff", "foreman"}}), 4, []assessment.Subject{{UnitID: 5, PersonID: 11}, {UnitID: 5, PersonID: 12}}},
		{"teams", mk(scheme.Team, scheme.SubjectRule{}), 1, []assessment.Subject{{UnitID: 5}}},
		{"nothing under an area", mk(scheme.Person, scheme.SubjectRule{}), 3, nil},
	}
	for _, tt := range tests {
		got := assessment.Subjects(tt.sch, tree, people, tt.parent)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

func TestStarAndTeams(t *testing.T) {
	res := func(unit, person int64, total string, orders ...[2]int) assessment.Result {
		tot := scheme.MustDecimal(total)
		return assessment.Result{UnitID: unit, PersonID: person, Result: scheme.Result{Status: scheme.Scored, Total: &tot},
			Facts: map[string]any{"orders": rowsOf(orders...)}}
	}
	rs := []assessment.Result{
		res(1, 10, "20.3", [2]int{10, 10}, [2]int{10, 10}),
		res(1, 11, "20.3", [2]int{10, 10}, [2]int{10, 10}),                // same total and orders: lower id wins
		res(2, 12, "20.3", [2]int{10, 10}, [2]int{10, 10}, [2]int{10, 6}), // not the same total in reality; more orders wins a tie
		{UnitID: 2, PersonID: 13, Result: scheme.Result{Status: scheme.NoOpinion}},
	}
	if s := assessment.Star(rs); s == nil || s.PersonID != 12 {
		t.Fatalf("star %+v", s)
	}
	if s := assessment.Star(rs[:2]); s.PersonID != 10 {
		t.Fatalf("tie star %+v", s)
	}
	teams := assessment.BestTeams(rs)
	// Team 1: 80 ÷ 4 = 20; team 2: 56 ÷ 3 = 18.67 — no volume bonus on a team.
	if len(teams) != 2 || teams[0].UnitID != 1 || teams[0].Mean.String() != "20" || teams[1].Mean.String() != "18.67" || teams[1].Explain() != "56 ÷ 3 = 18.67" {
		t.Fatalf("teams %+v", teams)
	}
}

// TestLedgerLines: each money or pay consequence of a scheme's results, as a line.
func TestLedgerLines(t *testing.T) {
	dec := func(s string) *scheme.Decimal { d := scheme.MustDecimal(s); return &d }
	scored := func(unit, person int64, total string, money map[string]string, flags ...string) assessment.Result {
		r := assessment.Result{ID: unit*100 + person, UnitID: unit, PersonID: person, Result: scheme.Result{Status: scheme.Scored, Total: dec(total), Flags: flags, Money: map[string]scheme.Decimal{}}}
		for k, v := range money {
			r.Result.Money[k] = scheme.MustDecimal(v)
		}
		return r
	}
	builtin := func(code string) *scheme.Scheme {
		s, err := scheme.Builtin(code)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		code, period string
		results      []assessment.Result
		want         string
	}{
		{"dept-quarterly-weighted", "2026-Q3", []assessment.Result{
			scored(1, 0, "99.6", map[string]string{"reward": "9200", "penalty": "0"}),
			scored(2, 0, "95", map[string]string{"reward": "0", "penalty": "0"}), // pass: nothing
			scored(3, 0, "89.8", map[string]string{"reward": "0", "penalty": "5000"}),
			{UnitID: 4, Result: scheme.Result{Status: scheme.NoOpinion}},
		}, "1/0 reward 9200 yuan 2026-09; 3/0 penalty -5000 yuan 2026-09"},
		{"survey-quarterly", "2026-Q4", []assessment.Result{
			scored(5, 9, "-6", map[string]string{"fine": "0"}),
			scored(6, 10, "0", map[string]string{"fine": "0"}), // nothing to charge
			scored(7, 11, "-5", map[string]string{"fine": "100"}),
		}, "5/9 head_deduction -6 points 2026-12; 7/11 fine -100 yuan 2026-12; 7/11 head_deduction -5 points 2026-12"},
		{"care-deductions", "2026-10", []assessment.Result{
			scored(8, 12, "32", map[string]string{"penalty": "320"}, "base_salary_only", "dismissal_review"),
			scored(8, 13, "0", map[string]string{"penalty": "0"}),
		}, "8/12 pay_deduction -320 yuan 2026-10; 8/12 base_salary_only 0 flag 2026-10"},
		{"unit-monthly", "2026-10", []assessment.Result{scored(1, 0, "89", nil, "year_end_ineligible")}, ""},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range assessment.LedgerLines(builtin(tt.code), tt.period, tt.results) {
			if l.ResultID == 0 {
				t.Errorf("%s: line without its result", tt.code)
			}
			got = append(got, fmt.Sprintf("%d/%d %s %s %s %s", l.UnitID, l.PersonID, l.Kind, l.Amount, l.Measure, l.PayMonth))
		}
		if g := strings.Join(got, "; "); g != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.code, g, tt.want)
		}
	}
}

func TestPays(t *testing.T) {
	for code, want := range map[string]bool{"unit-monthly": false, "survey-quarterly": true, "dept-quarterly-weighted": true, "maintainer-monthly": true, "care-deductions": true} {
		s, err := scheme.Builtin(code)
		if err != nil {
			t.Fatal(err)
		}
		if got := assessment.Pays(s); got != want {
			t.Errorf("Pays(%s) = %v", code, got)
		}
	}
}
