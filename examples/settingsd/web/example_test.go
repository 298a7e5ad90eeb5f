package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/web"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// New mounts the pages at "/" next to the JSON API under "/v1/", as
// settingsd does. Here it runs over the in-memory store and shows the
// sign-in page a visitor of "/" is sent to.
func ExampleNew() {
	settings, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, Scopes: handler.SampleScopes})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", handler.New(settings))
	mux.Handle("/", web.New(settings))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	title := regexp.MustCompile(`<title>(.*)</title>`).FindSubmatch(body)
	fmt.Println(res.StatusCode, res.Request.URL.Path, string(title[1]))
	// Output: 200 /signin Sign in · User Settings
}

// WithDevOutbox adds the page /dev/outbox, where a developer reads the
// codes the server mailed.
func ExampleWithDevOutbox() {
	settings, _ := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	srv := httptest.NewServer(web.New(settings, web.WithDevOutbox(settings.Outbox)))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/dev/outbox")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, regexp.MustCompile(`No mail yet\.`).Match(body))
	// Output: 200 true
}
