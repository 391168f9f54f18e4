package scheme

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"manyi/internal/errs"
)

// Formulas are expr-lang expressions over Decimals. expr computes in int and float64 by itself,
// so every number a formula can touch is made a Decimal: literals are rewritten to Decimal
// constants before type checking, the arithmetic and comparison operators are overloaded with
// exact Decimal functions, and the aggregate builtins (sum, mean, min, max, count, round …) are
// replaced by Decimal versions. The builtins that yield int or float64 are switched off, so a
// formula cannot drift back into binary floating point: doing so is a type error at save time.
//
// Sandboxing: expr has no I/O, no assignment and no loops except over a value's elements, and
// the facts a formula sees are bounded (maxListLen); a formula is at most maxFormulaLen
// characters and maxFormulaNodes syntax nodes, and expr's VM stops a run that allocates beyond
// its memory budget. So every formula's running time is bounded by its facts.
const (
	maxFormulaLen   = 2000
	maxFormulaNodes = 400
)

var (
	decimalType = reflect.TypeOf(Decimal{})
	boolType    = reflect.TypeOf(true)
)

// keptBuiltins are expr builtins that do not compute numbers and so stay available: the
// closures over lists (map, filter, all …) and keys/values of a map.
var keptBuiltins = []string{"map", "filter", "all", "any", "none", "one", "keys", "values"}

type dfn = func(params ...any) (any, error)

func binary(f func(x, y Decimal) (Decimal, error)) dfn {
	return func(p ...any) (any, error) { return f(p[0].(Decimal), p[1].(Decimal)) }
}

func compare(f func(c int) bool) dfn {
	return func(p ...any) (any, error) { return f(p[0].(Decimal).Cmp(p[1].(Decimal))), nil }
}

func unary(f func(*apd.Decimal, *apd.Decimal) (apd.Condition, error)) dfn {
	return func(p ...any) (any, error) {
		r := new(apd.Decimal)
		if _, err := f(r, p[0].(Decimal).dec()); err != nil {
			return nil, err
		}
		return Decimal{r}, nil
	}
}

