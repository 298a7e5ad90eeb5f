package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// storedKinds returns every securitylog.Kind constant declared in the
// package's source, but NoticeFailed, which is never stored.
func storedKinds(t *testing.T) []securitylog.Kind {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../../securitylog/securitylog.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []securitylog.Kind
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
				lit, ok := val.(*ast.BasicLit)
				if !ok {
					continue
				}
				k, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				if securitylog.Kind(k) != securitylog.NoticeFailed {
					kinds = append(kinds, securitylog.Kind(k))
				}
			}
		}
	}
	if len(kinds) < 20 {
		t.Fatalf("found %d kinds in the securitylog source, want every one", len(kinds))
	}
	return kinds
}

// TestEventLabelsComplete checks that the Security log page names every
// kind of event the SDK stores in words.
func TestEventLabelsComplete(t *testing.T) {
	for _, k := range storedKinds(t) {
		if _, ok := eventLabels[k]; !ok {
			t.Errorf("no label for the event kind %q", k)
		}
	}
}
