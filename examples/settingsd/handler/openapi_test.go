package handler_test

import (
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// documented returns "METHOD /path" of every operation of the document.
func documented(t *testing.T) []string {
	t.Helper()
	doc, _ := loadContract(t)
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// TestOpenAPIRoutes checks that every route the handler registers (with
// every option on) is in the OpenAPI document, and every operation of the
// document is a route.
func TestOpenAPIRoutes(t *testing.T) {
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	h := handler.New(s, handler.WithDevOutbox(notify.NewOutbox()), handler.WithDevSMS(&handler.SMSOutbox{}))
	routes := handler.Patterns(h)
	slices.Sort(routes)
	if doc := documented(t); !slices.Equal(routes, doc) {
		for _, r := range routes {
			if !slices.Contains(doc, r) {
				t.Errorf("route %s is not in the OpenAPI document", r)
			}
		}
		for _, d := range doc {
			if !slices.Contains(routes, d) {
				t.Errorf("the OpenAPI document has %s, which is no route", d)
			}
		}
	}
}

// TestOpenAPIServed checks GET /v1/openapi.json and the document's
// version.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/v1/openapi.json", nil)
	want(t, "openapi.json", r, 200, "")
	if r.header.Get("Content-Type") != "application/json" || string(r.body) != string(handler.OpenAPI()) {
		t.Errorf("served document: %q, %d bytes; want the embedded one", r.header.Get("Content-Type"), len(r.body))
	}
	if v := r.obj(t)["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", v)
	}
}

var (
	docRouteRE = regexp.MustCompile(`^//\t(GET|POST|PUT|PATCH|DELETE) +(/\S+)`)
	docCodesRE = regexp.MustCompile(`^//\t(\d{3}) (.*)$`)
	docMoreRE  = regexp.MustCompile(`^//\t {4}(.*)$`)
	codeRE2    = regexp.MustCompile(`^[a-z_]+`)
	detailsRE  = regexp.MustCompile(`\{[^}]*\}`)
)

// TestPackageDocInSync checks that the package documentation lists the
// same routes and the same error codes per status as the OpenAPI
// document.
func TestPackageDocInSync(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	codes := map[string][]string{} // status → codes
	status := ""
	for line := range strings.Lines(string(src)) {
		line = strings.TrimRight(line, "\n")
		if m := docRouteRE.FindStringSubmatch(line); m != nil {
			routes = append(routes, m[1]+" "+m[2])
			continue
		}
		rest := ""
		if m := docCodesRE.FindStringSubmatch(line); m != nil {
			status, rest = m[1], m[2]
		} else if m := docMoreRE.FindStringSubmatch(line); m != nil && status != "" {
			rest = m[1]
		} else {
			status = ""
			continue
		}
		rest = detailsRE.ReplaceAllString(rest, "")
		for part := range strings.SplitSeq(rest, ",") {
			if c := codeRE2.FindString(strings.TrimSpace(part)); c != "" {
				codes[status] = append(codes[status], c)
			}
		}
	}
	slices.Sort(routes)
	if doc := documented(t); !slices.Equal(routes, doc) {
		t.Errorf("routes of the package doc:\n%s\nof the OpenAPI document:\n%s", strings.Join(routes, "\n"), strings.Join(doc, "\n"))
	}

	doc, _ := loadContract(t)
	want := map[string][]string{}
	for name, s := range doc.Components.Schemas {
		n, ok := strings.CutPrefix(name, "Error")
		if _, err := strconv.Atoi(n); !ok || err != nil {
			continue
		}
		for _, v := range s.Value.Properties["error"].Value.Enum {
			want[n] = append(want[n], v.(string))
		}
	}
	// 405 has no schema of its own (see unroutedCodes).
	want["405"] = append(want["405"], unroutedCodes[http.StatusMethodNotAllowed])
	for _, m := range []map[string][]string{codes, want} {
		for k := range m {
			slices.Sort(m[k])
		}
	}
	if !maps.EqualFunc(codes, want, slices.Equal) {
		t.Errorf("error codes of the package doc:\n%v\nof the OpenAPI document:\n%v", codes, want)
	}
}

// TestOpenAPIErrorsComplete checks that the statuses of the per-status
// error schemas exist and that their codes are all in the Error schema's
// list.
func TestOpenAPIErrorsComplete(t *testing.T) {
	doc, _ := loadContract(t)
	var all []string
	for _, v := range doc.Components.Schemas["Error"].Value.Properties["error"].Value.Enum {
		all = append(all, v.(string))
	}
	n := 0
	for name, s := range doc.Components.Schemas {
		status, ok := strings.CutPrefix(name, "Error")
		code, err := strconv.Atoi(status)
		if !ok || err != nil {
			continue
		}
		n++
		if http.StatusText(code) == "" {
			t.Errorf("%s: no such status", name)
		}
		for _, v := range s.Value.Properties["error"].Value.Enum {
			if !slices.Contains(all, v.(string)) {
				t.Errorf("%s: code %v is not in Error's list", name, v)
			}
		}
	}
	if n < 10 {
		t.Errorf("%d per-status error schemas, want one for each error status", n)
	}
}
