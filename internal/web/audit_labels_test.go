package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"manyi/internal/locale"
)

// TestAuditLabels reads every audit.Change written anywhere in internal/ and checks that its
// entity and action have a label (locale keys entity.X and action.X; the audit page shows a
// missing one raw) and that the entity is offered in the audit page's filter. Reading the
// source keeps the test from going stale as areas add records.
//
// An action may be a string literal, a variable assigned literals or constants in the same
// function, or string(x.T) of a typed constant T, in which case every constant of type T in
// the package counts; anything else fails the test so it is looked at.
func TestAuditLabels(t *testing.T) {
	entities, actions := map[string]string{}, map[string]string{}
	fset := token.NewFileSet()
	byDir := map[string][]*ast.File{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		byDir[filepath.Dir(path)] = append(byDir[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, files := range byDir {
		consts, typed := packageConsts(files)
		for _, f := range files {
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					lit, ok := n.(*ast.CompositeLit)
					if !ok || !isAuditChange(lit.Type) {
						return true
					}
					for _, el := range lit.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						key, _ := kv.Key.(*ast.Ident)
						if key == nil || (key.Name != "Entity" && key.Name != "Action") {
							continue
						}
						pos := fset.Position(kv.Value.Pos()).String()
						vals := values(kv.Value, fn.Body, consts, typed)
						if len(vals) == 0 {
							t.Errorf("%s: cannot tell the values of audit %s; use a literal, or extend TestAuditLabels", pos, key.Name)
						}
						for _, v := range vals {
							if key.Name == "Entity" {
								entities[v] = pos
							} else {
								actions[v] = pos
							}
						}
					}
					return true
				})
			}
		}
	}
	if len(entities) < 10 || len(actions) < 10 {
		t.Fatalf("found only %d entities and %d actions; is the source walk broken?", len(entities), len(actions))
	}
	for _, kind := range []struct {
		prefix string
		used   map[string]string
	}{{"entity.", entities}, {"action.", actions}} {
		for _, v := range sortedKeys(kind.used) {
			if !locale.Has(kind.prefix + v) {
				t.Errorf("%s: no label %s%s in internal/locale", kind.used[v], kind.prefix, v)
			}
		}
	}
	for _, e := range sortedKeys(entities) {
		if !slices.Contains(auditEntities, e) {
			t.Errorf("%s: entity %s is not offered in the audit page's filter (auditEntities)", entities[e], e)
		}
	}
	for _, e := range auditEntities {
		if _, ok := entities[e]; !ok {
			t.Errorf("the audit filter offers %s, which nothing records", e)
		}
	}
}

func isAuditChange(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "audit" && sel.Sel.Name == "Change"
}

// packageConsts returns the package's string constants by name, and by type name.
func packageConsts(files []*ast.File) (map[string]string, map[string][]string) {
	consts, typed := map[string]string{}, map[string][]string{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					s, ok := stringLit(vs.Values[i])
					if !ok {
						continue
					}
					consts[name.Name] = s
					if typ, ok := vs.Type.(*ast.Ident); ok {
						typed[typ.Name] = append(typed[typ.Name], s)
					}
				}
			}
		}
	}
	return consts, typed
}

// values returns the strings expression e can have.
func values(e ast.Expr, body *ast.BlockStmt, consts map[string]string, typed map[string][]string) []string {
	if s, ok := stringLit(e); ok {
		return []string{s}
	}
	switch e := e.(type) {
	case *ast.CallExpr: // string(x)
		if fn, ok := e.Fun.(*ast.Ident); !ok || fn.Name != "string" || len(e.Args) != 1 {
			return nil
		}
		if sel, ok := e.Args[0].(*ast.SelectorExpr); ok {
			return typed[sel.Sel.Name] // a field named after its type, as a.Verb
		}
		return values(e.Args[0], body, consts, typed)
	case *ast.Ident:
		if s, ok := consts[e.Name]; ok {
			return []string{s}
		}
		var out []string
		ast.Inspect(body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok {
				return true
			}
			for i, lhs := range as.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && id.Name == e.Name && i < len(as.Rhs) && len(as.Lhs) == len(as.Rhs) {
					if s, ok := stringLit(as.Rhs[i]); ok {
						out = append(out, s)
					} else if c, ok := as.Rhs[i].(*ast.Ident); ok && consts[c.Name] != "" {
						out = append(out, consts[c.Name])
					}
				}
			}
			return true
		})
		return out
	}
	return nil
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
