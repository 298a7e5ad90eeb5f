package verification

import (
	"bytes"
	"testing"
)

func TestNewCodeRejectionSampling(t *testing.T) {
	tests := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"Zero", []byte{0, 0, 0, 0}, "000000"},
		{"Small", []byte{0, 0, 0, 42}, "000042"},
		{"LastAccepted", []byte{0xff, 0xf1, 0x3d, 0x7f}, "999999"}, // 4293999999, the largest value kept
		{"FirstRejected", []byte{0xff, 0xf1, 0x3d, 0x80, 0, 0, 0, 1}, "000001"},
		{"RejectedThenAccepted", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 7}, "000007"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newCode(bytes.NewReader(tc.bytes))
			if err != nil || got != tc.want {
				t.Errorf("newCode = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := newCode(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff})); err == nil {
		t.Error("newCode on exhausted randomness: want an error")
	}
}

func TestWellFormed(t *testing.T) {
	for code, want := range map[string]bool{
		"123456": true, "000000": true, "12345": false, "1234567": false, " 12345": false,
		"12345\n": false, "１２３４５６": false, "12a456": false, "": false, "١٢٣٤٥٦": false,
	} {
		if got := wellFormed(code); got != want {
			t.Errorf("wellFormed(%q) = %v, want %v", code, got, want)
		}
	}
}
