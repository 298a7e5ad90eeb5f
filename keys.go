package usersettings

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// KeySize is the length of every key of the SDK: the least length of a
// code key and the exact length of a two-factor key (AES-256).
const KeySize = 32

// ErrWeakKey means a key is missing or shorter than KeySize bytes. New
// returns it (wrapped, naming the option) unless Options.Dev is set.
var ErrWeakKey = errs.New(errs.Internal, "weak_key", "usersettings: key missing or shorter than 32 bytes")

// KeyRing holds the secret keys of one purpose, newest first. The first
// key seals or signs what is written from now on; every key opens or
// verifies what is stored. To rotate a key, put a new one first and keep
// the old one after it until nothing sealed with it is left (one-time
// codes live minutes; authenticator secrets are sealed again with the
// first key the next time they are used).
type KeyRing [][]byte

// String never prints the keys.
func (r KeyRing) String() string { return fmt.Sprintf("KeyRing[%d keys]", len(r)) }

// GoString is String, so %#v does not print the keys either.
func (r KeyRing) GoString() string { return r.String() }

// ParseKeyRing parses keys separated by commas, each in hex or in base64
// (standard or URL alphabet, with or without padding). A key that is
// valid hex is read as hex. It returns ErrWeakKey for an empty list or a
// key shorter than KeySize bytes.
func ParseKeyRing(s string) (KeyRing, error) {
	var ring KeyRing
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, err := decodeKey(part)
		if err != nil {
			return nil, fmt.Errorf("usersettings: key %d: %w", i+1, err)
		}
		if len(k) < KeySize {
			return nil, fmt.Errorf("usersettings: key %d has %d bytes: %w", i+1, len(k), ErrWeakKey)
		}
		ring = append(ring, k)
	}
	if len(ring) == 0 {
		return nil, ErrWeakKey
	}
	return ring, nil
}

// KeyRingFromEnv parses the environment variable name with ParseKeyRing,
// for example SETTINGSD_CODE_KEY="<new key in hex>,<old key in hex>".
// The error names the variable, never its value.
func KeyRingFromEnv(name string) (KeyRing, error) {
	v, ok := os.LookupEnv(name)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("usersettings: %s is not set: %w", name, ErrWeakKey)
	}
	ring, err := ParseKeyRing(v)
	if err != nil {
		return nil, fmt.Errorf("usersettings: %s: %w", name, err)
	}
	return ring, nil
}

// decodeKey reads one key in hex or base64.
func decodeKey(s string) ([]byte, error) {
	if len(s)%2 == 0 {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("neither hex nor base64")
}

// check returns nil when the ring has a key and every key is at least
// KeySize bytes.
func (r KeyRing) check(option string) error {
	if len(r) == 0 {
		return fmt.Errorf("usersettings: Options.%s is empty: %w", option, ErrWeakKey)
	}
	for i, k := range r {
		if len(k) < KeySize {
			return fmt.Errorf("usersettings: Options.%s key %d has %d bytes: %w", option, i+1, len(k), ErrWeakKey)
		}
	}
	return nil
}
