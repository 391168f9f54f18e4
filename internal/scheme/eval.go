package scheme

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"manyi/internal/errs"
)

// Result is the outcome of one subject in one period, with the scheme version that made it.
type Result struct {
	Subject string `json:"subject"`
	Period  string `json:"period"`
	Scheme  string `json:"scheme"`
	Version int    `json:"version"`
	Status  Status `json:"status"`
	// Reason says why the status is not scored.
	Reason     *Text             `json:"reason,omitempty"`
	Components []ComponentResult `json:"components,omitempty"`
	Total      *Decimal          `json:"total,omitempty"`
	Grade      *GradeResult      `json:"grade,omitempty"`
	// Flags are the codes of the per-period flags and multi-period rules that hold.
	Flags []string `json:"flags"`
	// Money maps each money item of the scheme (reward, penalty, fine …) to yuan; 0 when its
	// condition does not hold. Only scored periods carry money.
	Money map[string]Decimal `json:"money,omitempty"`

	period Period
	rules  []bool // per rule of the scheme: whether its condition held in this period
}

// ComponentResult is one component's value and the one-line explanation naming its inputs.
type ComponentResult struct {
	Code        string   `json:"code"`
	Name        Text     `json:"name"`
	Value       Decimal  `json:"value"`
	Max         *Decimal `json:"max,omitempty"`
	Explanation Text     `json:"explanation"`
}

// GradeResult is the grade band a total fell in.
type GradeResult struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// Evaluate computes the results of every subject in every period of its facts, in the order
// the subjects are given and, within a subject, in period order. Multi-period rules see all
// periods given for a subject, so a year's months must be evaluated together.
//
// Facts that do not fit the scheme are refused, every refusal naming the subject, the period and
// the fact; then nothing is computed. A formula failing at run time (a division by zero, say)
// is refused naming the formula.
func (s *Scheme) Evaluate(subjects ...SubjectFacts) ([]Result, error) {
	if !s.c.ok {
		if err := s.compile(); err != nil {
			return nil, err
		}
	}
	type job struct {
		subject string
		period  Period
		env     map[string]any
	}
	var jobs []job
	var bad []error
	for _, sf := range subjects {
		keys := make([]string, 0, len(sf.Periods))
		for k := range sf.Periods {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var periods []job
		for _, k := range keys {
			p, err := ParsePeriod(k)
			if err != nil || p.Kind != s.Period {
				bad = append(bad, errs.New(errs.Invalid, "scheme.fact_period", sf.ID, k, s.Period, example[s.Period]))
				continue
			}
			env, errl := s.periodFacts(sf.ID, p, sf.Periods[k])
			bad = append(bad, errl...)
			periods = append(periods, job{sf.ID, p, env})
		}
		// Period keys sort as text within a kind, but a week key and its year differ; sort by
		// value to be sure.
		sort.SliceStable(periods, func(i, j int) bool { return periods[i].period.Before(periods[j].period) })
		jobs = append(jobs, periods...)
	}
	if len(bad) > 0 {
		return nil, joinCapped(bad)
	}
	results := make([]Result, 0, len(jobs))
	for _, j := range jobs {
		r, err := s.evaluatePeriod(j.subject, j.period, j.env)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	s.applyRules(results)
	return results, nil
}

var example = map[PeriodKind]string{Week: "2026-W05", Month: "2026-03", Quarter: "2026-Q1", Year: "2026"}

func joinCapped(l []error) error {
	if len(l) > maxErrors {
		rest := len(l) - maxErrors
		l = append(l[:maxErrors:maxErrors], errs.New(errs.Invalid, "scheme.more_errors", rest))
	}
	return errors.Join(l...)
}

func (s *Scheme) evaluatePeriod(subject string, p Period, env map[string]any) (Result, error) {
	r := Result{Subject: subject, Period: p.String(), Scheme: s.Code, Version: s.Version, Flags: []string{}, period: p}
	fail := func(prog *program, err error) (Result, error) {
		return Result{}, errs.New(errs.Invalid, "scheme.formula_runtime", subject, p.String(), prog.field, err.Error())
	}
	round := func(d Decimal) (Decimal, error) { return d.Round(s.Rounding.Places, s.Rounding.Mode) }

	for i, st := range s.c.status {
		hold, err := st.bool(env)
		if err != nil {
			return fail(st, err)
		}
		if hold {
			r.Status = s.Status[i].Status
			reason := s.Status[i].Reason
			r.Reason = &reason
			r.rules = make([]bool, len(s.Rules))
			return r, nil
		}
	}
	r.Status = Scored

	for i, cc := range s.c.components {
		comp := s.Components[i]
		v, err := cc.formula.decimal(env)
		if err != nil {
			return fail(cc.formula, err)
		}
		if comp.Floor != nil && v.Cmp(*comp.Floor) < 0 {
			v = *comp.Floor
		}
		if comp.Cap != nil && v.Cmp(*comp.Cap) > 0 {
			v = *comp.Cap
		}
		if v, err = round(v); err != nil {
			return fail(cc.formula, err)
		}
		env[comp.Code] = v
		withValue := with(env, "value", v)
		var ex [2]string
		for l := range ex {
			if ex[l], err = render(cc.explain[l], withValue); err != nil {
				return fail(cc.formula, err)
			}
		}
		r.Components = append(r.Components, ComponentResult{
			Code: comp.Code, Name: comp.Name, Value: v, Max: comp.Max,
			Explanation: Text{ZH: ex[0], EN: ex[1]},
		})
	}

	total, err := s.c.total.decimal(env)
	if err == nil {
		total, err = round(total)
	}
	if err != nil {
		return fail(s.c.total, err)
	}
	r.Total = &total
	env["total"] = total

	env["grade"] = ""
	for i, g := range s.c.grades {
		hold, err := g.bool(env)
		if err != nil {
			return fail(g, err)
		}
		if hold {
			r.Grade = &GradeResult{Code: s.Grades[i].Code, Name: s.Grades[i].Name}
			env["grade"] = s.Grades[i].Code
			break
		}
	}

	r.Money = map[string]Decimal{}
	for i, m := range s.c.money {
		amount := Decimal{}
		hold := true
		if m.when != nil {
			if hold, err = m.when.bool(env); err != nil {
				return fail(m.when, err)
			}
		}
		if hold {
			if amount, err = m.formula.decimal(env); err == nil {
				amount, err = round(amount)
			}
			if err != nil {
				return fail(m.formula, err)
			}
		}
		r.Money[s.Money[i].Code] = amount
	}

	for i, f := range s.c.flags {
		hold, err := f.bool(env)
		if err != nil {
			return fail(f, err)
		}
		if hold {
			r.Flags = append(r.Flags, s.Flags[i].Code)
		}
	}
	r.rules = make([]bool, len(s.Rules))
	for i, rp := range s.c.rules {
		if rp == nil {
			continue
		}
		if r.rules[i], err = rp.bool(env); err != nil {
			return fail(rp, err)
		}
	}
	return r, nil
}

// render fills an explanation's {expression} pieces.
func render(ps []piece, env map[string]any) (string, error) {
	var b strings.Builder
	for _, p := range ps {
		if p.expr == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := p.expr.run(env)
		if err != nil {
			return "", err
		}
		b.WriteString(format(v))
	}
	return b.String(), nil
}

// format prints a value inside an explanation: numbers exactly, lists comma-separated.
func format(v any) string {
	switch x := v.(type) {
	case Decimal:
		return x.String()
	case string:
		return x
	case nil:
		return ""
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = format(rv.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}