// decimalList accepts what a list expression can be at run time: a fact's []Decimal, or the
// []any that expr's map and values produce.
func decimalList(v any) ([]Decimal, error) {
	switch l := v.(type) {
	case []Decimal:
		return l, nil
	case []any:
		out := make([]Decimal, len(l))
		for i, e := range l {
			d, ok := e.(Decimal)
			if !ok {
				return nil, fmt.Errorf("element %d is not a number", i+1)
			}
			out[i] = d
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a list of numbers")
}

// numbers gathers the arguments of min and max: either numbers or one list.
func numbers(p []any) ([]Decimal, error) {
	if len(p) == 1 {
		if _, ok := p[0].(Decimal); !ok {
			return decimalList(p[0])
		}
	}
	out := make([]Decimal, len(p))
	for i, e := range p {
		d, ok := e.(Decimal)
		if !ok {
			return nil, fmt.Errorf("argument %d is not a number", i+1)
		}
		out[i] = d
	}
	return out, nil
}

func sum(l []Decimal) (Decimal, error) {
	var t Decimal
	for _, d := range l {
		var err error
		if t, err = t.Add(d); err != nil {
			return Decimal{}, err
		}
	}
	return t, nil
}

func extreme(name string, want int) dfn {
	return func(p ...any) (any, error) {
		l, err := numbers(p)
		if err != nil {
			return nil, err
		}
		if len(l) == 0 {
			return nil, fmt.Errorf("%s of an empty list", name)
		}
		m := l[0]
		for _, d := range l[1:] {
			if d.Cmp(m) == want {
				m = d
			}
		}
		return m, nil
	}
}

var (
	listSig    = []any{new(func([]Decimal) Decimal), new(func([]any) Decimal)}
	extremeSig = []any{new(func(...Decimal) Decimal), new(func([]Decimal) Decimal), new(func([]any) Decimal)}
)

// functionOptions are the expr options every formula is compiled with.
var functionOptions = func() []expr.Option {
	d := new(func(Decimal, Decimal) Decimal)
	b := new(func(Decimal, Decimal) bool)
	opts := []expr.Option{
		expr.DisableAllBuiltins(),
		expr.MaxNodes(maxFormulaNodes),
		expr.Function("_add", binary(Decimal.Add), d),
		expr.Function("_sub", binary(Decimal.Sub), d),
		expr.Function("_mul", binary(Decimal.Mul), d),
		expr.Function("_quo", binary(Decimal.Quo), d),
		expr.Function("_lt", compare(func(c int) bool { return c < 0 }), b),
		expr.Function("_le", compare(func(c int) bool { return c <= 0 }), b),
		expr.Function("_gt", compare(func(c int) bool { return c > 0 }), b),
		expr.Function("_ge", compare(func(c int) bool { return c >= 0 }), b),
		expr.Function("_eq", compare(func(c int) bool { return c == 0 }), b),
		expr.Function("_ne", compare(func(c int) bool { return c != 0 }), b),
		expr.Function("neg", func(p ...any) (any, error) { return p[0].(Decimal).Neg(), nil }, new(func(Decimal) Decimal)),
		expr.Function("abs", unary(arith.Abs), new(func(Decimal) Decimal)),
		expr.Function("floor", unary(arith.Floor), new(func(Decimal) Decimal)),
		expr.Function("ceil", unary(arith.Ceil), new(func(Decimal) Decimal)),
		expr.Function("round", func(p ...any) (any, error) {
			places := p[1].(Decimal)
			n, err := places.dec().Int64()
			if err != nil || !places.IsInteger() || n < 0 || n > 10 {
				return nil, fmt.Errorf("round: places must be a whole number from 0 to 10")
			}
			return p[0].(Decimal).Round(int32(n), string(apd.RoundHalfUp))
		}, new(func(Decimal, Decimal) Decimal)),
		expr.Function("clamp", func(p ...any) (any, error) {
			x, lo, hi := p[0].(Decimal), p[1].(Decimal), p[2].(Decimal)
			if lo.Cmp(hi) > 0 {
				return nil, fmt.Errorf("clamp: lower bound %s is above upper bound %s", lo, hi)
			}
			if x.Cmp(lo) < 0 {
				return lo, nil
			}
			if x.Cmp(hi) > 0 {
				return hi, nil
			}
			return x, nil
		}, new(func(Decimal, Decimal, Decimal) Decimal)),
		expr.Function("sum", func(p ...any) (any, error) {
			l, err := decimalList(p[0])
			if err != nil {
				return nil, fmt.Errorf("sum: %v", err)
			}
			return sum(l)
		}, listSig...),
		expr.Function("mean", func(p ...any) (any, error) {
			l, err := decimalList(p[0])
			if err != nil {
				return nil, fmt.Errorf("mean: %v", err)
			}
			if len(l) == 0 {
				return nil, errors.New("mean of an empty list")
			}
			t, err := sum(l)
			if err != nil {
				return nil, err
			}
			return t.Quo(NewDecimal(int64(len(l)), 0))
		}, listSig...),
		expr.Function("count", func(p ...any) (any, error) {
			v := reflect.ValueOf(p[0])
			switch v.Kind() {
			case reflect.Slice, reflect.Array, reflect.Map:
				return NewDecimal(int64(v.Len()), 0), nil
			}
			return nil, errors.New("count: not a list or map")
		}, new(func(any) Decimal)),
		expr.Function("min", extreme("min", -1), extremeSig...),
		expr.Function("max", extreme("max", +1), extremeSig...),
		expr.Patch(decimalLiterals{}),
	}
	for _, name := range keptBuiltins {
		opts = append(opts, expr.EnableBuiltin(name))
	}
	for op, fn := range map[string]string{"+": "_add", "-": "_sub", "*": "_mul", "/": "_quo",
		"<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge", "==": "_eq", "!=": "_ne"} {
		opts = append(opts, expr.Operator(op, fn))
	}
	return opts
}()

// decimalLiterals rewrites number literals into Decimal constants and unary minus into neg(),
// so that no float64 ever enters a formula. A literal used as an index (orders[0]) stays an int.
type decimalLiterals struct{}

func (decimalLiterals) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IntegerNode:
		setDecimal(node, strconv.Itoa(n.Value))
	case *ast.FloatNode:
		// The shortest text that reads back as the same float64 is the literal as written, for
		// any literal of up to 15 significant digits.
		setDecimal(node, strconv.FormatFloat(n.Value, 'g', -1, 64))
	case *ast.UnaryNode:
		switch n.Operator {
		case "-":
			call := &ast.CallNode{Callee: &ast.IdentifierNode{Value: "neg"}, Arguments: []ast.Node{n.Node}}
			ast.Patch(node, call)
			call.SetType(decimalType)
		case "+":
			ast.Patch(node, n.Node)
		}
	case *ast.MemberNode:
		n.Property = indexLiteral(n.Property)
	case *ast.SliceNode:
		if n.From != nil {
			n.From = indexLiteral(n.From)
		}
		if n.To != nil {
			n.To = indexLiteral(n.To)
		}
	}
}

