package usersettings_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A host that imports the SDK's root package and its SQL store finds none
// of settingsd's dependencies in its module graph: settingsd, with its
// browser tests (chromedp), its OpenAPI contract test (kin-openapi) and
// its load generator (vegeta), is a module of its own.
func TestHostModuleGraphIsLean(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a throwaway module with the go command; skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/host\n\ngo 1.26.0\n\nrequire github.com/seed-a97ca23f/usersettings v0.0.0\n\n"+
		"replace github.com/seed-a97ca23f/usersettings => "+root+"\n")
	write("main.go", `package main

import (
	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

var _ = usersettings.New
var _ = sqlstore.New

func main() {}
`)
	run := func(args ...string) string {
		cmd := exec.Command(gobin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("mod", "tidy")
	graph := run("list", "-m", "all")
	for _, heavy := range []string{"github.com/chromedp/", "github.com/getkin/kin-openapi", "github.com/tsenart/vegeta"} {
		if strings.Contains(graph, heavy) {
			t.Errorf("the host's module graph holds %s:\n%s", heavy, graph)
		}
	}
	if !strings.Contains(graph, "github.com/seed-a97ca23f/usersettings") {
		t.Fatalf("the graph lacks the SDK itself:\n%s", graph)
	}
}
