package password

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func BenchmarkCheck(b *testing.B) {
	p := Mendix()
	p.RejectCommon, p.RejectEmailLocalPart = true, true
	CommonCount() // build the blocklist outside the timed loop
	for b.Loop() {
		_ = p.CheckFor("Velvet-Otter-42-über", "jane.doe@example.com")
	}
}

// BenchmarkCheckHugeInput shows that a 10 MiB password costs no scanning:
// it reports the ratio of its time to that of an ordinary Check.
func BenchmarkCheckHugeInput(b *testing.B) {
	p := Mendix()
	huge := strings.Repeat("a", 10<<20)
	normal := timePer(1000, func() { _ = p.Check("Velvet-Otter-42") })
	for b.Loop() {
		_ = p.Check(huge)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(normal), "huge/normal")
}

func BenchmarkHash(b *testing.B) {
	h := DefaultHasher()
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "Velvet-Otter-42"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := DefaultHasher()
	ctx := context.Background()
	encoded, err := h.Hash(ctx, "Velvet-Otter-42")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := h.Verify(ctx, "Velvet-Otter-41", encoded); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyDummy reports the cost of VerifyDummy relative to a real
// Verify with a wrong password; anti-enumeration wants a ratio within
// 0.95–1.05. Each iteration times two of each, in the order ABBA, so
// both see the same machine state, and gives one ratio; the figure is
// the median of those ratios, which a burst of load on a shared machine
// moves far less than a ratio of sums (ns/op counts all four).
func BenchmarkVerifyDummy(b *testing.B) {
	h := DefaultHasher()
	ctx := context.Background()
	encoded, err := h.Hash(ctx, "Velvet-Otter-42")
	if err != nil {
		b.Fatal(err)
	}
	dummy := func() { h.VerifyDummy(ctx, "Velvet-Otter-41") }
	verify := func() { _, _, _ = h.Verify(ctx, "Velvet-Otter-41", encoded) }
	var ratios []float64
	for b.Loop() {
		ratios = append(ratios, abbaRatio(dummy, verify))
	}
	b.ReportMetric(median(ratios), "dummy/verify")
}

// abbaRatio times a, b, b, a once each and returns the time of the two
// a over that of the two b.
func abbaRatio(a, b func()) float64 {
	ta := timePer(1, a)
	tb := timePer(1, b)
	tb += timePer(1, b)
	ta += timePer(1, a)
	return float64(ta) / float64(tb)
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}

// BenchmarkVerifyBoundedParams reports how a stored hash asking for 4 GiB
// compares with an ordinary Verify: it is refused before any hashing.
func BenchmarkVerifyBoundedParams(b *testing.B) {
	h := DefaultHasher()
	ctx := context.Background()
	encoded, err := h.Hash(ctx, "Velvet-Otter-42")
	if err != nil {
		b.Fatal(err)
	}
	verify := timePer(5, func() { _, _, _ = h.Verify(ctx, "Velvet-Otter-41", encoded) })
	greedy := strings.Replace(encoded, "m=19456", "m=4194304", 1)
	for b.Loop() {
		if _, _, err := h.Verify(ctx, "Velvet-Otter-42", greedy); err == nil {
			b.Fatal("Verify accepted a 4 GiB hash")
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(verify), "rejected/verify")
}

// timePer returns the mean duration of n runs of f.
func timePer(n int, f func()) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start) / time.Duration(n)
}
