// Package scheme is manyi's scoring engine: a scheme (计分方案) is data — facts it needs,
// components with formulas, a total, rounding, grade bands, money consequences, flags, status
// rules and multi-period rules — and Evaluate turns facts per subject and period into results
// that explain every number.
//
// Schemes are YAML (Parse, (*Scheme).YAML); the built-in templates, one per policy of
// docs/policies.md, are embedded (Builtin, Builtins). Formulas are expr-lang expressions, checked
// when a scheme is parsed: an unknown name, a syntax or a type error is refused with its line and
// column.
//
// Numbers are exact decimals (Decimal, on cockroachdb/apd): scores and yuan are decimal
// quantities, and 0.4 × 92 must be 36.8, not 36.800000000000004. A scaled integer would do for
// sums but forces one scale on every formula and makes a mean such as 386 ÷ 20 a rounding
// question; apd keeps 34 significant digits and leaves rounding to the scheme's rounding rule.
//
// The package is pure: no database, no clock, no I/O.
package scheme

import (
	"manyi/internal/locale"
)

// Text is a user-facing text in both languages.
type Text struct {
	ZH string `yaml:"zh" json:"zh"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in lang, falling back to the other language when one is missing.
func (t Text) In(lang locale.Lang) string {
	if lang == locale.EN && t.EN != "" || t.ZH == "" {
		return t.EN
	}
	return t.ZH
}

// SubjectType is what a scheme scores.
type SubjectType string

const (
	Unit     SubjectType = "unit"
	UnitHead SubjectType = "unit_head"
	Person   SubjectType = "person"
	Team     SubjectType = "team"
)

// SubjectRule says whom a period close takes as the scheme's subjects under the close's
// parent unit: units of the kinds Units (unit, unit_head and team subjects), or people holding
// one of Roles (person subjects). Names are the organisation's unit kinds and roles.
type SubjectRule struct {
	Units []string `yaml:"units,omitempty"`
	Roles []string `yaml:"roles,omitempty"`
}

// UnitKinds and Roles are the names a SubjectRule may use: the organisation's unit kinds and
// staff roles (internal/org, internal/access), repeated here because the scheme package is
// pure and imports neither.
var (
	UnitKinds = []string{"company", "department", "area", "section", "team"}
	Roles     = []string{"admin", "clerk", "committee", "unit_head", "foreman", "dispatcher", "manager", "staff"}
)

// FactType is the shape of a fact's value.
type FactType string

const (
	Count   FactType = "count"   // a whole number ≥ 0
	Number  FactType = "number"  // a decimal
	Bool    FactType = "bool"    // true or false
	Numbers FactType = "numbers" // a list of decimals
	Rows    FactType = "rows"    // a list of rows, each a list of Width decimals
	Map     FactType = "map"     // names (fixed Keys, or periods of KeyPeriod) → decimal
	Records FactType = "records" // a list of records with the named Fields
)

// Status says whether a subject got a score in a period.
type Status string

const (
	Scored     Status = "scored"
	NoOpinion  Status = "no_opinion" // nothing to assess: no score, no grade (不出具考评意见)
	Incomplete Status = "incomplete" // something is missing; the period cannot close until decided
)

// Scheme is a scoring scheme. The exported fields are its YAML form; Parse also compiles every
// formula, and a Scheme is only usable as returned by Parse or Builtin.
type Scheme struct {
	Code        string      `yaml:"code"`
	Version     int         `yaml:"version"`
	Name        Text        `yaml:"name"`
	Description Text        `yaml:"description,omitempty"`
	Notes       []Text      `yaml:"notes,omitempty"` // open questions, e.g. defaults to be confirmed
	Subject     SubjectType `yaml:"subject"`
	// Subjects narrows who a period close assesses; empty means the subject type's default
	// (internal/assessment: areas and sections for unit, areas for unit_head, staff for person,
	// teams for team).
	Subjects SubjectRule `yaml:"subjects,omitempty"`
	Period   PeriodKind  `yaml:"period"`

	// Params are the policy's numbers, named so an administrator can change them; formulas use
	// them by name.
	Params []Param `yaml:"params,omitempty"`
	// Facts are the inputs a period needs, per subject.
	Facts []FactSpec `yaml:"facts"`
	// Checks are conditions over the facts that must hold (e.g. satisfied ≤ valid).
	Checks  []Check  `yaml:"checks,omitempty"`
	Weights *Weights `yaml:"weights,omitempty"`
	// Status rules are tried in order before scoring; the first that holds decides the status.
	Status     []StatusRule `yaml:"status,omitempty"`
	Components []Component  `yaml:"components"`
	Total      string       `yaml:"total"`
	Rounding   Rounding     `yaml:"rounding"`
	// Grades are tried in order; the first whose condition holds is the grade.
	Grades []Grade  `yaml:"grades,omitempty"`
	Money  []Money  `yaml:"money,omitempty"`
	Flags  []Flag   `yaml:"flags,omitempty"`
	Rules  []Rule   `yaml:"rules,omitempty"`
	c      compiled `yaml:"-"`
}

// Param is a named number of the policy.
type Param struct {
	Name  string  `yaml:"name"`
	Value Decimal `yaml:"value"`
	Doc   Text    `yaml:"doc,omitempty"`
}

// FactSpec declares one input fact.
type FactSpec struct {
	Name string   `yaml:"name"`
	Type FactType `yaml:"type"`
	Doc  Text     `yaml:"doc,omitempty"`
	// Optional facts may be left out: a count or number is then 0, a list or map empty, a bool
	// false. Required facts missing from a period are refused.
	Optional bool `yaml:"optional,omitempty"`
	// Min and Max bound the value, or each element of a list, row or map.
	Min *Decimal `yaml:"min,omitempty"`
	Max *Decimal `yaml:"max,omitempty"`
	// OneOf lists the only values allowed (e.g. ratings 6, 8, 10), for numbers and elements.
	OneOf []Decimal `yaml:"one_of,omitempty"`
	// Width is the length of every row of a rows fact.
	Width int `yaml:"width,omitempty"`
	// Keys are the keys a map fact must have, all of them.
	Keys []string `yaml:"keys,omitempty"`
	// KeyPeriod makes a map's keys periods of that kind inside the assessed period (e.g. the
	// months of a quarter) instead of fixed keys.
	KeyPeriod PeriodKind `yaml:"key_period,omitempty"`
	// Fields are the fields of a records fact; each is count, number or bool.
	Fields []FieldSpec `yaml:"fields,omitempty"`
}

// FieldSpec is one field of a records fact.
type FieldSpec struct {
	Name     string   `yaml:"name"`
	Type     FactType `yaml:"type"`
	Optional bool     `yaml:"optional,omitempty"`
	Min      *Decimal `yaml:"min,omitempty"`
	Max      *Decimal `yaml:"max,omitempty"`
}

// Check is a condition over facts and params that facts must satisfy; when it does not, the
// facts are refused with Message, naming Fact.
type Check struct {
	Fact    string `yaml:"fact"`
	Rule    string `yaml:"rule"`
	Message Text   `yaml:"message"`
}

// Weights are percentages per key, used by formulas as weights.<key>. Values set in the scheme
// apply to every subject; a period's facts may carry them instead in the fact named Fact.
// A scheme with Required weights cannot be activated until Values sum to 100.
type Weights struct {
	Keys     []string           `yaml:"keys"`
	Values   map[string]Decimal `yaml:"values,omitempty"`
	Fact     string             `yaml:"fact,omitempty"`
	Required bool               `yaml:"required,omitempty"`
}

// StatusRule gives a period a status other than scored when its condition holds.
type StatusRule struct {
	Status Status `yaml:"status"`
	When   string `yaml:"when"`
	Reason Text   `yaml:"reason"`
}

// Component is one part of the score. Its value is Formula, raised to Floor and lowered to Cap
// when set, then rounded by the scheme's rule. Max is the most it can give, for display.
type Component struct {
	Code    string   `yaml:"code"`
	Name    Text     `yaml:"name"`
	Max     *Decimal `yaml:"max,omitempty"`
	Floor   *Decimal `yaml:"floor,omitempty"`
	Cap     *Decimal `yaml:"cap,omitempty"`
	Formula string   `yaml:"formula"`
	// Explain is a one-line explanation; {expression} in it is replaced by the expression's
	// value, with `value` meaning the component's own value.
	Explain Text `yaml:"explain"`
}

// Rounding is how components, the total and money are rounded: to Places decimal places with
// Mode half_up, half_even, half_down, up, down, ceiling or floor.
type Rounding struct {
	Places int32  `yaml:"places"`
	Mode   string `yaml:"mode"`
}

// Grade is a grade band.
type Grade struct {
	Code string `yaml:"code"`
	Name Text   `yaml:"name"`
	When string `yaml:"when"`
}

// Money is a money consequence in yuan, e.g. code reward, penalty or fine. Its amount is Formula
// when When holds (or always, when When is empty), otherwise 0.
type Money struct {
	Code    string `yaml:"code"`
	Name    Text   `yaml:"name"`
	When    string `yaml:"when,omitempty"`
	Formula string `yaml:"formula"`
}

// Flag marks a period whose condition holds.
type Flag struct {
	Code string `yaml:"code"`
	Name Text   `yaml:"name"`
	When string `yaml:"when"`
}

// RuleKind is the kind of a multi-period rule.
type RuleKind string

const (
	// CountInYear flags a scored period once Count or more scored periods of the subject in the
	// same calendar year, up to and including it, satisfy When.
	CountInYear RuleKind = "count_in_year"
	// Consecutive flags a scored period when it and the Count−1 periods right before it all
	// satisfy When.
	Consecutive RuleKind = "consecutive"
	// YearBudget flags the period in which the year's sum of the money item Money, over all
	// subjects evaluated together, first exceeds Limit, and every later one in that year.
	YearBudget RuleKind = "year_budget"
)

// Rule is a multi-period rule; it sets the flag Flag.
type Rule struct {
	Flag  string   `yaml:"flag"`
	Name  Text     `yaml:"name"`
	Kind  RuleKind `yaml:"kind"`
	When  string   `yaml:"when,omitempty"`
	Count int      `yaml:"count,omitempty"`
	Money string   `yaml:"money,omitempty"`
	Limit *Decimal `yaml:"limit,omitempty"`
}

// FactNames returns the names of the facts the scheme needs, in declaration order, so a period
// close can ask each area for them.
func (s *Scheme) FactNames() []string {
	names := make([]string, len(s.Facts))
	for i, f := range s.Facts {
		names[i] = f.Name
	}
	return names
}
