package account

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

var deviceNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func testDevices() *devices {
	return &devices{keys: [][]byte{[]byte("new key"), []byte("old key")}, ttl: time.Hour, rand: rand.Reader}
}

func TestDeviceTokenRoundTrip(t *testing.T) {
	d := testDevices()
	tok, err := d.issue("acc_1", deviceNow)
	if err != nil {
		t.Fatal(err)
	}
	id, nonce, ok := d.open(tok, deviceNow.Add(59*time.Minute))
	if !ok || id != "acc_1" || nonce == "" {
		t.Fatalf("open = %q, %q, %v; want acc_1 and a nonce", id, nonce, ok)
	}
	if again, _ := d.issue("acc_1", deviceNow); again == tok {
		t.Error("two tokens of one account are equal: no nonce")
	}
	for name, at := range map[string]time.Time{"expired": deviceNow.Add(time.Hour), "from the future": deviceNow.Add(-2 * time.Minute)} {
		if _, _, ok := d.open(tok, at); ok {
			t.Errorf("%s token opened", name)
		}
	}
	// The old key still opens what it signed; an unknown one does not.
	old := &devices{keys: [][]byte{[]byte("old key")}, ttl: time.Hour, rand: rand.Reader}
	oldTok, _ := old.issue("acc_2", deviceNow)
	if id, _, ok := d.open(oldTok, deviceNow); !ok || id != "acc_2" {
		t.Errorf("token of a rotated key: %q, %v", id, ok)
	}
	if _, _, ok := old.open(tok, deviceNow); ok {
		t.Error("a token of an unknown key opened")
	}
}

func FuzzDeviceToken(f *testing.F) {
	// A fixed nonce, so every fuzzing process issues the same token.
	d := &devices{keys: [][]byte{[]byte("new key")}, ttl: time.Hour, rand: bytes.NewReader(make([]byte, deviceNonceLen))}
	tok, err := d.issue("acc_1", deviceNow)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{tok, "", ".", "AQ.AQ", tok[:len(tok)-1], strings.Replace(tok, ".", "..", 1), "not a token", strings.Repeat("A", 600)} {
		f.Add(seed)
	}
	decoded := func(s string) string {
		body, sig, _ := strings.Cut(s, ".")
		b, _ := base64.RawURLEncoding.DecodeString(body)
		m, _ := base64.RawURLEncoding.DecodeString(sig)
		return string(b) + "|" + string(m)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Only what the key signed opens: the fuzzer cannot forge the
		// MAC, so anything that opens decodes to the issued token.
		if _, _, ok := d.open(s, deviceNow); ok && decoded(s) != decoded(tok) {
			t.Fatalf("forged token %q opened", s)
		}
	})
}