func setDecimal(node *ast.Node, text string) {
	d, err := ParseDecimal(text)
	if err != nil {
		return // left as is, the checker will then refuse it as a type error
	}
	c := &ast.ConstantNode{Value: d}
	ast.Patch(node, c)
	c.SetType(decimalType)
}

func indexLiteral(n ast.Node) ast.Node {
	c, ok := n.(*ast.ConstantNode)
	if !ok {
		return n
	}
	d, ok := c.Value.(Decimal)
	if !ok || !d.IsInteger() {
		return n
	}
	i, err := d.dec().Int64()
	if err != nil {
		return n
	}
	in := &ast.IntegerNode{Value: int(i)}
	in.SetLocation(n.Location())
	in.SetType(reflect.TypeOf(0))
	return in
}

// program is a compiled formula with its source and where it sits in the scheme.
type program struct {
	field string
	src   string
	prog  *vm.Program
}

// compile checks a formula against the names it may use (name → a value of the name's type) and
// the type its result must have (nil: any), and compiles it. Every refusal is an *errs.Error on field with
// the line and column of the fault.
func compile(field, src string, names map[string]any, want reflect.Type) (p *program, err error) {
	defer func() {
		// expr is meant never to panic on any input; this keeps a bug there from taking down a
		// server that is merely saving a scheme.
		if r := recover(); r != nil {
			p, err = nil, errs.Field(field, "scheme.formula_invalid", fmt.Sprint(r))
		}
	}()
	if src == "" {
		return nil, errs.Field(field, "scheme.formula_empty")
	}
	if n := utf8.RuneCountInString(src); n > maxFormulaLen {
		return nil, errs.Field(field, "scheme.formula_too_long", n, maxFormulaLen)
	}
	opts := append([]expr.Option{expr.Env(names)}, functionOptions...)
	cfg := conf.CreateNew()
	for _, o := range opts {
		o(cfg)
	}
	for name := range cfg.Disabled {
		delete(cfg.Builtins, name)
	}
	tree, perr := parser.ParseWithConfig(src, cfg)
	if perr != nil {
		return nil, exprError(field, src, "scheme.formula_syntax", perr)
	}
	if err := unknownNames(field, src, tree, names, cfg); err != nil {
		return nil, err
	}
	prog, cerr := expr.Compile(src, opts...)
	if cerr != nil {
		return nil, exprError(field, src, "scheme.formula_type", cerr)
	}
	got := prog.Node().Type()
	if want != nil && got != want && got.Kind() != reflect.Interface {
		line, col := position(src, 0)
		key := "scheme.formula_not_number"
		if want == boolType {
			key = "scheme.formula_not_condition"
		}
		return nil, errs.Field(field, key, line, col, typeName(got))
	}
	return &program{field: field, src: src, prog: prog}, nil
}

