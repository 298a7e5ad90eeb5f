// Package benchcmp holds the comparison the SDK's benchmarks report: the
// cost of a subject against its floor, measured in the same run.
package benchcmp

import (
	"testing"
	"time"
)

// Interleaved calls subject and floor with i = 0 … b.N-1 each, in
// alternating chunks of chunk calls so that machine noise hits both alike,
// and reports the ratio of their times, subject over floor, as the metric
// unit. Only the subject runs with the benchmark's timer, so ns/op and
// allocs/op are the subject's.
func Interleaved(b *testing.B, unit string, chunk int, subject, floor func(i int)) {
	b.Helper()
	b.ReportAllocs()
	var subT, floorT time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(chunk, b.N-done)
		start := time.Now()
		for i := done; i < done+n; i++ {
			subject(i)
		}
		subT += time.Since(start)
		b.StopTimer()
		start = time.Now()
		for i := done; i < done+n; i++ {
			floor(i)
		}
		floorT += time.Since(start)
		b.StartTimer()
		done += n
	}
	b.ReportMetric(float64(subT)/float64(max(floorT, 1)), unit)
}
