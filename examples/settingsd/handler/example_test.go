package handler_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// New mounts the API in a host's server. Here it runs over the in-memory
// store and answers a sign-up with a weak password.
func ExampleNew() {
	settings, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, Scopes: handler.SampleScopes})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", handler.New(settings))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/v1/signup", strings.NewReader(`{"email":"ada@example.com","password":"hunter2"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(handler.RequestIDHeader, "example-1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Print(res.StatusCode, " ", string(body))
	// Output: 422 {"error":"password_policy","request_id":"example-1","violations":["too_short","no_upper","no_special"]}
}

// WithDevOutbox serves the mail of an in-memory outbox, for development.
func ExampleWithDevOutbox() {
	settings, _ := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	srv := httptest.NewServer(handler.New(settings, handler.WithDevOutbox(settings.Outbox)))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/v1/dev/outbox")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Print(res.StatusCode, " ", string(body))
	// Output: 200 {"items":[],"next":null}
}
