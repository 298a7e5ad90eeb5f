package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
)

// slowServer serves a -dev settingsd on SQLite through newServer, with
// the given extra flags, on a loopback port; it returns its address.
func slowServer(t *testing.T, flags ...string) string {
	t.Helper()
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	args := append([]string{"-dev", "-db", filepath.Join(t.TempDir(), "settingsd.db")}, flags...)
	c, err := parseConfig(args, env())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	st, closeDB, err := openStore(context.Background(), c, log)
	if err != nil {
		t.Fatal(err)
	}
	o, dev, err := options(c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := usersettings.New(st, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(c, newMux(c, s, st, dev, readiness(st), log), log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		closeDB()
	})
	return ln.Addr().String()
}

// The server's timeouts are flags, and they hold: 200 slowloris
// connections (headers trickled a byte at a time) do not keep a normal
// client above one second at the 99th percentile, and the server drops
// them once the read-header timeout passes.
func TestSlowClients(t *testing.T) {
	addr := slowServer(t, "-read-header-timeout", "1s")
	const slow = 200
	var wg sync.WaitGroup
	closed := make(chan time.Duration, slow)
	stop := make(chan struct{})
	for range slow {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: settingsd\r\n"); err != nil {
				return
			}
			go func() {
				// The server answers (408) or closes once the timeout passed.
				_, _ = io.Copy(io.Discard, conn)
				closed <- time.Since(start)
			}()
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for i := 0; i < 20; i++ { // bounded: at most 4 s of trickling
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if _, err := io.WriteString(conn, "X"); err != nil {
					return
				}
			}
		}()
	}
	client := &http.Client{Timeout: 5 * time.Second}
	var lat []time.Duration
	for range 100 {
		start := time.Now()
		res, err := client.Get("http://" + addr + "/v1/scopes")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/scopes during the slowloris: %s", res.Status)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	if p99 := lat[len(lat)*99/100-1]; p99 > time.Second {
		t.Errorf("p99 of a normal client among %d slowloris connections = %v, want at most 1s", slow, p99)
	}
	// Every slow connection is dropped by the server after about a second.
	deadline := time.After(4 * time.Second)
	for i := range slow {
		select {
		case d := <-closed:
			if d > 3*time.Second {
				t.Errorf("a slowloris connection held %v, want about the 1s read-header timeout", d)
			}
		case <-deadline:
			t.Fatalf("%d of %d slowloris connections still open after 4s", slow-i, slow)
		}
	}
	close(stop)
	wg.Wait()
}

// Every request body is capped: one over MaxRequestBytes is refused
// without being read whole, on any route.
func TestRequestBodyCapped(t *testing.T) {
	addr := slowServer(t)
	// A page route that reads a form, then the JSON API.
	for _, path := range []string{"/signin", "/v1/signup"} {
		body := strings.NewReader(strings.Repeat("a", MaxRequestBytes+1))
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if path == "/v1/signup" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			continue // the server may close before the client finished sending: refused all the same
		}
		res.Body.Close()
		if res.StatusCode < 400 {
			t.Errorf("POST %s with %d bytes: %s, want a refusal", path, MaxRequestBytes+1, res.Status)
		}
	}
	for _, name := range []string{"read-header-timeout", "read-timeout", "write-timeout", "idle-timeout", "shutdown-timeout"} {
		if _, err := parseConfig([]string{"-" + name, "0s"}, env()); err == nil {
			t.Errorf("-%s 0s accepted", name)
		}
	}
}
