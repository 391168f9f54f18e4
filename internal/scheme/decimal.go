package scheme

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"gopkg.in/yaml.v3"
)

// arith is the context of every operation in a formula. 34 significant digits (IEEE decimal128)
// keep every score and yuan amount exact; only a division that does not terminate (a mean of
// three values, say) is cut there, and the scheme's rounding rule then decides what is shown.
// The exponent range is narrow on purpose: no real score or amount comes near 10^60, so
// anything beyond it is a runaway formula and is refused as an overflow.
var arith = apd.Context{
	Precision:   34,
	MaxExponent: 60,
	MinExponent: -60,
	Traps:       apd.DefaultTraps,
	Rounding:    apd.RoundHalfEven,
}

// maxInputDigits bounds the significant digits of a number read from facts or a scheme, so a
// value can never be rounded on the way in.
const maxInputDigits = 20

// Decimal is an exact decimal number: a score, a rate or an amount of yuan. The zero value is 0.
// A Decimal is immutable; every operation returns a new one, so values may be shared freely.
type Decimal struct{ d *apd.Decimal }

var zero = apd.New(0, 0)

func (x Decimal) dec() *apd.Decimal {
	if x.d == nil {
		return zero
	}
	return x.d
}

// NewDecimal returns coef × 10^exp, e.g. NewDecimal(898, -1) is 89.8.
func NewDecimal(coef int64, exp int32) Decimal { return Decimal{apd.New(coef, exp)} }

// ParseDecimal reads a decimal written in plain or exponent notation ("89.8", "-1", "1e3").
// NaN, infinities and numbers with more than 20 significant digits are refused.
func ParseDecimal(s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return Decimal{}, fmt.Errorf("%q is not a number", s)
	}
	if d.Form != apd.Finite {
		return Decimal{}, fmt.Errorf("%q is not a finite number", s)
	}
	if d.NumDigits() > maxInputDigits {
		return Decimal{}, fmt.Errorf("%q has more than %d significant digits", s, maxInputDigits)
	}
	if e := int64(d.Exponent) + d.NumDigits(); e > int64(arith.MaxExponent)/2 || int64(d.Exponent) < int64(arith.MinExponent)/2 {
		return Decimal{}, fmt.Errorf("%q is out of range", s)
	}
	return Decimal{d}, nil
}

// MustDecimal is ParseDecimal for constants in code and tests; it panics on a bad literal.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String prints the number in plain notation without trailing zeros: 89.8, 5000, 0.25, -6.
// It never uses exponent notation and never prints "-0".
func (x Decimal) String() string {
	var r apd.Decimal
	r.Reduce(x.dec())
	if r.IsZero() {
		return "0"
	}
	return r.Text('f')
}

// Cmp compares x and y and returns -1, 0 or +1.
func (x Decimal) Cmp(y Decimal) int { return x.dec().Cmp(y.dec()) }

// Sign returns -1, 0 or +1.
func (x Decimal) Sign() int { return x.dec().Sign() }

// IsInteger reports whether x has no fractional part.
func (x Decimal) IsInteger() bool {
	var r apd.Decimal
	r.Reduce(x.dec())
	return r.Exponent >= 0
}

// Round returns x rounded to places decimal places with mode (an apd rounder name such as
// "half_up").
func (x Decimal) Round(places int32, mode string) (Decimal, error) {
	c := arith
	c.Rounding = apd.Rounder(mode)
	c.Precision = 60 // quantizing must never be limited by precision, only by places
	r := new(apd.Decimal)
	if _, err := c.Quantize(r, x.dec(), -places); err != nil {
		return Decimal{}, err
	}
	return Decimal{r}, nil
}

type binop func(d, x, y *apd.Decimal) (apd.Condition, error)

func (x Decimal) op(y Decimal, f binop) (Decimal, error) {
	r := new(apd.Decimal)
	if _, err := f(r, x.dec(), y.dec()); err != nil {
		return Decimal{}, err
	}
	return Decimal{r}, nil
}

// Add, Sub, Mul and Quo are exact except that Quo rounds a non-terminating quotient to 34 digits.
func (x Decimal) Add(y Decimal) (Decimal, error) { return x.op(y, arith.Add) }
func (x Decimal) Sub(y Decimal) (Decimal, error) { return x.op(y, arith.Sub) }
func (x Decimal) Mul(y Decimal) (Decimal, error) { return x.op(y, arith.Mul) }
func (x Decimal) Quo(y Decimal) (Decimal, error) {
	if y.Sign() == 0 {
		return Decimal{}, errDivZero
	}
	return x.op(y, arith.Quo)
}

// Neg returns −x.
func (x Decimal) Neg() Decimal { return Decimal{new(apd.Decimal).Neg(x.dec())} }

var errDivZero = errors.New("division by zero")

// MarshalJSON writes a JSON string such as "89.8". A string, not a JSON number, because most
// JSON readers (JavaScript, spreadsheets) turn numbers into binary floats, which is exactly
// the inexactness this type exists to avoid.
func (x Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(x.String()) }

// UnmarshalJSON accepts a JSON string or a JSON number, read from its text, never via float64.
func (x *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	d, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*x = d
	return nil
}

// MarshalYAML writes a plain YAML number, so a scheme file reads 0.15, not "0.15".
func (x Decimal) MarshalYAML() (any, error) {
	tag := "!!float"
	if x.IsInteger() {
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: x.String()}, nil
}

// UnmarshalYAML reads the number from the scalar's text, never via float64.
func (x *Decimal) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a number", n.Line)
	}
	d, err := ParseDecimal(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*x = d
	return nil
}
