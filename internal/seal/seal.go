// Package seal encrypts small secrets at rest (TOTP seeds, the client
// secrets of single-sign-on connections, PKCE verifiers) with AES-256-GCM
// under a key the host keeps outside the database.
//
// A sealed value is version || nonce || ciphertext and tag. The
// additional data binds it to its owner (an account or connection id, with
// a purpose prefix), so a sealed value copied onto another record does not
// open. A Ring seals with its first key and opens with any, which lets the
// host rotate keys: values sealed under an old key still open and report
// that they are stale.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// KeySize is the length in bytes of every key.
const KeySize = 32

// version is the first byte of every sealed value, so the format can
// change later.
const version = 1

// ErrOpen means a sealed value could not be opened: a wrong key, another
// owner's value or tampered bytes. Open never falls back to reading the
// bytes in clear.
var ErrOpen = errs.New(errs.Internal, "seal_open", "seal: cannot open sealed value")

// Key seals and opens with one key. It is safe for concurrent use.
type Key struct{ aead cipher.AEAD }

// NewKey returns the Key for k, which must be KeySize bytes.
func NewKey(k []byte) (*Key, error) {
	if len(k) != KeySize {
		return nil, fmt.Errorf("seal: key must be %d bytes, got %d", KeySize, len(k))
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Key{aead: aead}, nil
}

// Seal encrypts plain with a random nonce read from rand, bound to ad.
func (k *Key) Seal(rand io.Reader, ad string, plain []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plain)+k.aead.Overhead())
	out[0] = version
	if _, err := io.ReadFull(rand, out[1:]); err != nil {
		return nil, fmt.Errorf("seal: reading randomness: %w", err)
	}
	return k.aead.Seal(out, out[1:], plain, []byte(ad)), nil
}

// Open decrypts a value sealed for ad. Any failure is ErrOpen.
func (k *Key) Open(ad string, sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < 1+n+k.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	plain, err := k.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(ad))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// Ring is a key that seals and older keys that still open, newest first.
type Ring []*Key

// NewRing returns the Ring of keys, newest first. It needs at least one
// key, each KeySize bytes.
func NewRing(keys ...[]byte) (Ring, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: no key")
	}
	r := make(Ring, 0, len(keys))
	for i, k := range keys {
		key, err := NewKey(k)
		if err != nil {
			return nil, fmt.Errorf("seal: key %d: %w", i+1, err)
		}
		r = append(r, key)
	}
	return r, nil
}

// Seal encrypts with the first key.
func (r Ring) Seal(rand io.Reader, ad string, plain []byte) ([]byte, error) {
	return r[0].Seal(rand, ad, plain)
}

// Open decrypts with the first key that can; stale reports that it was
// not the first, so the value should be sealed again. Any failure is
// ErrOpen.
func (r Ring) Open(ad string, sealed []byte) (plain []byte, stale bool, err error) {
	for i, k := range r {
		if plain, err = k.Open(ad, sealed); err == nil {
			return plain, i > 0, nil
		}
	}
	return nil, false, ErrOpen
}
