package memory_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

var rlNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func TestLimiterBound(t *testing.T) {
	ctx := context.Background()
	l := memory.NewLimiter(64)
	lim := ratelimit.Limit{Burst: 1, Every: time.Hour}
	take := func(name string) bool {
		t.Helper()
		ok, _, err := l.TakeRateToken(ctx, ratelimit.KeyOf(name), lim, rlNow)
		if err != nil {
			t.Fatalf("TakeRateToken(%s): %v", name, err)
		}
		return ok
	}
	take("kept")
	for i := range 10_000 {
		take("flood" + strconv.Itoa(i))
		if i%8 == 0 {
			take("kept") // used again and again: never the least recent
		}
	}
	if n := l.RateBuckets(); n > 64 || n < 48 {
		t.Errorf("RateBuckets() = %d after 10,000 keys, want at most 64 (and most shards full)", n)
	}
	if take("kept") {
		t.Error("a bucket in constant use was dropped")
	}
	if !take("flood0") {
		t.Error("the least recently used bucket was kept past the bound")
	}
}

func TestStoreRateBuckets(t *testing.T) {
	st := memory.New(memory.WithRateBuckets(16))
	lim := ratelimit.Limit{Burst: 1, Every: time.Hour}
	for i := range 1000 {
		if _, _, err := st.TakeRateToken(context.Background(), ratelimit.KeyOf(strconv.Itoa(i)), lim, rlNow); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.RateBuckets(); n > 16 {
		t.Errorf("RateBuckets() = %d, want at most 16", n)
	}
}

// BenchmarkLimiterLRU measures one take from a Limiter holding 1,000
// buckets and from one holding 1,000,000, in the same run, and reports
// the ratio: a take costs the same whatever the number of buckets.
func BenchmarkLimiterLRU(b *testing.B) {
	lim := ratelimit.Limit{Burst: 1 << 30, Every: time.Second}
	fill := func(n int) (*memory.Limiter, []ratelimit.Key) {
		l := memory.NewLimiter(2 * n) // room to spare: the bound is kept per shard
		keys := make([]ratelimit.Key, n)
		for i := range keys {
			keys[i] = ratelimit.KeyOf("bench|" + strconv.Itoa(i))
			_, _, _ = l.TakeRateToken(context.Background(), keys[i], lim, rlNow)
		}
		return l, keys
	}
	run := func(l *memory.Limiter, keys []ratelimit.Key, n int) time.Duration {
		ctx := context.Background()
		start := time.Now()
		for i := range n {
			// A stride through the keys, so that the large set misses
			// the CPU caches as a real key mix does.
			if ok, _, _ := l.TakeRateToken(ctx, keys[(i*7919)%len(keys)], lim, rlNow); !ok {
				b.Fatal("take refused")
			}
		}
		return time.Since(start)
	}
	small, smallKeys := fill(1_000)
	large, largeKeys := fill(1_000_000)
	b.ResetTimer()
	var dSmall, dLarge time.Duration
	for b.Loop() {
		dSmall += run(small, smallKeys, 100)
		dLarge += run(large, largeKeys, 100)
	}
	if large.RateBuckets() != 1_000_000 {
		b.Fatalf("the large limiter holds %d buckets", large.RateBuckets())
	}
	perSmall := float64(dSmall.Nanoseconds()) / float64(b.N*100)
	perLarge := float64(dLarge.Nanoseconds()) / float64(b.N*100)
	b.ReportMetric(perSmall, "ns/take-1k")
	b.ReportMetric(perLarge, "ns/take-1M")
	b.ReportMetric(perLarge/perSmall, "1M/1k")
	b.ReportMetric(0, "ns/op")
}
