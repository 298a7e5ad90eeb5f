package benchcmp_test

import (
	"slices"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/internal/benchcmp"
)

// TestInterleaved checks that both functions see every index once, in
// order and in alternating chunks, and that a subject that waits longer
// than its floor reports a ratio over 1.
func TestInterleaved(t *testing.T) {
	var calls []string
	var subI, floorI []int
	r := testing.Benchmark(func(b *testing.B) {
		calls, subI, floorI = nil, nil, nil
		benchcmp.Interleaved(b, "x-floor", 3, func(i int) {
			calls, subI = append(calls, "s"), append(subI, i)
			time.Sleep(200 * time.Microsecond)
		}, func(i int) {
			calls, floorI = append(calls, "f"), append(floorI, i)
		})
	})
	if r.N == 0 || len(subI) != r.N || !slices.Equal(subI, floorI) {
		t.Fatalf("N = %d: subject saw %d indexes, floor %d", r.N, len(subI), len(floorI))
	}
	for i, v := range subI {
		if v != i {
			t.Fatalf("subject index %d is %d", i, v)
		}
	}
	if r.N >= 6 && !slices.Equal(calls[:6], []string{"s", "s", "s", "f", "f", "f"}) {
		t.Errorf("calls begin %v, want chunks of 3", calls[:6])
	}
	if got := r.Extra["x-floor"]; got <= 1 {
		t.Errorf("ratio = %v, want over 1 for a subject that sleeps", got)
	}
}
