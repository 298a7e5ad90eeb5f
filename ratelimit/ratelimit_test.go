package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// replay replays takes at the given offsets from t0 and returns what each
// answered.
func replay(l ratelimit.Limit, offsets ...time.Duration) (oks []bool, waits []time.Duration) {
	var tat time.Time
	for _, off := range offsets {
		now := t0.Add(off)
		next, ok := l.Take(tat, now)
		oks = append(oks, ok)
		waits = append(waits, l.RetryAfter(next, now))
		tat = next
	}
	return oks, waits
}

func TestTake(t *testing.T) {
	l := ratelimit.Limit{Burst: 3, Every: time.Minute}
	tests := []struct {
		name    string
		offsets []time.Duration
		wantOK  []bool
		// wantWait is RetryAfter after each take.
		wantWait []time.Duration
	}{
		{"burst then refusal", []time.Duration{0, 0, 0, 0},
			[]bool{true, true, true, false}, []time.Duration{0, 0, time.Minute, time.Minute}},
		{"one refill", []time.Duration{0, 0, 0, time.Minute, time.Minute},
			[]bool{true, true, true, true, false}, []time.Duration{0, 0, time.Minute, time.Minute, time.Minute}},
		{"partial refill", []time.Duration{0, 0, 0, 20 * time.Second},
			[]bool{true, true, true, false}, []time.Duration{0, 0, time.Minute, 40 * time.Second}},
		{"full again after a long pause", []time.Duration{0, 0, 0, time.Hour, time.Hour, time.Hour, time.Hour},
			[]bool{true, true, true, true, true, true, false}, []time.Duration{0, 0, time.Minute, 0, 0, time.Minute, time.Minute}},
		{"clock going back refills nothing", []time.Duration{time.Hour, time.Hour, time.Hour, 0},
			[]bool{true, true, true, false}, []time.Duration{0, 0, time.Minute, time.Hour + time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oks, waits := replay(l, tt.offsets...)
			if fmt.Sprint(oks) != fmt.Sprint(tt.wantOK) {
				t.Errorf("ok = %v, want %v", oks, tt.wantOK)
			}
			if fmt.Sprint(waits) != fmt.Sprint(tt.wantWait) {
				t.Errorf("retry after = %v, want %v", waits, tt.wantWait)
			}
		})
	}
}

func TestOff(t *testing.T) {
	for _, l := range []ratelimit.Limit{{}, {Burst: 0, Every: time.Second}, {Burst: 5}, {Burst: 5, Every: time.Nanosecond}} {
		if !l.Off() {
			t.Errorf("%+v: Off() = false, want true", l)
		}
		next, ok := l.Take(t0, t0)
		if !ok || !next.Equal(t0) || l.RetryAfter(t0.Add(time.Hour), t0) != 0 {
			t.Errorf("%+v: Take = %v, %v; want t0, true and no wait", l, next, ok)
		}
	}
	if (ratelimit.Limit{Burst: 1, Every: time.Microsecond}).Off() {
		t.Error("Burst 1, Every 1µs is off, want on")
	}
}

func TestKeyOf(t *testing.T) {
	a, b := ratelimit.KeyOf("signin|addr|ada@example.com"), ratelimit.KeyOf("signin|addr|bob@example.com")
	if a == b || a != ratelimit.KeyOf("signin|addr|ada@example.com") {
		t.Error("KeyOf is not a function of the name alone")
	}
}

func FuzzTake(f *testing.F) {
	f.Add(3, int64(time.Minute), int64(0), int64(time.Second))
	f.Fuzz(func(t *testing.T, burst int, every, tatOff, nowOff int64) {
		l := ratelimit.Limit{Burst: burst % 1000, Every: time.Duration(every % int64(24*time.Hour))}
		tat, now := t0.Add(time.Duration(tatOff%int64(240*time.Hour))), t0.Add(time.Duration(nowOff%int64(240*time.Hour)))
		next, ok := l.Take(tat, now)
		switch {
		case l.Off():
			if !ok || !next.Equal(tat) {
				t.Fatalf("off limit: Take = %v, %v", next, ok)
			}
		case !ok:
			if !next.Equal(tat) || l.RetryAfter(tat, now) <= 0 {
				t.Fatalf("refused: next %v (tat %v), retry %v", next, tat, l.RetryAfter(tat, now))
			}
		default:
			// A bucket never holds more than Burst tokens: its arrival
			// time stays within Burst intervals of now.
			if next.Sub(now) > time.Duration(l.Burst)*l.Every || !next.After(now) {
				t.Fatalf("taken: next %v is not within (now, now+Burst·Every]", next)
			}
		}
	})
}

func ExampleLimit_Take() {
	l := ratelimit.Limit{Burst: 2, Every: time.Minute}
	var tat time.Time // a bucket never seen is full
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		var ok bool
		tat, ok = l.Take(tat, now)
		fmt.Println(i+1, ok, l.RetryAfter(tat, now))
	}
	// Output:
	// 1 true 0s
	// 2 true 1m0s
	// 3 false 1m0s
}
