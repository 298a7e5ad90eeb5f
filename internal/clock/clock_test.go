package clock_test

import (
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/internal/clock"
)

func TestNew(t *testing.T) {
	loc := time.FixedZone("x", 3600)
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, loc)
	got := clock.New(func() time.Time { return at })()
	want := time.Date(2026, 1, 2, 2, 4, 5, 123456000, time.UTC)
	if !got.Equal(want) || got.Location() != time.UTC || got.Nanosecond() != 123456000 {
		t.Errorf("New(now)() = %v, want %v in UTC", got, want)
	}
	if d := time.Since(clock.New(nil)()); d < 0 || d > time.Minute {
		t.Errorf("New(nil) is %v away from time.Now", d)
	}
}
