package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"unicode"

	"github.com/seed-a97ca23f/usersettings/profile"
	"golang.org/x/text/language"
)

// templateKeys returns the catalogue keys the page templates use: the
// texts of {{t}} and {{th}}, and the labels and hints given to the
// field, passkeyButton and secret functions. They are the same in every
// language's template set, so the English one is walked.
func templateKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for name, tpl := range mustParsePages(translators[language.English].funcs()) {
		for _, tt := range tpl.Templates() {
			if tt.Tree == nil {
				continue
			}
			walkTemplate(tt.Tree.Root, func(n parse.Node) {
				cmd, ok := n.(*parse.CommandNode)
				if !ok || len(cmd.Args) < 2 {
					return
				}
				id, ok := cmd.Args[0].(*parse.IdentifierNode)
				if !ok {
					return
				}
				where := name + ": " + tt.Name()
				str := func(i int) (string, bool) {
					if i >= len(cmd.Args) {
						return "", false
					}
					s, ok := cmd.Args[i].(*parse.StringNode)
					if !ok {
						return "", false
					}
					return s.Text, true
				}
				switch id.Ident {
				case "t", "th":
					if s, ok := str(1); ok {
						keys[s] = where
					}
				case "field":
					if s, ok := str(3); ok {
						keys[s] = where
					}
					for i := 4; i < len(cmd.Args); i++ {
						if s, ok := str(i); ok && strings.HasPrefix(s, "hint=") {
							keys[strings.TrimPrefix(s, "hint=")] = where
						}
					}
				case "profileField":
					for i := 2; i < len(cmd.Args); i++ {
						if s, ok := str(i); ok && strings.HasPrefix(s, "hint=") {
							keys[strings.TrimPrefix(s, "hint=")] = where
						}
					}
				case "passkeyButton":
					if s, ok := str(2); ok {
						keys[s] = where
					}
				case "secret":
					if s, ok := str(3); ok {
						keys[s] = where
					}
				}
			})
		}
	}
	return keys
}

// walkTemplate calls fn on every node under n.
func walkTemplate(n parse.Node, fn func(parse.Node)) {
	if n == nil {
		return
	}
	fn(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkTemplate(c, fn)
		}
	case *parse.ActionNode:
		walkTemplate(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkTemplate(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkTemplate(a, fn)
		}
	case *parse.IfNode:
		walkTemplate(n.Pipe, fn)
		walkTemplate(n.List, fn)
		walkTemplate(n.ElseList, fn)
	case *parse.RangeNode:
		walkTemplate(n.Pipe, fn)
		walkTemplate(n.List, fn)
		walkTemplate(n.ElseList, fn)
	case *parse.WithNode:
		walkTemplate(n.Pipe, fn)
		walkTemplate(n.List, fn)
		walkTemplate(n.ElseList, fn)
	case *parse.TemplateNode:
		walkTemplate(n.Pipe, fn)
	}
}

// notWords are string literals of the package's Go code that no page
// shows: they are not looked for in the catalogue. The recovery codes'
// text file stays English, like the codes it holds.
var notWords = regexp.MustCompile(`^(web: |data:|default-src |form-action |settingsd web |Recovery codes for |[a-z0-9_.:/-]*$|2 Jan 2006|internal error|private, no-cache|, by support$|[A-Z][a-zA-Z-]*$|/|\.|%s|Sec-|X-|Content-|text/|image/|application/)`)

// goKeys returns the string literals of the package's Go code that a page
// shows: every literal with a space (or a sentence's full stop) that is
// not a log message, a panic, a header or a format for a URL, by where
// it stands.
func goKeys(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	keys := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "i18n.go" || strings.HasPrefix(name, "catalog") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		skip := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec, *ast.Field:
				return false
			case *ast.CallExpr:
				fn := ""
				switch f := n.Fun.(type) {
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				case *ast.Ident:
					fn = f.Name
				}
				switch fn {
				case "Error", "Warn", "Info", "Debug", "panic", "Errorf", "New", "Set", "Get", "Add", "Del",
					"HandleFunc", "Handle", "cookie", "Redirect", "seeOther", "render", "Glob", "ParseFS", "Lookup",
					"setFlash", "Contains", "HasPrefix", "TrimPrefix", "Cut", "ReplaceAll", "Query", "Escape", "QueryEscape", "PostFormValue", "FormValue":
					for _, a := range n.Args {
						if l, ok := a.(*ast.BasicLit); ok {
							skip[l] = true
						}
					}
				}
			case *ast.KeyValueExpr:
				if l, ok := n.Key.(*ast.BasicLit); ok {
					skip[l] = true
				}
			case *ast.CaseClause:
				for _, e := range n.List {
					if l, ok := e.(*ast.BasicLit); ok {
						skip[l] = true
					}
				}
			case *ast.BinaryExpr:
				if n.Op != token.EQL && n.Op != token.NEQ {
					return true
				}
				for _, e := range []ast.Expr{n.X, n.Y} {
					if l, ok := e.(*ast.BasicLit); ok {
						skip[l] = true
					}
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING || skip[n] {
					return true
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil || notWords.MatchString(s) || !strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") {
					return true
				}
				keys[s] = fset.Position(n.Pos()).String()
			}
			return true
		})
	}
	return keys
}

