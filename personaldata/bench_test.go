package personaldata_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// benchEntries is the length of the history the export benchmarks read.
const benchEntries = 100_000

// benchStore returns an SQLite store in a temporary directory holding a
// profile with benchEntries history entries.
func benchStore(b *testing.B) *sqlstore.Store {
	b.Helper()
	ctx := context.Background()
	st, db, err := sqlite.OpenStore(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("OpenStore: %v", err)
	}
	b.Cleanup(func() { _ = db.Close() })
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_bench", CreatedAt: now, UpdatedAt: now}); err != nil {
		b.Fatalf("CreateProfile: %v", err)
	}
	if err := st.CreateAccount(ctx, account.Account{ID: "acc_bench", ProfileID: "prf_bench", Email: "bench@example.com",
		Status: account.StatusActive, CreatedAt: now}); err != nil {
		b.Fatalf("CreateAccount: %v", err)
	}
	batch := make([]history.Entry, 0, 1000)
	for i := range benchEntries {
		batch = append(batch, history.Entry{
			ID: fmt.Sprintf("his_%08d", i), ProfileID: "prf_bench", AccountID: "acc_bench",
			Item: "skills", Action: history.ActionAdded, Detail: fmt.Sprintf("skill number %d", i),
			At: now.Add(time.Duration(i) * time.Second),
		})
		if len(batch) == cap(batch) {
			if err := st.AppendHistory(ctx, batch...); err != nil {
				b.Fatalf("AppendHistory: %v", err)
			}
			batch = batch[:0]
		}
	}
	return st
}

// heapWriter discards what is written and samples the bytes of live and
// not yet collected heap objects at every write (the export writes in
// 64 KiB chunks), keeping the peak.
type heapWriter struct {
	n      int64
	peak   uint64
	sample []metrics.Sample
}

func newHeapWriter() *heapWriter {
	return &heapWriter{sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

func (w *heapWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.observe()
	return len(p), nil
}

func (w *heapWriter) observe() {
	metrics.Read(w.sample)
	w.peak = max(w.peak, w.sample[0].Value.Uint64())
}

func (w *heapWriter) heap() uint64 {
	metrics.Read(w.sample)
	return w.sample[0].Value.Uint64()
}

// BenchmarkExport exports a profile with 100,000 history entries from
// SQLite, as JSON and as ZIP. It reports the peak heap growth during an
// export (peak-heap-MiB, at most 16) and the throughput relative to
// reading the same rows with EachHistory and encoding each with a bare
// json.Encoder (vs-encoder, at least 0.5); vs-slice compares with
// encoding the rows from a slice already in memory, no database read.
//
//	go test -run '^$' -bench Export -benchtime 5x ./personaldata/
func BenchmarkExport(b *testing.B) {
	st := benchStore(b)
	pd := personaldata.NewService(personaldata.Config{
		Tx: st, Profiles: st, Accounts: st, History: st, Owners: account.NewOwners(st),
		Sources: personaldata.DefaultSources(personaldata.Deps{Profiles: st, Accounts: st, Codes: st, History: st, Notify: st}),
	})
	ctx := context.Background()
	rows := timeBest(3, func() { encodeRows(b, st) })
	slice := sliceBaseline(b, st)
	for _, kind := range []string{"json", "zip"} {
		b.Run(kind, func(b *testing.B) {
			export := pd.ExportJSON
			if kind == "zip" {
				export = pd.ExportZIP
			}
			var best time.Duration
			var growth uint64
			var size int64
			for b.Loop() {
				runtime.GC()
				w := newHeapWriter()
				base := w.heap()
				start := time.Now()
				if err := export(ctx, auth.New("acc_bench", auth.MethodPassword, time.Now(), ""), w); err != nil {
					b.Fatalf("export: %v", err)
				}
				d := time.Since(start)
				w.observe()
				if best == 0 || d < best {
					best = d
				}
				growth, size = max(growth, w.peak-min(base, w.peak)), w.n
			}
			b.ReportMetric(float64(growth)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(rows.Seconds()/best.Seconds(), "vs-encoder")
			b.ReportMetric(slice.Seconds()/best.Seconds(), "vs-slice")
			b.ReportMetric(float64(size)/(1<<20), "out-MiB")
		})
	}
}

// encodeRows is the baseline: the same rows read with EachHistory and
// encoded with a bare json.Encoder.
func encodeRows(b *testing.B, st *sqlstore.Store) {
	enc := json.NewEncoder(io.Discard)
	err := st.EachHistory(context.Background(), "prf_bench", func(e history.Entry) error { return enc.Encode(e) })
	if err != nil {
		b.Fatalf("EachHistory: %v", err)
	}
}

// sliceBaseline times encoding the rows from memory with a bare
// json.Encoder.
func sliceBaseline(b *testing.B, st *sqlstore.Store) time.Duration {
	var all []history.Entry
	_ = st.EachHistory(context.Background(), "prf_bench", func(e history.Entry) error {
		all = append(all, e)
		return nil
	})
	return timeBest(3, func() {
		enc := json.NewEncoder(io.Discard)
		for _, e := range all {
			_ = enc.Encode(e)
		}
	})
}

// timeBest returns the shortest of n runs of f.
func timeBest(n int, f func()) time.Duration {
	var best time.Duration
	for range n {
		start := time.Now()
		f()
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
	}
	return best
}
