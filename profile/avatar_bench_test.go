package profile

import (
	"context"
	"fmt"
	"image"
	"image/color/palette"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// peakTarget is the most the heap may grow while one avatar is checked.
const peakTarget = 64 << 20

// heapPeak runs f and returns how far the heap grew above where it was
// before, sampling the bytes of heap objects (live or not yet swept, as
// HeapAlloc counts them) every 100 µs.
func heapPeak(f func()) uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(s); return s[0].Value.Uint64() }
	base := read()
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		top := base
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				top = max(top, read())
			case <-stop:
				peak <- max(top, read())
				return
			}
		}
	}()
	f()
	close(stop)
	return <-peak - base
}

var benchSink Avatar

// noisy adds a little noise to an 8-bit image so that it compresses like
// a photo rather than a drawing.
func noisy(img *image.NRGBA) *image.NRGBA {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] += byte(r.IntN(4))
	}
	return img
}

// noisy16 adds noise to the high bytes of a 16-bit image, so that its
// upload and its stored encoding are both megabytes.
func noisy16(img *image.NRGBA64) *image.NRGBA64 {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < len(img.Pix); i += 8 {
		img.Pix[i] += byte(r.IntN(4))
	}
	return img
}

// worstAvatars are the largest images of each kind the default limits
// accept: at the decode budget (48 MiB) or, for kinds that stay below it,
// at MaxAvatarPixels.
func worstAvatars(b *testing.B) map[string][]byte {
	b.Helper()
	p := image.NewPaletted(image.Rect(0, 0, 4000, 4000), palette.Plan9)
	for i := range p.Pix {
		p.Pix[i] = byte(i % 4000 / 16)
	}
	photo := noisy(gradient8(4000, 4000))
	for i := 3; i < len(photo.Pix); i += 4 {
		photo.Pix[i] = 0xff
	}
	return map[string][]byte{
		"png-rgba16-4096x1536":           encodePNG(b, noisy16(gradient16(4096, 1536))),
		"png-interlaced-rgba8-4096x1536": encodeInterlacedPNG(b, gradient8(4096, 1536)),
		"jpeg-progressive-2992x2240":     readTestdata(b, "progressive-2992x2240.jpeg"),
		"jpeg-4000x4000":                 encodeJPEG(b, photo),
		"gif-4000x4000":                  encodeGIF(b, p),
	}
}

// BenchmarkAvatarPeakHeap reports how far the heap grows while the
// largest accepted image of each kind is checked (peak-MiB, the most of
// any run), and that as a share of the 64 MiB target (peak/target).
func BenchmarkAvatarPeakHeap(b *testing.B) {
	for name, data := range worstAvatars(b) {
		b.Run(name, func(b *testing.B) {
			if len(data) > MaxAvatarBytes {
				b.Fatalf("%d bytes, over MaxAvatarBytes", len(data))
			}
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				peak = max(peak, heapPeak(func() {
					var err error
					if benchSink, err = CheckAvatar(context.Background(), data); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
			b.ReportMetric(float64(peak)/peakTarget, "peak/target")
			b.ReportMetric(float64(len(data))/(1<<20), "upload-MiB")
			b.ReportMetric(float64(benchSink.Size)/(1<<20), "stored-MiB")
		})
	}
}

// BenchmarkAvatarPeakHeapFourAtOnce checks four of the heaviest uploads
// at once through the default checker, which decodes two at a time, and
// reports the heap's growth against twice the single target. Without a
// memory limit the garbage of finished decodes waits for the collector's
// next cycle; a limit (GOMEMLIMIT, here set with debug.SetMemoryLimit)
// makes it collect sooner.
func BenchmarkAvatarPeakHeapFourAtOnce(b *testing.B) {
	data := encodePNG(b, noisy16(gradient16(4096, 1536)))
	for _, limit := range []int64{math.MaxInt64, 160 << 20} {
		name := "no-memory-limit"
		if limit != math.MaxInt64 {
			name = fmt.Sprintf("memory-limit-%dMiB", limit>>20)
		}
		b.Run(name, func(b *testing.B) {
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
			var peak uint64
			for b.Loop() {
				peak = max(peak, heapPeak(func() {
					var wg sync.WaitGroup
					for range 4 {
						wg.Go(func() {
							if _, err := CheckAvatar(context.Background(), data); err != nil {
								b.Error(err)
							}
						})
					}
					wg.Wait()
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
			b.ReportMetric(float64(peak)/(DefaultAvatarConcurrency*peakTarget), "peak/target")
		})
	}
}
