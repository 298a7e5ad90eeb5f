package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// BenchmarkSignInFloor puts the heaviest operation of the load mix, a
// password sign-in (POST /v1/sessions, session in the body), against its
// floor: a bare net/http handler on the same SQLite file that does the
// same necessary work, the account's row by address, one argon2id
// verification of the stored hash and the insert of a session row. One
// client, subject and floor interleaved in each iteration; it reports
// the milliseconds of each and x-floor = handler / floor. What the SDK
// adds on top is the throttle's counters (one transaction before the
// check, one after), the security-log event and the device token.
func BenchmarkSignInFloor(b *testing.B) {
	ctx := context.Background()
	st, db, err := sqlite.OpenStore(ctx, filepath.Join(b.TempDir(), "settingsd.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close(); _ = db.Close() })
	hasher := password.DefaultHasher()
	s, err := usersettings.New(st, usersettings.Options{Dev: true, Scopes: handler.SampleScopes, Hasher: hasher})
	if err != nil {
		b.Fatal(err)
	}
	const email, pw = "ada@example.com", "Correct-Horse-9-Battery"
	pending, err := s.Accounts.SignUp(ctx, email, pw, false)
	if err != nil {
		b.Fatal(err)
	}
	m, _ := s.Outbox.Last(email)
	if _, err := s.Accounts.ConfirmSignUp(ctx, pending, usersettingstest.MailCode(b, "the mail", m.Body)); err != nil {
		b.Fatal(err)
	}
	c, err := parseConfig(nil, env())
	if err != nil {
		b.Fatal(err)
	}
	c.trustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	real := httptest.NewServer(newMux(c, s, st, devBoxes{}, func(context.Context) error { return nil }, slog.New(slog.DiscardHandler)))
	b.Cleanup(real.Close)
	if _, err := db.ExecContext(ctx, `CREATE TABLE bare_sessions (id BLOB PRIMARY KEY, account_id TEXT NOT NULL, created_at TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Email, Password string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var id, hash string
		err := db.QueryRowContext(r.Context(), `SELECT id, password_hash FROM us_accounts WHERE email = ?`, req.Email).Scan(&id, &hash)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if ok, _, err := hasher.Verify(r.Context(), req.Password, hash); err != nil || !ok {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		d := sha256.Sum256(secret)
		if _, err := db.ExecContext(r.Context(), `INSERT INTO bare_sessions VALUES (?, ?, ?)`, d[:], id, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"session":"…"}`))
	}))
	b.Cleanup(bare.Close)
	body, _ := json.Marshal(map[string]any{"email": email, "password": pw, "session_in_body": true})
	post := func(url string) time.Duration {
		start := time.Now()
		res, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			b.Fatalf("POST %s: %s", url, res.Status)
		}
		return time.Since(start)
	}
	post(real.URL + "/v1/sessions")
	post(bare.URL)
	var realT, bareT time.Duration
	b.ResetTimer()
	for range b.N {
		realT += post(real.URL + "/v1/sessions")
		bareT += post(bare.URL)
	}
	b.StopTimer()
	b.ReportMetric(float64(realT.Milliseconds())/float64(b.N), "handler-ms")
	b.ReportMetric(float64(bareT.Milliseconds())/float64(b.N), "floor-ms")
	b.ReportMetric(realT.Seconds()/bareT.Seconds(), "x-floor")
}