func typeName(t reflect.Type) string {
	switch {
	case t == decimalType:
		return "number"
	case t == boolType:
		return "condition"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Slice:
		return "list"
	case t.Kind() == reflect.Map:
		return "map"
	}
	return t.String()
}

// unknownNames refuses a name that is neither a fact, a parameter, an earlier result nor a
// function, before expr's type checker would report it in its own words.
func unknownNames(field, src string, tree *parser.Tree, names map[string]any, cfg *conf.Config) error {
	known := func(name string) bool {
		if _, ok := names[name]; ok {
			return true
		}
		if _, ok := cfg.Functions[name]; ok {
			return true
		}
		_, ok := cfg.Builtins[name]
		return ok
	}
	declared := map[string]bool{}
	ast.Walk(&tree.Node, visitFunc(func(n *ast.Node) {
		if v, ok := (*n).(*ast.VariableDeclaratorNode); ok {
			declared[v.Name] = true
		}
	}))
	var err error
	ast.Walk(&tree.Node, visitFunc(func(n *ast.Node) {
		if err != nil {
			return
		}
		switch x := (*n).(type) {
		case *ast.IdentifierNode:
			if !known(x.Value) && !declared[x.Value] {
				line, col := position(src, x.Location().From)
				err = errs.Field(field, "scheme.unknown_name", x.Value, line, col)
			}
		case *ast.MemberNode:
			err = unknownKey(field, src, x, names)
		}
	}))
	return err
}

// unknownKey refuses weights.slef: a map with fixed keys is given to compile with those keys,
// and a missing key would otherwise read as 0 without a word.
func unknownKey(field, src string, n *ast.MemberNode, names map[string]any) error {
	id, ok := n.Node.(*ast.IdentifierNode)
	if !ok {
		return nil
	}
	m, ok := names[id.Value].(map[string]Decimal)
	key, isStr := n.Property.(*ast.StringNode)
	if !ok || !isStr || len(m) == 0 {
		return nil
	}
	if _, ok := m[key.Value]; ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	line, col := position(src, key.Location().From)
	return errs.Field(field, "scheme.unknown_key", id.Value, key.Value, line, col, strings.Join(keys, ", "))
}

type visitFunc func(*ast.Node)

func (f visitFunc) Visit(n *ast.Node) { f(n) }

// exprError turns an expr error into a translatable one. expr's own text is kept as the detail:
// it is precise, and only English exists of it.
func exprError(field, src, key string, err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return errs.Field(field, key, 1, 1, err.Error())
	}
	line, col := position(src, fe.From)
	return errs.Field(field, key, line, col, strings.ReplaceAll(fe.Message, decimalType.String(), "number"))
}

// position converts a rune offset into a 1-based line and column.
func position(src string, offset int) (line, col int) {
	line, col = 1, 1
	i := 0
	for _, r := range src {
		if i == offset {
			break
		}
		i++
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// run evaluates p over env and returns its result, which compile has made a Decimal or a bool.
func (p *program) run(env map[string]any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%v", r)
		}
	}()
	out, err := expr.Run(p.prog, env)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, errors.New(fe.Message)
		}
		return nil, err
	}
	return out, nil
}

func (p *program) decimal(env map[string]any) (Decimal, error) {
	v, err := p.run(env)
	if err != nil {
		return Decimal{}, err
	}
	d, ok := v.(Decimal)
	if !ok {
		return Decimal{}, fmt.Errorf("result is %T, not a number", v)
	}
	return d, nil
}

func (p *program) bool(env map[string]any) (bool, error) {
	v, err := p.run(env)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("result is %T, not a condition", v)
	}
	return b, nil
}
