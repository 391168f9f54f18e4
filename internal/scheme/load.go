package scheme

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"gopkg.in/yaml.v3"

	"manyi/internal/errs"
)

//go:embed templates/*.yaml
var templates embed.FS

// builtinCodes lists the built-in templates in the order of docs/policies.md.
var builtinCodes = []string{
	"unit-monthly", "survey-quarterly", "dept-quarterly-weighted", "maintainer-monthly", "care-deductions",
}

// Builtin returns a fresh copy of the built-in template code, so the caller may change it.
func Builtin(code string) (*Scheme, error) {
	for _, c := range builtinCodes {
		if c == code {
			b, err := templates.ReadFile("templates/" + code + ".yaml")
			if err != nil {
				return nil, errs.Wrapf(err, "read template %s", code)
			}
			return Parse(b)
		}
	}
	return nil, errs.New(errs.NotFound, "scheme.unknown_builtin", code, strings.Join(builtinCodes, ", "))
}

// Builtins returns every built-in template in policy order.
func Builtins() ([]*Scheme, error) {
	out := make([]*Scheme, 0, len(builtinCodes))
	for _, code := range builtinCodes {
		s, err := Builtin(code)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// maxSchemeBytes bounds a scheme's YAML; real schemes are a few kilobytes.
const maxSchemeBytes = 256 << 10

// Parse reads a scheme from YAML, checks it and compiles its formulas. Unknown keys, bad values
// and bad formulas are refused with *errs.Error values naming the field (several are joined).
func Parse(data []byte) (*Scheme, error) {
	if len(data) > maxSchemeBytes {
		return nil, errs.Field("scheme_yaml", "scheme.yaml_too_large", maxSchemeBytes>>10)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	s := new(Scheme)
	if err := dec.Decode(s); err != nil {
		return nil, errs.Field("scheme_yaml", "scheme.yaml_invalid", err.Error())
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}

// YAML returns the scheme as YAML that Parse reads back to an equal scheme. (It is not named
// MarshalYAML because yaml.v3 gives that name a different signature.)
func (s *Scheme) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, errs.Wrapf(err, "encode scheme %s", s.Code)
	}
	if err := enc.Close(); err != nil {
		return nil, errs.Wrapf(err, "encode scheme %s", s.Code)
	}
	return buf.Bytes(), nil
}

// Validate checks the scheme and compiles its formulas; Parse has already done so, so it is
// needed only after changing a Scheme's fields in code.
func (s *Scheme) Validate() error { return s.compile() }

// CanActivate reports, as an error, why the scheme cannot be put to use: it is invalid, or it
// requires weights that are not set (dept-quarterly-weighted until weights summing to 100 % are
// entered). Facts may still carry weights for trying the scheme out with manyi eval.
//
// It compiles a copy, not s itself: s may be a scheme shared by ParseShared that other
// goroutines are evaluating, and compiling replaces what Evaluate reads.
func (s *Scheme) CanActivate() error {
	check := *s
	if err := check.compile(); err != nil {
		return err
	}
	if w := s.Weights; w != nil && w.Required && len(w.Values) == 0 {
		return errs.Field("scheme_weights", "scheme.weights_required", strings.Join(w.Keys, ", "))
	}
	return nil
}

var (
	codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// reserved names mean results inside formulas and cannot name a fact, param or component.
var reserved = map[string]bool{"total": true, "grade": true, "value": true, "weights": true}

// compiled holds what compile derives from a scheme's fields.
type compiled struct {
	ok         bool
	params     map[string]Decimal
	facts      map[string]*FactSpec
	records    map[string]reflect.Type // records fact → its element struct type
	checks     []*program
	status     []*program
	components []compiledComponent
	total      *program
	grades     []*program
	money      []compiledMoney
	flags      []*program
	rules      []*program
}

type compiledComponent struct {
	formula *program
	explain [2][]piece // zh, en
}

type compiledMoney struct{ when, formula *program }

// piece is a literal part of an explanation or an expression whose value is printed.
type piece struct {
	text string
	expr *program
}

// checker gathers the refusals of one compile so all of them are reported at once.
type checker struct{ errs []error }

func (c *checker) add(err error) {
	if err != nil {
		c.errs = append(c.errs, err)
	}
}

func (c *checker) fail(field, key string, args ...any) { c.add(errs.Field(field, key, args...)) }

func (c *checker) text(field string, t Text) {
	if strings.TrimSpace(t.ZH) == "" || strings.TrimSpace(t.EN) == "" {
		c.fail(field, "scheme.text_required")
	}
}

func (c *checker) program(field, src string, names map[string]any, want reflect.Type) *program {
	p, err := compile(field, src, names, want)
	c.add(err)
	return p
}

func (s *Scheme) compile() error {
	s.c = compiled{}
	var c checker
	if !codeRE.MatchString(s.Code) {
		c.fail("scheme_code", "scheme.bad_code", s.Code)
	}
	if s.Version < 1 {
		c.fail("scheme_version", "scheme.bad_version")
	}
	c.text("scheme_name", s.Name)
	switch s.Subject {
	case Unit, UnitHead, Person, Team:
	default:
		c.fail("scheme_subject", "scheme.bad_choice", s.Subject, "unit, unit_head, person, team")
	}
	for _, k := range s.Subjects.Units {
		if !contains(UnitKinds, k) {
			c.fail("scheme_subjects", "scheme.bad_choice", k, strings.Join(UnitKinds, ", "))
		}
	}
	for _, r := range s.Subjects.Roles {
		if !contains(Roles, r) {
			c.fail("scheme_subjects", "scheme.bad_choice", r, strings.Join(Roles, ", "))
		}
	}
	if len(s.Subjects.Roles) > 0 && s.Subject != Person {
		c.fail("scheme_subjects", "scheme.subjects_roles_person")
	}
	switch s.Period {
	case Week, Month, Quarter, Year:
	default:
		c.fail("scheme_period", "scheme.bad_choice", s.Period, "week, month, quarter, year")
	}
	if s.Rounding.Places < 0 || s.Rounding.Places > 10 {
		c.fail("scheme_rounding", "scheme.bad_places", s.Rounding.Places)
	}
	switch apd.Rounder(s.Rounding.Mode) {
	case apd.RoundHalfUp, apd.RoundHalfEven, apd.RoundHalfDown, apd.RoundUp, apd.RoundDown, apd.RoundCeiling, apd.RoundFloor:
	default:
		c.fail("scheme_rounding", "scheme.bad_choice", s.Rounding.Mode, "half_up, half_even, half_down, up, down, ceiling, floor")
	}

	names := map[string]any{} // every name a formula may use, with a value of its type
	declare := func(field, name string, v any) {
		switch {
		case !nameRE.MatchString(name):
			c.fail(field, "scheme.bad_name", name)
		case reserved[name]:
			c.fail(field, "scheme.reserved_name", name)
		default:
			if _, dup := names[name]; dup {
				c.fail(field, "scheme.duplicate_name", name)
			}
			names[name] = v
		}
	}

	s.c.params = map[string]Decimal{}
	for _, p := range s.Params {
		declare("params."+p.Name, p.Name, Decimal{})
		s.c.params[p.Name] = p.Value
	}
	s.c.facts = map[string]*FactSpec{}
	s.c.records = map[string]reflect.Type{}
	for i := range s.Facts {
		f := &s.Facts[i]
		field := "facts." + f.Name
		s.checkFact(&c, field, f)
		if f.Name == "weights" && s.Weights != nil && s.Weights.Fact == "weights" {
			s.c.facts[f.Name] = f // the weights name is the effective weights, declared below
			continue
		}
		declare(field, f.Name, s.sample(f))
		s.c.facts[f.Name] = f
	}
	if s.Weights != nil {
		s.checkWeights(&c)
		names["weights"] = keyed(s.Weights.Keys)
	}
	for i, ch := range s.Checks {
		field := fmt.Sprintf("checks[%d].rule", i)
		if _, ok := s.c.facts[ch.Fact]; !ok {
			c.fail(fmt.Sprintf("checks[%d].fact", i), "scheme.unknown_fact", ch.Fact)
		}
		c.text(fmt.Sprintf("checks[%d].message", i), ch.Message)
		s.c.checks = append(s.c.checks, c.program(field, ch.Rule, names, boolType))
	}
	for i, st := range s.Status {
		field := fmt.Sprintf("status[%d].when", i)
		if st.Status != NoOpinion && st.Status != Incomplete {
			c.fail(fmt.Sprintf("status[%d].status", i), "scheme.bad_choice", st.Status, "no_opinion, incomplete")
		}
		c.text(fmt.Sprintf("status[%d].reason", i), st.Reason)
		s.c.status = append(s.c.status, c.program(field, st.When, names, boolType))
	}

	if len(s.Components) == 0 {
		c.fail("scheme_components", "scheme.no_components")
	}
	for _, comp := range s.Components {
		field := "components." + comp.Code
		c.text(field+".name", comp.Name)
		if comp.Floor != nil && comp.Cap != nil && comp.Floor.Cmp(*comp.Cap) > 0 {
			c.fail(field+".floor", "scheme.floor_above_cap", comp.Floor.String(), comp.Cap.String())
		}
		cc := compiledComponent{formula: c.program(field+".formula", comp.Formula, names, decimalType)}
		withValue := with(names, "value", Decimal{})
		for l, t := range []string{comp.Explain.ZH, comp.Explain.EN} {
			ps, err := explanation(field+".explain", t, withValue)
			c.add(err)
			cc.explain[l] = ps
		}
		c.text(field+".explain", comp.Explain)
		s.c.components = append(s.c.components, cc)
		declare(field, comp.Code, Decimal{})
	}
	s.c.total = c.program("scheme_total", s.Total, names, decimalType)
	names["total"] = Decimal{}

	codes := map[string]bool{}
	unique := func(field, code string) {
		if !nameRE.MatchString(code) {
			c.fail(field, "scheme.bad_name", code)
		} else if codes[code] {
			c.fail(field, "scheme.duplicate_name", code)
		}
		codes[code] = true
	}
	for _, g := range s.Grades {
		field := "grades." + g.Code
		unique(field, g.Code)
		c.text(field+".name", g.Name)
		s.c.grades = append(s.c.grades, c.program(field+".when", g.When, names, boolType))
	}
	names["grade"] = ""
	codes = map[string]bool{}
	for _, m := range s.Money {
		field := "money." + m.Code
		unique(field, m.Code)
		c.text(field+".name", m.Name)
		cm := compiledMoney{formula: c.program(field+".formula", m.Formula, names, decimalType)}
		if m.When != "" {
			cm.when = c.program(field+".when", m.When, names, boolType)
		}
		s.c.money = append(s.c.money, cm)
	}
	moneyCodes := codes
	codes = map[string]bool{}
	for _, f := range s.Flags {
		field := "flags." + f.Code
		unique(field, f.Code)
		c.text(field+".name", f.Name)
		s.c.flags = append(s.c.flags, c.program(field+".when", f.When, names, boolType))
	}
	for _, r := range s.Rules {
		field := "rules." + r.Flag
		unique(field, r.Flag)
		c.text(field+".name", r.Name)
		var p *program
		switch r.Kind {
		case CountInYear, Consecutive:
			if r.Count < 1 || r.Kind == Consecutive && r.Count < 2 || r.Count > 100 {
				c.fail(field+".count", "scheme.bad_rule_count", r.Count)
			}
			if r.Kind == CountInYear && s.Period == Year {
				c.fail(field+".kind", "scheme.rule_needs_shorter_period")
			}
			p = c.program(field+".when", r.When, names, boolType)
		case YearBudget:
			if !moneyCodes[r.Money] {
				c.fail(field+".money", "scheme.unknown_money", r.Money)
			}
			if r.Limit == nil || r.Limit.Sign() < 0 {
				c.fail(field+".limit", "scheme.bad_limit")
			}
		default:
			c.fail(field+".kind", "scheme.bad_choice", r.Kind, "count_in_year, consecutive, year_budget")
		}
		s.c.rules = append(s.c.rules, p)
	}
	if len(c.errs) > 0 {
		return errors.Join(c.errs...)
	}
	s.c.ok = true
	return nil
}

func with(names map[string]any, name string, v any) map[string]any {
	m := make(map[string]any, len(names)+1)
	for k, x := range names {
		m[k] = x
	}
	m[name] = v
	return m
}

func (s *Scheme) checkFact(c *checker, field string, f *FactSpec) {
	switch f.Type {
	case Count, Number, Bool, Numbers:
	case Rows:
		if f.Width < 1 || f.Width > 20 {
			c.fail(field+".width", "scheme.bad_width", f.Width)
		}
	case Map:
		switch {
		case len(f.Keys) > 0 && f.KeyPeriod != "":
			c.fail(field+".keys", "scheme.keys_or_period")
		case f.KeyPeriod == Month && (s.Period == Quarter || s.Period == Year):
		case f.KeyPeriod != "":
			c.fail(field+".key_period", "scheme.bad_key_period", f.KeyPeriod, s.Period)
		case len(f.Keys) == 0:
			c.fail(field+".keys", "scheme.keys_or_period")
		}
		for _, k := range f.Keys {
			if !nameRE.MatchString(k) {
				c.fail(field+".keys", "scheme.bad_name", k)
			}
		}
	case Records:
		if len(f.Fields) == 0 {
			c.fail(field+".fields", "scheme.no_fields")
		}
		seen := map[string]bool{}
		for _, fs := range f.Fields {
			if !nameRE.MatchString(fs.Name) || seen[fs.Name] {
				c.fail(field+".fields", "scheme.bad_name", fs.Name)
			}
			seen[fs.Name] = true
			if fs.Type != Count && fs.Type != Number && fs.Type != Bool {
				c.fail(field+".fields."+fs.Name, "scheme.bad_choice", fs.Type, "count, number, bool")
			}
		}
	default:
		c.fail(field+".type", "scheme.bad_choice", f.Type, "count, number, bool, numbers, rows, map, records")
	}
	if f.Min != nil && f.Max != nil && f.Min.Cmp(*f.Max) > 0 {
		c.fail(field+".min", "scheme.floor_above_cap", f.Min.String(), f.Max.String())
	}
}

func (s *Scheme) checkWeights(c *checker) {
	w := s.Weights
	if len(w.Keys) == 0 {
		c.fail("scheme_weights", "scheme.keys_or_period")
	}
	if len(w.Values) > 0 {
		if err := weightsComplete(w.Keys, w.Values); err != nil {
			c.fail("scheme_weights", err.key, err.args...)
		}
	}
	if w.Fact != "" {
		f, ok := s.c.facts[w.Fact]
		if !ok || f.Type != Map || strings.Join(f.Keys, ",") != strings.Join(w.Keys, ",") {
			c.fail("scheme_weights", "scheme.weights_fact", w.Fact, strings.Join(w.Keys, ", "))
		}
	}
}

// keyedError is a message key with its arguments, for checks shared by schemes and facts.
type keyedError struct {
	key  string
	args []any
}

// weightsComplete checks that values has exactly keys and sums to 100.
func weightsComplete(keys []string, values map[string]Decimal) *keyedError {
	var total Decimal
	for _, k := range keys {
		v, ok := values[k]
		if !ok {
			return &keyedError{"scheme.weight_missing", []any{k}}
		}
		if v.Sign() < 0 {
			return &keyedError{"scheme.weight_negative", []any{k}}
		}
		total, _ = total.Add(v)
	}
	if len(values) != len(keys) {
		for k := range values {
			if !contains(keys, k) {
				return &keyedError{"scheme.weight_unknown", []any{k, strings.Join(keys, ", ")}}
			}
		}
	}
	if total.Cmp(NewDecimal(100, 0)) != 0 {
		return &keyedError{"scheme.weights_sum", []any{total.String()}}
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// sample returns a value of the type a fact has inside formulas.
func (s *Scheme) sample(f *FactSpec) any {
	switch f.Type {
	case Bool:
		return false
	case Numbers:
		return []Decimal{}
	case Rows:
		return [][]Decimal{}
	case Map:
		return keyed(f.Keys)
	case Records:
		t := recordType(f.Fields)
		s.c.records[f.Name] = t
		return reflect.MakeSlice(reflect.SliceOf(t), 0, 0).Interface()
	}
	return Decimal{}
}

// keyed returns a map with the given keys, so that compile can refuse a key that is not one of
// them.
func keyed(keys []string) map[string]Decimal {
	m := make(map[string]Decimal, len(keys))
	for _, k := range keys {
		m[k] = Decimal{}
	}
	return m
}

// recordType makes a struct type for a records fact, so formulas over its fields are type
// checked like any other: #.points is a number, #.double a condition.
func recordType(fields []FieldSpec) reflect.Type {
	sf := make([]reflect.StructField, 0, len(fields))
	for i, f := range fields {
		t := decimalType
		if f.Type == Bool {
			t = boolType
		}
		sf = append(sf, reflect.StructField{
			Name: fmt.Sprintf("F%d", i),
			Type: t,
			Tag:  reflect.StructTag(fmt.Sprintf(`expr:%q`, f.Name)),
		})
	}
	return reflect.StructOf(sf)
}

// explanation splits an explanation template into text and {expression} pieces.
func explanation(field, t string, names map[string]any) ([]piece, error) {
	var out []piece
	for t != "" {
		open := strings.IndexByte(t, '{')
		if open < 0 {
			out = append(out, piece{text: t})
			break
		}
		end := strings.IndexByte(t[open:], '}')
		if end < 0 {
			return nil, errs.Field(field, "scheme.explain_brace", t[open:])
		}
		if open > 0 {
			out = append(out, piece{text: t[:open]})
		}
		src := strings.TrimSpace(t[open+1 : open+end])
		p, err := compile(field, src, names, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, piece{expr: p})
		t = t[open+end+1:]
	}
	return out, nil
}
