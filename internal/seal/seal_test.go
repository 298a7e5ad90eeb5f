package seal_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings/internal/seal"
)

func key(fill byte) []byte { return bytes.Repeat([]byte{fill}, seal.KeySize) }

func TestSealOpen(t *testing.T) {
	k, err := seal.NewKey(key(1))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "client secret"
	sealed, err := k.Seal(rand.Reader, "ssc_a", []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(secret)) {
		t.Fatal("sealed bytes hold the secret")
	}
	if got, err := k.Open("ssc_a", sealed); string(got) != secret || err != nil {
		t.Errorf("Open: got %q, %v; want the secret", got, err)
	}
	other, _ := seal.NewKey(key(2))
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for name, c := range map[string]struct {
		k      *seal.Key
		ad     string
		sealed []byte
	}{
		"other key": {other, "ssc_a", sealed},
		"other ad":  {k, "ssc_b", sealed},
		"tampered":  {k, "ssc_a", tampered},
		"short":     {k, "ssc_a", sealed[:5]},
		"clear":     {k, "ssc_a", []byte(secret)},
	} {
		if got, err := c.k.Open(c.ad, c.sealed); got != nil || !errors.Is(err, seal.ErrOpen) {
			t.Errorf("Open %s: got %q, %v; want ErrOpen", name, got, err)
		}
	}
}

func TestRing(t *testing.T) {
	old, _ := seal.NewRing(key(1))
	sealed, err := old.Seal(rand.Reader, "x", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := seal.NewRing(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	got, stale, err := rotated.Open("x", sealed)
	if string(got) != "v" || !stale || err != nil {
		t.Errorf("Open under old key: got %q, stale %v, %v; want v, stale", got, stale, err)
	}
	fresh, _ := rotated.Seal(rand.Reader, "x", []byte("v"))
	if _, stale, err := rotated.Open("x", fresh); stale || err != nil {
		t.Errorf("Open under new key: stale %v, %v; want fresh", stale, err)
	}
	if _, _, err := old.Open("x", fresh); !errors.Is(err, seal.ErrOpen) {
		t.Errorf("old ring opened a value of the new key: %v", err)
	}
	if _, err := seal.NewRing(); err == nil {
		t.Error("NewRing(): got nil error")
	}
	if _, err := seal.NewRing(key(1), make([]byte, 16)); err == nil {
		t.Error("NewRing with a short key: got nil error")
	}
}
