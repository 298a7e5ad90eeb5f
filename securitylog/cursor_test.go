package securitylog

import (
	"errors"
	"testing"
	"time"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, pos := range []Position{
		{At: time.Date(2026, 11, 2, 9, 0, 0, 123456789, time.UTC), ID: "sev_abc"},
		{At: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), ID: "sev.with.dots"},
	} {
		got, err := decodeCursor(encodeCursor(pos))
		if err != nil || !got.At.Equal(pos.At) || got.ID != pos.ID {
			t.Errorf("decodeCursor(encodeCursor(%v)) = %v, %v; want it back", pos, got, err)
		}
	}
	if c := encodeCursor(Position{}); c != "" {
		t.Errorf("encodeCursor(zero) = %q, want empty", c)
	}
	if pos, err := decodeCursor(""); err != nil || !pos.At.IsZero() || pos.ID != "" {
		t.Errorf("decodeCursor(\"\") = %v, %v; want the zero Position", pos, err)
	}
}

// FuzzDecodeCursor checks that any string decodes to ErrInvalidCursor or
// to a Position that encodes back to a cursor of the same Position.
func FuzzDecodeCursor(f *testing.F) {
	f.Add("")
	f.Add(encodeCursor(Position{At: time.Date(2026, 11, 2, 9, 0, 0, 5, time.UTC), ID: "sev_x"}))
	f.Add("MS4xMDAwMDAwMDAwLnNldl8x")
	f.Add("LTEuMC5zZXZfMQ")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, c string) {
		pos, err := decodeCursor(c)
		if err != nil {
			if !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("decodeCursor(%q) = %v, want ErrInvalidCursor", c, err)
			}
			return
		}
		again, err := decodeCursor(encodeCursor(pos))
		if err != nil || !again.At.Equal(pos.At) || again.ID != pos.ID {
			t.Fatalf("cursor %q: %v does not round-trip: %v, %v", c, pos, again, err)
		}
	})
}
