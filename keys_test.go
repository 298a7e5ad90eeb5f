package usersettings_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
)

func TestParseKeyRing(t *testing.T) {
	k1 := bytes.Repeat([]byte{0xab}, 32)
	k2 := bytes.Repeat([]byte{0x3f}, 48)
	for _, tc := range []struct {
		name, in string
		want     usersettings.KeyRing
	}{
		{"hex", hex.EncodeToString(k1), usersettings.KeyRing{k1}},
		{"std base64", base64.StdEncoding.EncodeToString(k1), usersettings.KeyRing{k1}},
		{"raw url base64", base64.RawURLEncoding.EncodeToString(k2), usersettings.KeyRing{k2}},
		{"two keys, spaces", " " + hex.EncodeToString(k2) + " , " + base64.StdEncoding.EncodeToString(k1) + " ", usersettings.KeyRing{k2, k1}},
	} {
		got, err := usersettings.ParseKeyRing(tc.in)
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("%s: ParseKeyRing = %d keys, %v; want %d keys", tc.name, len(got), err, len(tc.want))
			continue
		}
		for i := range got {
			if !bytes.Equal(got[i], tc.want[i]) {
				t.Errorf("%s: key %d = %x, want %x", tc.name, i, got[i], tc.want[i])
			}
		}
	}
	for _, bad := range []string{"", " , ", hex.EncodeToString(k1[:31]), "not a key!", base64.StdEncoding.EncodeToString(k1[:20])} {
		if _, err := usersettings.ParseKeyRing(bad); err == nil {
			t.Errorf("ParseKeyRing(%q) succeeded", bad)
		}
	}
	if _, err := usersettings.ParseKeyRing(hex.EncodeToString(k1[:16])); !errors.Is(err, usersettings.ErrWeakKey) {
		t.Errorf("16-byte key: %v, want ErrWeakKey", err)
	}
	ring := usersettings.KeyRing{k1}
	for _, s := range []string{fmt.Sprint(ring), fmt.Sprintf("%#v", ring), fmt.Sprintf("%v", ring)} {
		if strings.Contains(s, "ab") || strings.Contains(s, "171") {
			t.Errorf("KeyRing printed its key: %q", s)
		}
	}
}

func TestKeyRingFromEnv(t *testing.T) {
	k := bytes.Repeat([]byte{9}, 32)
	t.Setenv("US_TEST_KEYS", hex.EncodeToString(k))
	got, err := usersettings.KeyRingFromEnv("US_TEST_KEYS")
	if err != nil || len(got) != 1 || !bytes.Equal(got[0], k) {
		t.Fatalf("KeyRingFromEnv = %x, %v", got, err)
	}
	t.Setenv("US_TEST_KEYS", "deadbeef")
	_, err = usersettings.KeyRingFromEnv("US_TEST_KEYS")
	if !errors.Is(err, usersettings.ErrWeakKey) || !strings.Contains(err.Error(), "US_TEST_KEYS") || strings.Contains(err.Error(), "deadbeef") {
		t.Errorf("short key: %v; want ErrWeakKey naming the variable, not its value", err)
	}
	if _, err := usersettings.KeyRingFromEnv("US_TEST_KEYS_UNSET"); !errors.Is(err, usersettings.ErrWeakKey) {
		t.Errorf("unset variable: %v, want ErrWeakKey", err)
	}
}

// Keys rotate by putting the new key first: it seals what is written from
// now on, and the old key still opens what it sealed.
func ExampleParseKeyRing() {
	ring, err := usersettings.ParseKeyRing(
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f," + // new key, hex
			"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=") // old key, base64
	fmt.Println(len(ring), err, ring)
	// Output: 2 <nil> KeyRing[2 keys]
}
