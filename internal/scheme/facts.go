package scheme

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"manyi/internal/errs"
)

// SubjectFacts are one subject's facts per period. Period keys are written as ParsePeriod reads
// them ("2026-03", "2026-Q1", "2026-W05", "2026"); each period maps fact names to values.
//
// Values may be what encoding/json produces with UseNumber (json.Number, bool, []any,
// map[string]any) or plain Go values (int, int64, Decimal, []Decimal, [][]Decimal,
// map[string]Decimal, []map[string]any); a float64 is read through its shortest decimal text.
type SubjectFacts struct {
	ID      string                    `json:"id"`
	Periods map[string]map[string]any `json:"periods"`
}

const (
	maxFactsBytes = 32 << 20
	maxListLen    = 10000 // elements of one fact: far beyond a month of work orders per person
	maxSubjects   = 10000
	maxErrors     = 50 // refusals reported at once; the rest are summarised
)

// ParseFacts reads a facts file: {"subjects": [{"id": "牡丹处", "periods": {"2026-03": {…}}}]}.
// It checks the file's shape only; Evaluate checks the facts against a scheme.
func ParseFacts(data []byte) ([]SubjectFacts, error) {
	if len(data) > maxFactsBytes {
		return nil, errs.Field("scheme_facts_file", "scheme.facts_too_large", maxFactsBytes>>20)
	}
	var file struct {
		Subjects []SubjectFacts `json:"subjects"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, errs.Field("scheme_facts_file", "scheme.facts_json", jsonDetail(err))
	}
	if dec.More() {
		return nil, errs.Field("scheme_facts_file", "scheme.facts_json", "unexpected data after the facts object")
	}
	if len(file.Subjects) == 0 {
		return nil, errs.Field("scheme_facts_file", "scheme.facts_no_subjects")
	}
	if len(file.Subjects) > maxSubjects {
		return nil, errs.Field("scheme_facts_file", "scheme.facts_too_many", maxSubjects)
	}
	seen := map[string]bool{}
	for i, s := range file.Subjects {
		switch {
		case strings.TrimSpace(s.ID) == "":
			return nil, errs.Field("scheme_facts_file", "scheme.facts_subject_id", i+1)
		case seen[s.ID]:
			return nil, errs.Field("scheme_facts_file", "scheme.facts_duplicate_subject", s.ID)
		case len(s.Periods) == 0:
			return nil, errs.Field("scheme_facts_file", "scheme.facts_no_periods", s.ID)
		}
		seen[s.ID] = true
	}
	return file.Subjects, nil
}

func jsonDetail(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (byte %d)", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%q must be %s", te.Field, te.Type)
	}
	return err.Error()
}

// factError is a refusal of a fact naming the subject, the period and the fact (with the
// element inside it, e.g. survey[3]).
func factError(subject, period, fact, key string, args ...any) error {
	return errs.New(errs.Invalid, key, append([]any{subject, period, fact}, args...)...)
}

// periodFacts checks one period's facts against the scheme and returns the values formulas see,
// or every refusal.
func (s *Scheme) periodFacts(subject string, p Period, raw map[string]any) (map[string]any, []error) {
	var out []error
	bad := func(fact, key string, args ...any) {
		out = append(out, factError(subject, p.String(), fact, key, args...))
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names) // the same file gives the same message every time
	for _, name := range names {
		if _, ok := s.c.facts[name]; !ok {
			bad(name, "scheme.fact_unknown", strings.Join(s.FactNames(), ", "))
		}
	}
	env := make(map[string]any, len(raw)+len(s.c.params)+1)
	for k, v := range s.c.params {
		env[k] = v
	}
	for i := range s.Facts {
		f := &s.Facts[i]
		v, present := raw[f.Name]
		if !present || v == nil {
			if !f.Optional {
				bad(f.Name, "scheme.fact_missing")
				continue
			}
			if s.Weights != nil && f.Name == s.Weights.Fact {
				continue // absent weights fall back to the scheme's, below
			}
		}
		val, err := s.factValue(f, p, v, present && v != nil)
		if err != nil {
			bad(f.Name+err.at, err.key, err.args...)
			continue
		}
		env[f.Name] = val
	}
	if len(out) > 0 {
		return nil, out
	}
	if w := s.Weights; w != nil {
		if fw, ok := env[w.Fact].(map[string]Decimal); ok && w.Fact != "" {
			if err := weightsComplete(w.Keys, fw); err != nil {
				return nil, []error{factError(subject, p.String(), w.Fact, "scheme.fact_"+strings.TrimPrefix(err.key, "scheme."), err.args...)}
			}
			env["weights"] = fw
		} else if len(w.Values) > 0 {
			env["weights"] = w.Values
		} else {
			env["weights"] = map[string]Decimal(nil) // no weights: the period is incomplete
		}
	}
	for i, ch := range s.c.checks {
		ok, err := ch.bool(env)
		if err != nil {
			out = append(out, errs.New(errs.Invalid, "scheme.formula_runtime", subject, p.String(), ch.field, err.Error()))
		} else if !ok {
			m := s.Checks[i].Message
			bad(s.Checks[i].Fact, "scheme.fact_check", m.ZH, m.EN)
		}
	}
	return env, out
}

// valueError is a fact refusal found inside a value: at is the path within the fact.
type valueError struct {
	at   string
	key  string
	args []any
}

func verr(at, key string, args ...any) *valueError { return &valueError{at, key, args} }

// factValue checks v against f and converts it to the type formulas see.
func (s *Scheme) factValue(f *FactSpec, p Period, v any, present bool) (any, *valueError) {
	switch f.Type {
	case Count, Number:
		if !present {
			return Decimal{}, nil
		}
		return number(f.Type, f.Min, f.Max, f.OneOf, "", v)
	case Bool:
		if !present {
			return false, nil
		}
		b, ok := v.(bool)
		if !ok {
			return nil, verr("", "scheme.fact_wrong_type", "true/false")
		}
		return b, nil
	case Numbers:
		l, err := list(v, present)
		if err != nil {
			return nil, err
		}
		out := make([]Decimal, len(l))
		for i, e := range l {
			d, err := number(Number, f.Min, f.Max, f.OneOf, index(i), e)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	case Rows:
		l, err := list(v, present)
		if err != nil {
			return nil, err
		}
		out := make([][]Decimal, len(l))
		for i, e := range l {
			row, err := list(e, true)
			if err != nil {
				err.at = index(i) + err.at
				return nil, err
			}
			if len(row) != f.Width {
				return nil, verr(index(i), "scheme.fact_row_width", f.Width)
			}
			out[i] = make([]Decimal, len(row))
			for j, x := range row {
				d, err := number(Number, f.Min, f.Max, f.OneOf, index(i)+index(j), x)
				if err != nil {
					return nil, err
				}
				out[i][j] = d
			}
		}
		return out, nil
	case Map:
		return mapValue(f, p, v, present)
	case Records:
		return s.records(f, v, present)
	}
	return nil, verr("", "scheme.fact_wrong_type", string(f.Type))
}

func index(i int) string { return "[" + strconv.Itoa(i+1) + "]" }

// list accepts a JSON array or a Go slice of any element type.
func list(v any, present bool) ([]any, *valueError) {
	if !present {
		return nil, nil
	}
	switch l := v.(type) {
	case []any:
		if len(l) > maxListLen {
			return nil, verr("", "scheme.fact_too_long", maxListLen)
		}
		return l, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, verr("", "scheme.fact_wrong_type", "list")
	}
	if rv.Len() > maxListLen {
		return nil, verr("", "scheme.fact_too_long", maxListLen)
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}

// toDecimal converts a JSON or Go number.
func toDecimal(v any) (Decimal, bool) {
	switch n := v.(type) {
	case Decimal:
		return n, true
	case json.Number:
		d, err := ParseDecimal(string(n))
		return d, err == nil
	case int:
		return NewDecimal(int64(n), 0), true
	case int64:
		return NewDecimal(n, 0), true
	case int32:
		return NewDecimal(int64(n), 0), true
	case float64:
		d, err := ParseDecimal(strconv.FormatFloat(n, 'g', -1, 64))
		return d, err == nil
	}
	return Decimal{}, false
}

// number checks one number of type count or number against its bounds.
func number(t FactType, min, max *Decimal, oneOf []Decimal, at string, v any) (Decimal, *valueError) {
	d, ok := toDecimal(v)
	if !ok {
		want := "number"
		if t == Count {
			want = "count"
		}
		return Decimal{}, verr(at, "scheme.fact_wrong_type", want)
	}
	if t == Count {
		if d.Sign() < 0 {
			return Decimal{}, verr(at, "scheme.fact_negative", d.String())
		}
		if !d.IsInteger() {
			return Decimal{}, verr(at, "scheme.fact_not_whole", d.String())
		}
	}
	if min != nil && d.Cmp(*min) < 0 || max != nil && d.Cmp(*max) > 0 {
		lo, hi := "−∞", "∞"
		if min != nil {
			lo = min.String()
		}
		if max != nil {
			hi = max.String()
		}
		return Decimal{}, verr(at, "scheme.fact_out_of_range", d.String(), lo, hi)
	}
	if len(oneOf) > 0 {
		allowed := make([]string, len(oneOf))
		for i, o := range oneOf {
			if o.Cmp(d) == 0 {
				return d, nil
			}
			allowed[i] = o.String()
		}
		return Decimal{}, verr(at, "scheme.fact_not_one_of", d.String(), strings.Join(allowed, ", "))
	}
	return d, nil
}

func mapValue(f *FactSpec, p Period, v any, present bool) (any, *valueError) {
	out := map[string]Decimal{}
	if !present {
		return out, nil
	}
	var m map[string]any
	switch x := v.(type) {
	case map[string]any:
		m = x
	case map[string]Decimal:
		m = make(map[string]any, len(x))
		for k, d := range x {
			m[k] = d
		}
	default:
		return nil, verr("", "scheme.fact_wrong_type", "map")
	}
	if len(m) > maxListLen {
		return nil, verr("", "scheme.fact_too_long", maxListLen)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same first fault every time
	for _, k := range keys {
		at := "." + k
		if f.KeyPeriod != "" {
			kp, err := ParsePeriod(k)
			if err != nil || kp.Kind != f.KeyPeriod || !p.Contains(kp) {
				return nil, verr(at, "scheme.fact_key_period", k, p.String())
			}
		} else if !contains(f.Keys, k) {
			return nil, verr(at, "scheme.fact_key_unknown", k, strings.Join(f.Keys, ", "))
		}
		d, err := number(Number, f.Min, f.Max, f.OneOf, at, m[k])
		if err != nil {
			return nil, err
		}
		out[k] = d
	}
	for _, k := range f.Keys {
		if _, ok := out[k]; !ok {
			return nil, verr("."+k, "scheme.fact_key_missing")
		}
	}
	return out, nil
}

func (s *Scheme) records(f *FactSpec, v any, present bool) (any, *valueError) {
	t := s.c.records[f.Name]
	l, err := list(v, present)
	if err != nil {
		return nil, err
	}
	out := reflect.MakeSlice(reflect.SliceOf(t), len(l), len(l))
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, verr(index(i), "scheme.fact_wrong_type", "record")
		}
		for k := range m {
			found := false
			for _, fs := range f.Fields {
				found = found || fs.Name == k
			}
			if !found {
				return nil, verr(index(i)+"."+k, "scheme.fact_field_unknown", fieldNames(f.Fields))
			}
		}
		for j, fs := range f.Fields {
			at := index(i) + "." + fs.Name
			x, ok := m[fs.Name]
			if !ok || x == nil {
				if !fs.Optional {
					return nil, verr(at, "scheme.fact_missing_field")
				}
				continue // the zero value: 0 or false
			}
			var val any
			if fs.Type == Bool {
				b, ok := x.(bool)
				if !ok {
					return nil, verr(at, "scheme.fact_wrong_type", "true/false")
				}
				val = b
			} else {
				d, err := number(fs.Type, fs.Min, fs.Max, nil, at, x)
				if err != nil {
					return nil, err
				}
				val = d
			}
			out.Index(i).Field(j).Set(reflect.ValueOf(val))
		}
	}
	return out.Interface(), nil
}

func fieldNames(fs []FieldSpec) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
