package handler_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

// The lint rules below are a Go equivalent of the checks of Spectral's
// spectral:oas and Redocly's recommended rule sets that matter to this
// document, plus what makes a generated client work without options
// (oapi-codegen v2's default run). Each finding names its place in the
// document as a JSON pointer.

// lintDoc is the OpenAPI document as plain JSON values.
type lintDoc map[string]any

func loadLintDoc(t *testing.T) lintDoc {
	t.Helper()
	var d lintDoc
	if err := json.Unmarshal(handler.OpenAPI(), &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return d
}

// obj returns the object at key of m, or nil.
func obj(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

// walk calls f for every object in v with its JSON pointer.
func walk(v any, ptr string, f func(ptr string, m map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		f(ptr, v)
		for k, c := range v {
			walk(c, ptr+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), f)
		}
	case []any:
		for i, c := range v {
			walk(c, fmt.Sprintf("%s/%d", ptr, i), f)
		}
	}
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations calls f for every operation with its pointer.
func (d lintDoc) operations(f func(ptr string, op map[string]any)) {
	for path, item := range obj(d, "paths") {
		item, _ := item.(map[string]any)
		for _, m := range httpMethods {
			if op := obj(item, m); op != nil {
				f("/paths/"+strings.ReplaceAll(path, "/", "~1")+"/"+m, op)
			}
		}
	}
}

// lint returns every finding on the document, sorted.
func (d lintDoc) lint() []string {
	var out []string
	add := func(ptr, format string, args ...any) { out = append(out, ptr+": "+fmt.Sprintf(format, args...)) }

	// Servers: at least one, each with a URL and a description.
	servers, _ := d["servers"].([]any)
	if len(servers) == 0 {
		add("/servers", "missing: a generated client needs a base URL")
	}
	for i, s := range servers {
		s, _ := s.(map[string]any)
		if u, _ := s["url"].(string); u == "" {
			add(fmt.Sprintf("/servers/%d", i), "no url")
		}
		if desc, _ := s["description"].(string); desc == "" {
			add(fmt.Sprintf("/servers/%d", i), "no description")
		}
	}

	// Info: a description, contact-free but with a version.
	if info := obj(d, "info"); info["version"] == nil || info["description"] == nil {
		add("/info", "needs a version and a description")
	}

	// Tags: declared once with a description; every used tag declared,
	// every declared tag used.
	declared := map[string]bool{}
	for i, tg := range d["tags"].([]any) {
		tg, _ := tg.(map[string]any)
		name, _ := tg["name"].(string)
		if declared[name] {
			add(fmt.Sprintf("/tags/%d", i), "tag %q declared twice", name)
		}
		declared[name] = true
		if desc, _ := tg["description"].(string); strings.TrimSpace(desc) == "" {
			add(fmt.Sprintf("/tags/%d", i), "tag %q has no description", name)
		}
	}
	used := map[string]bool{}
	opIDs := map[string]string{}
	d.operations(func(ptr string, op map[string]any) {
		tags, _ := op["tags"].([]any)
		if len(tags) == 0 {
			add(ptr, "no tag")
		}
		for _, tg := range tags {
			name, _ := tg.(string)
			used[name] = true
			if !declared[name] {
				add(ptr, "tag %q is not declared", name)
			}
		}
		id, _ := op["operationId"].(string)
		switch {
		case id == "":
			add(ptr, "no operationId")
		case opIDs[id] != "":
			add(ptr, "operationId %q is also that of %s", id, opIDs[id])
		default:
			opIDs[id] = ptr
		}
		if s, _ := op["summary"].(string); s == "" {
			add(ptr, "no summary")
		}
		if len(obj(op, "responses")) == 0 {
			add(ptr, "no response")
		}
	})
	for name := range declared {
		if !used[name] {
			add("/tags", "tag %q is used by no operation", name)
		}
	}

	// Enums are typed: an enum without a type gives clients untyped
	// values.
	walk(map[string]any(d), "", func(ptr string, m map[string]any) {
		_, enum := m["enum"]
		_, konst := m["const"]
		if (enum || konst) && m["type"] == nil && m["$ref"] == nil {
			add(ptr, "enum or const without a type")
		}
	})

	// Every $ref resolves, and every component is referenced (security
	// schemes by name from a security requirement).
	refs := map[string]bool{}
	walk(map[string]any(d), "", func(ptr string, m map[string]any) {
		ref, ok := m["$ref"].(string)
		if !ok {
			return
		}
		refs[ref] = true
		if !d.resolves(ref) {
			add(ptr, "$ref %q does not resolve", ref)
		}
	})
	schemesUsed := map[string]bool{}
	walk(map[string]any(d), "", func(_ string, m map[string]any) {
		for _, req := range asSlice(m["security"]) {
			for name := range asMap(req) {
				schemesUsed[name] = true
			}
		}
	})
	for kind, comps := range obj(d, "components") {
		for name := range asMap(comps) {
			ptr := "#/components/" + kind + "/" + name
			if (kind == "securitySchemes" && !schemesUsed[name]) || (kind != "securitySchemes" && !refs[ptr]) {
				add(ptr[1:], "component never referenced")
			}
		}
	}

	// A parameter and a schema of the same name make clashing types in a
	// generated client (oapi-codegen's default run refuses the document).
	params := obj(obj(d, "components"), "parameters")
	for name := range obj(obj(d, "components"), "schemas") {
		for p := range params {
			if strings.EqualFold(p, name) {
				add("/components/parameters/"+p, "same name as the schema %q", name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// resolves reports whether a local $ref names a value of the document.
func (d lintDoc) resolves(ref string) bool {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var v any = map[string]any(d)
	for _, part := range strings.Split(ptr, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// TestOpenAPILint keeps the document clean for linters and client
// generators: typed enums, declared and described tags, servers, unique
// operationIds, no unreferenced component, no name clash.
func TestOpenAPILint(t *testing.T) {
	for _, f := range loadLintDoc(t).lint() {
		t.Error(f)
	}
}

// TestOpenAPILintFinds checks the lint rules find what they are for, on
// a broken copy of the document.
func TestOpenAPILintFinds(t *testing.T) {
	d := loadLintDoc(t)
	delete(d, "servers")
	tags := d["tags"].([]any)
	delete(tags[0].(map[string]any), "description")
	d["tags"] = append(tags, map[string]any{"name": "unused", "description": "Nothing."})
	comps := obj(d, "components")
	obj(comps, "parameters")["Profile"] = map[string]any{"name": "p", "in": "query", "schema": map[string]any{"type": "string"}}
	obj(comps, "schemas")["Untyped"] = map[string]any{"enum": []any{"a"}}
	var firstOp map[string]any
	d.operations(func(_ string, op map[string]any) {
		if firstOp == nil {
			firstOp = op
		}
	})
	id := firstOp["operationId"]
	d.operations(func(_ string, op map[string]any) {
		if op["operationId"] != id {
			op["operationId"] = id
		}
	})
	got := strings.Join(d.lint(), "\n")
	for _, want := range []string{
		"/servers: missing",
		"has no description",
		`tag "unused" is used by no operation`,
		"/components/parameters/Profile: same name as the schema",
		"/components/schemas/Untyped: enum or const without a type",
		"/components/schemas/Untyped: component never referenced",
		fmt.Sprintf("operationId %q is also that of", id),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lint found no %q in:\n%s", want, got)
		}
	}
}
