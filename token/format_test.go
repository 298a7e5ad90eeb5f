package token

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
)

// seeded returns a deterministic randomness source for tests.
func seeded(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

func mustGenerate(t testing.TB, k Kind) string {
	t.Helper()
	s, err := Generate(seeded(uint64(k)), k)
	if err != nil {
		t.Fatal(err)
	}
	return s.Reveal()
}

func TestGenerateShape(t *testing.T) {
	r := seeded(7)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		s, err := Generate(r, KindToken)
		if err != nil {
			t.Fatal(err)
		}
		v := s.Reveal()
		if len(v) != SecretLen || !strings.HasPrefix(v, "mxp_") {
			t.Fatalf("Generate = %q, want mxp_ and %d characters", v, SecretLen)
		}
		if k, ok := Parse(v); !ok || k != KindToken {
			t.Fatalf("Parse(%q) = %v, %v; want KindToken, true", v, k, ok)
		}
		if seen[v] {
			t.Fatalf("Generate repeated %q", v)
		}
		seen[v] = true
	}
	k, _ := Generate(r, KindAPIKey)
	if got, ok := Parse(k.Reveal()); !ok || got != KindAPIKey || !strings.HasPrefix(k.Reveal(), "mxk_") {
		t.Errorf("Parse(api key %q) = %v, %v; want KindAPIKey, true", k.Reveal(), got, ok)
	}
	if _, err := Generate(r, 0); err == nil {
		t.Error("Generate(kind 0) succeeded, want an error")
	}
}

func TestParseRejects(t *testing.T) {
	good := mustGenerate(t, KindToken)
	body := good[4:]
	flip := func(i int) string {
		b := []byte(good)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"prefix only", "mxp_"},
		{"wrong prefix", "mxq_" + body},
		{"upper-case prefix", "MXP_" + body},
		{"no prefix", body},
		{"too short", good[:len(good)-1]},
		{"too long", good + "a"},
		{"bad random char", flip(10)},
		{"bad checksum char", flip(len(good) - 1)},
		{"non-base62", good[:10] + "-" + good[11:]},
		{"space", good[:10] + " " + good[11:]},
		{"non-ascii", good[:10] + "é" + good[12:]},
		{"nul", good[:10] + "\x00" + good[11:]},
		{"swapped", good[:10] + string(good[11]) + string(good[10]) + good[12:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in == good {
				t.Skip("mutation produced the same string")
			}
			if k, ok := Parse(tt.in); ok {
				t.Errorf("Parse(%q) = %v, true; want false", tt.in, k)
			}
		})
	}
}

func TestParseAllocs(t *testing.T) {
	good, bad := mustGenerate(t, KindToken), "mxp_"+strings.Repeat("a", RandomLen+ChecksumLen)
	if n := testing.AllocsPerRun(100, func() { Parse(good); Parse(bad) }); n != 0 {
		t.Errorf("Parse allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = DigestOf(good) }); n != 0 {
		t.Errorf("DigestOf allocates %v times, want 0", n)
	}
}

func TestDigestOf(t *testing.T) {
	s := mustGenerate(t, KindToken)
	if got, want := DigestOf(s), Digest(sha256.Sum256([]byte(s))); got != want {
		t.Errorf("DigestOf = %x, want %x", got, want)
	}
}

func TestChecksumMatchesCRC32(t *testing.T) {
	// The checksum is CRC-32/IEEE of the random part in 6 base62 digits,
	// most significant first.
	random := strings.Repeat("A", RandomLen)
	got := encode(TokenPrefix, random)
	v := uint64(crc32.ChecksumIEEE([]byte(random)))
	want := make([]byte, ChecksumLen)
	for i := ChecksumLen - 1; i >= 0; i-- {
		want[i] = base62[v%62]
		v /= 62
	}
	if got != "mxp_"+random+string(want) {
		t.Errorf("encode = %q, want checksum %q", got, want)
	}
	if k, ok := Parse(got); !ok || k != KindToken {
		t.Errorf("Parse(encode(...)) = %v, %v", k, ok)
	}
}

func TestSecretRedacted(t *testing.T) {
	s, _ := Generate(seeded(1), KindToken)
	v := s.Reveal()
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("made", "secret", s)
	j, _ := json.Marshal(struct{ S Secret }{s})
	outs := []string{
		s.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x %d", s, s, s, s, s, s, s),
		fmt.Sprintf("%v", struct{ S Secret }{s}), logged.String(), string(j),
	}
	for _, o := range outs {
		if strings.Contains(o, v) || strings.Contains(o, v[4:12]) {
			t.Errorf("output %q holds the secret", o)
		}
		if !strings.Contains(o, "[REDACTED]") {
			t.Errorf("output %q does not say [REDACTED]", o)
		}
	}
	if s.IsZero() || !(Secret{}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func BenchmarkParse(b *testing.B) {
	good := mustGenerate(b, KindToken)
	b.ReportAllocs()
	for b.Loop() {
		Parse(good)
	}
}

func TestChecksumAgainstStdlib(t *testing.T) {
	r := seeded(3)
	for n := 0; n < 70; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint64())
		}
		if got, want := checksum(string(b)), uint64(crc32.ChecksumIEEE(b)); got != want {
			t.Fatalf("checksum(%d bytes) = %x, want %x", n, got, want)
		}
	}
}
