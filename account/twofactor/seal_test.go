package twofactor

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func testKeys(t *testing.T, fill byte) *keys {
	t.Helper()
	k, err := newKeys(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSeal(t *testing.T) {
	k := testKeys(t, 1)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	sealed, err := k.seal(rand.Reader, "acc_a", secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(secret)) {
		t.Fatalf("sealed bytes hold the secret")
	}
	again, _ := k.seal(rand.Reader, "acc_a", secret)
	if bytes.Equal(sealed, again) {
		t.Errorf("two seals of one secret are equal; want a random nonce")
	}
	if got, err := k.open("acc_a", sealed); got != secret || err != nil {
		t.Errorf("open: got %q, %v; want the secret", got, err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	version := bytes.Clone(sealed)
	version[0] = 2
	cases := map[string]struct {
		k       *keys
		account string
		sealed  []byte
	}{
		"other key":     {testKeys(t, 2), "acc_a", sealed},
		"other account": {k, "acc_b", sealed},
		"tampered":      {k, "acc_a", tampered},
		"version":       {k, "acc_a", version},
		"short":         {k, "acc_a", sealed[:10]},
		"empty":         {k, "acc_a", nil},
		"clear text":    {k, "acc_a", []byte(secret)},
	}
	for name, c := range cases {
		got, err := c.k.open(c.account, c.sealed)
		if got != "" || !errors.Is(err, errSealed) {
			t.Errorf("open %s: got %q, %v; want errSealed", name, got, err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("open %s: error holds the secret", name)
		}
	}
}

func TestNewKeys(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := newKeys(make([]byte, n)); err == nil {
			t.Errorf("newKeys with %d bytes: got nil error", n)
		}
	}
}

func TestDigest(t *testing.T) {
	k, other := testKeys(t, 1), testKeys(t, 2)
	base := k.digest("sms", "acc_a", "123456")
	for name, d := range map[string][]byte{
		"other kind":    k.digest("recovery", "acc_a", "123456"),
		"other account": k.digest("sms", "acc_b", "123456"),
		"other code":    k.digest("sms", "acc_a", "123457"),
		"other key":     other.digest("sms", "acc_a", "123456"),
		"shifted parts": k.digest("sms", "acc_a1", "23456"),
	} {
		if bytes.Equal(base, d) {
			t.Errorf("digest with %s equals the base digest", name)
		}
	}
	if !bytes.Equal(base, k.digest("sms", "acc_a", "123456")) {
		t.Errorf("digest is not deterministic")
	}
}
