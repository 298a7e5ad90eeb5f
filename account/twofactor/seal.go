package twofactor

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/seed-a97ca23f/usersettings/internal/seal"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
)

// KeySize is the length in bytes of Config.Key.
const KeySize = seal.KeySize

// errSealed means a sealed secret could not be opened: a wrong key, a
// record of another account or tampered bytes. It never falls back to
// reading the bytes in clear.
var errSealed = errors.New("twofactor: cannot open sealed secret")

// Secret holds a secret shown to the user once (a TOTP seed, an otpauth
// URL). It prints, logs and marshals as "[REDACTED]", so it cannot leak
// into logs by accident; call Reveal to read it.
type Secret = secret.Secret

// keys holds the keys derived from the host's key: the AES-256-GCM box
// of package internal/seal, and the key of the HMAC digests of codes.
type keys struct {
	box *seal.Key
	mac []byte
}

// ring is the key that seals and the old keys that still open, first
// to last.
type ring []*keys

func newRing(key []byte, old [][]byte) (ring, error) {
	var r ring
	for _, k := range append([][]byte{key}, old...) {
		ks, err := newKeys(k)
		if err != nil {
			return nil, err
		}
		r = append(r, ks)
	}
	return r, nil
}

// seal encrypts with the first key.
func (r ring) seal(rand io.Reader, accountID, secret string) ([]byte, error) {
	return r[0].seal(rand, accountID, secret)
}

// open decrypts with the first key that can; stale reports that it was
// not the first, so the secret should be sealed again.
func (r ring) open(accountID string, sealed []byte) (secret string, stale bool, err error) {
	for i, k := range r {
		if secret, err = k.open(accountID, sealed); err == nil {
			return secret, i > 0, nil
		}
	}
	return "", false, errSealed
}

// digest is the digest under the first key, for codes written now.
func (r ring) digest(kind, accountID, code string) []byte { return r[0].digest(kind, accountID, code) }

// digests are the digests under every key, for codes checked now.
func (r ring) digests(kind, accountID, code string) [][]byte {
	out := make([][]byte, len(r))
	for i, k := range r {
		out[i] = k.digest(kind, accountID, code)
	}
	return out
}

func newKeys(key []byte) (*keys, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("twofactor: key must be %d bytes, got %d", KeySize, len(key))
	}
	box, err := seal.NewKey(key)
	if err != nil {
		return nil, fmt.Errorf("twofactor: %w", err)
	}
	mac, err := hkdf.Key(sha256.New, key, nil, "usersettings/twofactor code digests", 32)
	if err != nil {
		return nil, fmt.Errorf("twofactor: %w", err)
	}
	return &keys{box: box, mac: mac}, nil
}

// seal encrypts secret with a random nonce and the account id as
// additional data (see package internal/seal).
func (k *keys) seal(rand io.Reader, accountID, secret string) ([]byte, error) {
	out, err := k.box.Seal(rand, accountID, []byte(secret))
	if err != nil {
		return nil, fmt.Errorf("twofactor: %w", err)
	}
	return out, nil
}

// open decrypts a sealed secret of the account. Any failure is errSealed.
func (k *keys) open(accountID string, sealed []byte) (string, error) {
	plain, err := k.box.Open(accountID, sealed)
	if err != nil {
		return "", errSealed
	}
	return string(plain), nil
}

// digest is the HMAC-SHA-256 of a code bound to its kind and account, so
// a stored digest cannot be checked offline without the host's key.
func (k *keys) digest(kind, accountID, code string) []byte {
	m := hmac.New(sha256.New, k.mac)
	for _, part := range []string{kind, accountID, code} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}
