package password

import (
	"context"
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
// both see the same machine state (ns/op counts all four).
func BenchmarkVerifyDummy(b *testing.B) {
	h := DefaultHasher()
	ctx := context.Background()
	encoded, err := h.Hash(ctx, "Velvet-Otter-42")
	if err != nil {
		b.Fatal(err)
	}
	var dummy, verify time.Duration
	runDummy := func() { dummy += timePer(1, func() { h.VerifyDummy(ctx, "Velvet-Otter-41") }) }
	runVerify := func() { verify += timePer(1, func() { _, _, _ = h.Verify(ctx, "Velvet-Otter-41", encoded) }) }
	for b.Loop() {
		runDummy()
		runVerify()
		runVerify()
		runDummy()
	}
	b.ReportMetric(float64(dummy)/float64(verify), "dummy/verify")
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
