package securitylog_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// Kinds holds every Kind constant of the source, in order: a kind added
// without it fails here, so front ends and tests that walk Kinds see it.
func TestKindsListsEveryKind(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "securitylog.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []securitylog.Kind
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, val := range v.Values {
				s, err := strconv.Unquote(val.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				declared = append(declared, securitylog.Kind(s))
			}
		}
	}
	if !slices.Equal(declared, securitylog.Kinds) {
		t.Errorf("Kinds = %v, the source declares %v", securitylog.Kinds, declared)
	}
}
