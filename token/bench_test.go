package token_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/benchcmp"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
)

// compare reports subject/floor as the metric unit, interleaved in
// chunks of 2,048 calls (benchcmp.Interleaved).
func compare(b *testing.B, unit string, subject, floor func(i int)) {
	b.Helper()
	benchcmp.Interleaved(b, unit, 2048, subject, floor)
}

// benchStore is a memory store with accounts and tokens for benchmarks.
type benchStore struct {
	st      *memory.Store
	svc     *token.Service
	secrets []string                  // secrets of a sample of the stored tokens
	digests map[token.Digest]struct{} // of every stored token: the floor's map, of the same size
}

// newBenchStore stores n tokens spread over up to 1,000 accounts. Only
// sample of them get real secrets (kept); the others are inserted
// directly with synthetic digests, which keeps a 1,000,000-token store
// quick to build.
func newBenchStore(b *testing.B, n, sample int) *benchStore {
	b.Helper()
	ctx := context.Background()
	bs := &benchStore{st: memory.New(), digests: map[token.Digest]struct{}{}}
	accounts := min(n, 1000)
	ids := make([]string, accounts)
	for i := range ids {
		ids[i] = fmt.Sprintf("acc_%04d", i)
		a := account.Account{ID: ids[i], ProfileID: "prf_" + ids[i], Email: ids[i] + "@example.com", Status: account.StatusActive}
		if err := bs.st.CreateProfile(ctx, profile.Profile{ID: a.ProfileID}); err != nil {
			b.Fatal(err)
		}
		if err := bs.st.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	r := rand.NewChaCha8([32]byte{9})
	scopes := []string{"catalog", "projects:read"}
	every := max(n/sample, 1)
	for i := range n {
		var d token.Digest
		if i%every == 0 && len(bs.secrets) < sample {
			s, err := token.Generate(r, token.KindToken)
			if err != nil {
				b.Fatal(err)
			}
			bs.secrets = append(bs.secrets, s.Reveal())
			d = token.DigestOf(s.Reveal())
		} else {
			_, _ = r.Read(d[:])
		}
		t := token.Token{ID: fmt.Sprintf("tok_%07d", i), AccountID: ids[i%accounts],
			Name: fmt.Sprint("t", i/accounts), Scopes: scopes, Last4: "abcd", CreatedAt: t0}
		if err := bs.st.CreateToken(ctx, t, d); err != nil {
			b.Fatal(err)
		}
		bs.digests[d] = struct{}{}
	}
	bs.svc = token.NewService(token.Config{Store: bs.st, Accounts: bs.st, Tx: bs.st, History: bs.st,
		Scopes: registry(), Now: func() time.Time { return t0 }})
	// Use every sampled token once, so LastUsedAt is fresh and the timed
	// loop measures pure validation.
	for _, s := range bs.secrets {
		if _, err := bs.svc.Validate(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	return bs
}

// BenchmarkValidate compares Validate on the memory store with the floor:
// the SHA-256 of the secret plus one map lookup. Targets: x-floor ≤ 2,
// allocs/op ≤ 2.
func BenchmarkValidate(b *testing.B) {
	bs := newBenchStore(b, 1000, 1000)
	ctx := context.Background()
	secrets := bs.secrets
	var sink int
	compare(b, "x-floor", func(i int) {
		if _, err := bs.svc.Validate(ctx, secrets[i%len(secrets)]); err != nil {
			b.Fatal(err)
		}
	}, func(i int) {
		s := secrets[i%len(secrets)]
		if _, ok := bs.digests[sha256.Sum256([]byte(s))]; ok {
			sink++
		}
	})
	if sink == 0 {
		b.Fatal("floor found nothing")
	}
}

// BenchmarkRejectMalformed measures refusing a token with a good prefix
// and a bad checksum. Targets: under 100 ns/op, 0 allocs/op.
func BenchmarkRejectMalformed(b *testing.B) {
	bs := newBenchStore(b, 10, 10)
	s := bs.secrets[0]
	bad := s[:len(s)-1] + map[bool]string{true: "1", false: "0"}[s[len(s)-1] == '0']
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bs.svc.Validate(ctx, bad); err != token.ErrInvalidToken {
			b.Fatal(err)
		}
	}
}

var (
	bigOnce  sync.Once
	bigStore *benchStore
)

// BenchmarkValidateStoreSize compares Validate with 1,000,000 tokens
// stored against 1,000 tokens stored (x-1k). The physical floor, the
// SHA-256 of the secret and one lookup in a map of as many digests as the
// store holds, slows down too at 1,000,000 (its caches miss): floor-x-1k
// is the floor's own 1M/1k ratio, x-floor-1M is Validate against the
// floor at 1,000,000, and x-1k-over-floor = x-1k / floor-x-1k is the
// slowdown the store adds to the floor's. Target: x-floor-1M ≤ 1.25.
func BenchmarkValidateStoreSize(b *testing.B) {
	if testing.Short() {
		b.Skip("building 1,000,000 tokens takes a while; run without -short")
	}
	small := newBenchStore(b, 1000, 1000)
	bigOnce.Do(func() {
		start := time.Now()
		bigStore = newBenchStore(b, 1_000_000, 1000)
		b.Logf("built a 1,000,000-token memory store in %v", time.Since(start).Round(time.Millisecond))
	})
	big := bigStore
	ctx := context.Background()
	validate := func(bs *benchStore) func(int) {
		return func(i int) {
			if _, err := bs.svc.Validate(ctx, bs.secrets[i%len(bs.secrets)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	floor := func(bs *benchStore) func(int) {
		return func(i int) {
			if _, ok := bs.digests[sha256.Sum256([]byte(bs.secrets[i%len(bs.secrets)]))]; !ok {
				b.Fatal("floor found nothing")
			}
		}
	}
	compare4(b, validate(big), validate(small), floor(big), floor(small))
}

// compare4 times the four functions b.N times each, interleaved in
// chunks, and reports the ratios of BenchmarkValidateStoreSize; ns/op and
// allocs/op are those of big.
func compare4(b *testing.B, big, small, floorBig, floorSmall func(i int)) {
	b.Helper()
	b.ReportAllocs()
	const chunk = 2048
	var t [4]time.Duration
	fs := [4]func(int){big, small, floorBig, floorSmall}
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(chunk, b.N-done)
		for k, f := range fs {
			if k == 1 {
				b.StopTimer()
			}
			start := time.Now()
			for i := done; i < done+n; i++ {
				f(i)
			}
			t[k] += time.Since(start)
		}
		b.StartTimer()
		done += n
	}
	xk := float64(t[0]) / float64(t[1])
	floorXK := float64(t[2]) / float64(t[3])
	b.ReportMetric(xk, "x-1k")
	b.ReportMetric(floorXK, "floor-x-1k")
	b.ReportMetric(float64(t[0])/float64(t[2]), "x-floor-1M")
	b.ReportMetric(xk/floorXK, "x-1k-over-floor")
}

// BenchmarkValidateParallel runs Validate from GOMAXPROCS goroutines; run
// it with -cpu 1,2,4 and compare ns/op: it should fall as CPUs are added.
func BenchmarkValidateParallel(b *testing.B) {
	bs := newBenchStore(b, 1000, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(bs.secrets))
		for pb.Next() {
			if _, err := bs.svc.Validate(ctx, bs.secrets[i%len(bs.secrets)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkValidateAPIKeyRevocations measures what the shared revocation
// sequence (Config.Revocations, read at most every 250 ms) adds to a
// cached API key validation, the hot path of a replica: the same
// validation without a sequence is the floor. Target: x-no-seq ≤ 1.05.
func BenchmarkValidateAPIKeyRevocations(b *testing.B) {
	st := memory.New()
	ctx := context.Background()
	a := account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "ann@example.com", Status: account.StatusActive}
	if err := st.CreateProfile(ctx, profile.Profile{ID: a.ProfileID}); err != nil {
		b.Fatal(err)
	}
	if err := st.CreateAccount(ctx, a); err != nil {
		b.Fatal(err)
	}
	// The production clock, as both services read it on every validation.
	cfg := token.Config{Store: st, Accounts: st, Tx: st, History: st, Scopes: registry(), Now: time.Now}
	plain := token.NewService(cfg)
	cfg.Revocations = st
	withSeq := token.NewService(cfg)
	keys := make([]string, 100)
	for i := range keys {
		_, s, err := plain.CreateAPIKey(ctx, auth.New(a.ID, auth.MethodPassword, time.Now(), ""), fmt.Sprint("k", i))
		if err != nil {
			b.Fatal(err)
		}
		keys[i] = s.Reveal()
	}
	validate := func(svc *token.Service) func(int) {
		return func(i int) {
			if _, err := svc.ValidateAPIKey(ctx, a.Email, keys[i%len(keys)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := range keys {
		validate(plain)(i)
		validate(withSeq)(i)
	}
	compare(b, "x-no-seq", validate(withSeq), validate(plain))
}
