package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// TestReplicasShareLimits runs two settingsd replicas on one database
// (two pools on one SQLite file, as two processes would have): after the
// free wrong passwords for an address on replica A (the SDK counts them
// in the database), the next is refused on replica B.
func TestReplicasShareLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	replica := func() *httptest.Server {
		st, db, err := sqlite.OpenStore(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return devServer(t, st, func(context.Context) error { return nil })
	}
	a, b := replica(), replica()
	signIn := func(srv *httptest.Server) *http.Response {
		t.Helper()
		res, err := http.Post(srv.URL+"/v1/sessions", "application/json",
			strings.NewReader(`{"email":"ada@example.com","password":"Wrong-password-1"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for i := range account.DefaultAddressBackoff.Free {
		if res := signIn(a); res.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("wrong password %d on replica A refused as rate limited", i+1)
		}
	}
	res := signIn(b)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("next wrong password, on replica B: %d (Retry-After %q), want 429 with Retry-After",
			res.StatusCode, res.Header.Get("Retry-After"))
	}
}

// devServer serves newMux of a -dev settingsd on st, with the readiness
// check ready, until the test ends.
func devServer(t *testing.T, st *sqlstore.Store, ready func(context.Context) error) *httptest.Server {
	t.Helper()
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	c, _ := parseConfig([]string{"-dev"}, env())
	o, dev, err := options(c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := usersettings.New(st, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newMux(c, s, st, dev, ready, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv
}