// TestDutchCatalogueComplete fails when a text a page shows, from a
// template or from Go code, has no Dutch translation in the catalogue.
func TestDutchCatalogueComplete(t *testing.T) {
	keys := templateKeys(t)
	for k, where := range goKeys(t) {
		keys[k] = where
	}
	for _, f := range profile.Fields() {
		keys[f.Label] = "profile.Fields"
	}
	if len(keys) < 300 {
		t.Fatalf("found only %d keys: the walk of the templates or the Go code misses them", len(keys))
	}
	var missing []string
	for k, where := range keys {
		if _, ok := dutch[k]; ok {
			continue
		}
		if _, ok := pluralMessages[k]; ok {
			continue
		}
		missing = append(missing, strconv.Quote(k)+": \"\", // "+where)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		if out := os.Getenv("I18N_MISSING_OUT"); out != "" {
			_ = os.WriteFile(out, []byte(strings.Join(missing, "\n")+"\n"), 0o644)
		}
		t.Errorf("%d texts have no Dutch translation:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	var _ = template.HTML("")
}

// templateText is the text a template writes by itself, in order: its
// text nodes, with a NUL where an action or a control structure stands.
func templateText(n parse.Node, b *strings.Builder) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			templateText(c, b)
		}
	case *parse.TextNode:
		b.Write(n.Text)
	case *parse.IfNode:
		branchText(&n.BranchNode, b)
	case *parse.RangeNode:
		branchText(&n.BranchNode, b)
	case *parse.WithNode:
		branchText(&n.BranchNode, b)
	default:
		b.WriteByte(0)
	}
}

// branchText is templateText of an if, range or with: each branch apart.
func branchText(n *parse.BranchNode, b *strings.Builder) {
	b.WriteByte(0)
	templateText(n.List, b)
	b.WriteByte(0)
	templateText(n.ElseList, b)
	b.WriteByte(0)
}

var (
	// shownAttrRE finds the attributes a person reads or hears, with a
	// literal part in their value.
	shownAttrRE = regexp.MustCompile(`\b(aria-label|title|placeholder|alt|data-confirm|data-copied|data-label)="([^"]*)"`)
	// buttonRE finds an input drawn as a button, whose value is its label.
	buttonRE  = regexp.MustCompile(`<input\b[^<>]*type="(?:submit|button|reset)"[^<>]*\bvalue="([^"]*)"|<input\b[^<>]*\bvalue="([^"]*)"[^<>]*type="(?:submit|button|reset)"`)
	commentRE = regexp.MustCompile(`(?s)<!--.*?-->|<script\b.*?</script>|<style\b.*?</style>`)
	tagRE     = regexp.MustCompile(`<[^<>]*>`)
	entityRE  = regexp.MustCompile(`&[a-zA-Z]+;|&#[0-9]+;`)
)

// hasWords reports whether s holds a letter: text outside the catalogue.
func hasWords(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// TestTemplatesHoldNoLiteralText fails when a template writes words of
// its own instead of through the catalogue ({{t}}/{{th}}): in text
// between tags, or in an attribute a person reads or hears (aria-label,
// title, placeholder, alt, data-confirm, a button's value). Punctuation,
// digits, symbols and white space may stay.
func TestTemplatesHoldNoLiteralText(t *testing.T) {
	checked := 0
	for name, tpl := range mustParsePages(translators[language.English].funcs()) {
		for _, tt := range tpl.Templates() {
			if tt.Tree == nil {
				continue
			}
			var b strings.Builder
			templateText(tt.Tree.Root, &b)
			src := commentRE.ReplaceAllString(b.String(), "")
			for _, m := range shownAttrRE.FindAllStringSubmatch(src, -1) {
				if hasWords(m[2]) {
					t.Errorf("%s (%s): literal text in %s", name, tt.Name(), m[0])
				}
			}
			for _, m := range buttonRE.FindAllStringSubmatch(src, -1) {
				if hasWords(m[1] + m[2]) {
					t.Errorf("%s (%s): literal text in %s", name, tt.Name(), m[0])
				}
			}
			for _, seg := range strings.Split(entityRE.ReplaceAllString(tagRE.ReplaceAllString(src, "\x00"), ""), "\x00") {
				if seg = strings.TrimSpace(seg); hasWords(seg) {
					t.Errorf("%s (%s): literal text %q", name, tt.Name(), seg)
				}
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d pieces of text: the walk misses the templates", checked)
	}
}
