package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

// loadClients is how many clients drive the whoami benchmark at once.
const loadClients = 32

// BenchmarkWhoamiPostgres drives GET /v1/api/whoami, authenticated by a
// personal access token, through settingsd's real handler (newMux) on
// PostgreSQL from 32 concurrent clients over loopback, and compares its
// throughput with a bare net/http handler doing the validation's single
// indexed SELECT (the token by digest, joined to its account) through
// pgx, in the same run, chunk by chunk. Both servers use a pool of the
// same size. It reports req/s of each and x-bare = handler throughput /
// bare throughput; target ≥ 0.7.
//
//	go test -run '^$' -bench BenchmarkWhoamiPostgres -benchtime 20000x ./examples/settingsd/
func BenchmarkWhoamiPostgres(b *testing.B) {
	dsn, _ := pgtest.Schema(b, "settingsd")
	ctx := context.Background()
	open := func() *sql.DB {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		b.Cleanup(func() { _ = db.Close() })
		return db
	}
	st := sqlstore.New(open(), sqlstore.Postgres)
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	s, err := usersettings.New(st, usersettings.Options{Dev: true, Scopes: handler.SampleScopes})
	if err != nil {
		b.Fatal(err)
	}
	p := profile.Profile{ID: "prf_1", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	a := account.Account{ID: "acc_1", ProfileID: p.ID, Email: "ada@example.com", Status: account.StatusActive, CreatedAt: time.Now()}
	if err := st.CreateProfile(ctx, p); err != nil {
		b.Fatal(err)
	}
	if err := st.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	_, secret, err := s.Tokens.Create(ctx, auth.New(a.ID, auth.MethodPassword, time.Now(), ""), "load", []string{"mx:app:read"})
	if err != nil {
		b.Fatal(err)
	}
	pat := secret.Reveal()

	c, err := parseConfig(nil, env())
	if err != nil {
		b.Fatal(err)
	}
	real := httptest.NewServer(newMux(c, s, st, devBoxes{}, func(context.Context) error { return nil }, slog.New(slog.DiscardHandler)))
	b.Cleanup(real.Close)

	rawDB := open()
	raw, err := rawDB.PrepareContext(ctx, `SELECT t.id, t.account_id, t.scopes, a.status, a.profile_id
		FROM us_tokens t JOIN us_accounts a ON a.id = t.account_id WHERE t.digest = $1`)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = raw.Close() })
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, ok := strings.CutPrefix(r.Header.Get("Authorization"), "mxtoken ")
		if !ok {
			http.Error(w, `{"error":""}`, http.StatusForbidden)
			return
		}
		d := sha256.Sum256([]byte(cred))
		var id, accountID, scopes, status, profileID string
		if err := raw.QueryRowContext(r.Context(), d[:]).Scan(&id, &accountID, &scopes, &status, &profileID); err != nil {
			http.Error(w, `{"error":""}`, http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"account_id":%q,"profile_id":%q,"scopes":%s,"kind":"token"}`, accountID, profileID, scopes)
	}))
	b.Cleanup(bare.Close)

	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * loadClients, MaxIdleConnsPerHost: loadClients}}
	get := func(url string) {
		req, _ := http.NewRequest("GET", url+"/v1/api/whoami", nil)
		req.Header.Set("Authorization", "mxtoken "+pat)
		res, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Errorf("%s: %d", url, res.StatusCode)
		}
	}
	// burst sends n requests from loadClients goroutines and returns the
	// wall time.
	burst := func(url string, n int) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range loadClients {
			wg.Go(func() {
				for next.Add(1) <= int64(n) {
					get(url)
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	burst(real.URL, 2*loadClients) // warm the pools and connections
	burst(bare.URL, 2*loadClients)
	const chunk = 1024
	var realT, bareT time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(chunk, b.N-done)
		realT += burst(real.URL, n)
		b.StopTimer()
		bareT += burst(bare.URL, n)
		b.StartTimer()
		done += n
	}
	b.ReportMetric(float64(b.N)/realT.Seconds(), "handler-req/s")
	b.ReportMetric(float64(b.N)/bareT.Seconds(), "bare-req/s")
	b.ReportMetric(bareT.Seconds()/realT.Seconds(), "x-bare")
}

// burstSignIns is how many sign-ins BenchmarkSignInBurst sends at once.
const burstSignIns = 64

// BenchmarkSignInBurst sends 64 sign-ins (POST /v1/sessions, each from
// its own client address behind a trusted proxy, each for its own
// account) at once to settingsd's handler with the default password
// hasher, and checks that none gets a 5xx. It samples the Go heap
// (runtime/metrics, bytes of heap objects) every 200 µs and reports the
// peak, the bound (hashing slots × argon2 memory + 64 MiB) and their
// ratio, and the p50 and p99 latency of a sign-in, with the soft memory
// limit settingsd sets by default (limit=settingsd, see memoryLimit;
// target peak/bound < 1) and, for comparison, with none (limit=none: the
// collector's default pacing lets the heap reach about twice the live
// hashing memory, so the peak lands near or over the bound).
//
//	go test -run '^$' -bench BenchmarkSignInBurst -benchtime 5x ./examples/settingsd/
func BenchmarkSignInBurst(b *testing.B) {
	ctx := context.Background()
	st := memory.New()
	hasher := password.DefaultHasher()
	s, err := usersettings.New(st, usersettings.Options{Dev: true, Scopes: handler.SampleScopes, Hasher: hasher})
	if err != nil {
		b.Fatal(err)
	}
	const pw = "Correct-Horse-9-Battery"
	for i := range burstSignIns {
		email := fmt.Sprintf("user%02d@example.com", i)
		pending, err := s.Accounts.SignUp(ctx, email, pw, false)
		if err != nil {
			b.Fatal(err)
		}
		m, _ := s.Outbox.Last(email)
		if _, err := s.Accounts.ConfirmSignUp(ctx, pending, usersettingstest.MailCode(b, "the mail to "+email, m.Body)); err != nil {
			b.Fatal(err)
		}
	}
	// SETTINGSD_MEMORY_LIMIT (MiB) tries another limit, as it would for
	// settingsd itself.
	c, err := parseConfig(nil, env("SETTINGSD_MEMORY_LIMIT", os.Getenv("SETTINGSD_MEMORY_LIMIT")))
	if err != nil {
		b.Fatal(err)
	}
	c.trustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: burstSignIns}}

	bound := float64(hasher.MaxMemory()) + 64<<20
	for _, limited := range []bool{true, false} {
		name := "limit=none"
		if limited {
			name = "limit=settingsd"
		}
		b.Run(name, func(b *testing.B) {
			limit := memoryLimit(c)
			if !limited {
				limit = math.MaxInt64 // none
			} else if limit <= 0 {
				b.Fatal("settingsd sets no memory limit by default")
			}
			old := debug.SetMemoryLimit(limit)
			defer debug.SetMemoryLimit(old)
			// A limiter of its own, so that the runs do not add up to
			// the per-address limit.
			srv := httptest.NewServer(newMux(c, s, memory.NewLimiter(0), devBoxes{}, func(context.Context) error { return nil }, slog.New(slog.DiscardHandler)))
			defer srv.Close()
			// Collect the garbage of the set-up (64 sign-ups, each a hash)
			// before the sampler starts: the peak is that of the burst.
			runtime.GC()
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			var peak atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				t := time.NewTicker(200 * time.Microsecond)
				defer t.Stop()
				for {
					metrics.Read(sample)
					if v := sample[0].Value.Uint64(); v > peak.Load() {
						peak.Store(v)
					}
					select {
					case <-stop:
						return
					case <-t.C:
					}
				}
			}()
			var latencies []time.Duration
			var mu sync.Mutex
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				for i := range burstSignIns {
					wg.Go(func() {
						body := fmt.Sprintf(`{"email":"user%02d@example.com","password":%q}`, i, pw)
						req, _ := http.NewRequest("POST", srv.URL+"/v1/sessions", strings.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
						start := time.Now()
						res, err := client.Do(req)
						d := time.Since(start)
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode >= 500 || res.StatusCode != http.StatusCreated {
							b.Errorf("sign-in %d: %d, want 201", i, res.StatusCode)
						}
						mu.Lock()
						latencies = append(latencies, d)
						mu.Unlock()
					})
				}
				wg.Wait()
			}
			b.StopTimer()
			close(stop)
			<-sampled
			slices.Sort(latencies)
			pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-MiB")
			b.ReportMetric(bound/(1<<20), "bound-MiB")
			b.ReportMetric(float64(peak.Load())/bound, "peak/bound")
			b.ReportMetric(float64(pct(0.50).Milliseconds()), "p50-ms")
			b.ReportMetric(float64(pct(0.99).Milliseconds()), "p99-ms")
		})
	}
}
