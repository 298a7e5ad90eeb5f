package password

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Bounds on the parameters of imported scrypt hashes. Like the argon2id
// and bcrypt bounds they keep a foreign or tampered hash from asking one
// verification for gigabytes of memory or minutes of work. scrypt takes
// 128·N·r bytes and about N·r·p block mixes; the defaults of common
// libraries (N = 2^14 to 2^17, r = 8, p = 1) are well inside.
const (
	// MaxScryptLogN is the largest log2 of the CPU/memory cost N.
	MaxScryptLogN = 20
	// MaxScryptR is the largest block size r.
	MaxScryptR = 32
	// MaxScryptP is the largest parallelisation p.
	MaxScryptP = 16
	// MaxScryptWork bounds N·r·p, the work of one verification (2^23 is
	// N = 2^17, r = 8, p = 8, a few seconds).
	MaxScryptWork = 1 << 23
)

// scryptHash is a parsed scrypt hash, in either form.
type scryptHash struct {
	logN uint
	r, p int
	salt []byte
	key  []byte
}

// isScrypt reports whether s claims to be an scrypt hash: the PHC form
// $scrypt$ or the modular-crypt form $7$.
func isScrypt(s string) bool {
	return strings.HasPrefix(s, "$scrypt$") || strings.HasPrefix(s, "$7$")
}

// parseScrypt parses and bounds-checks an scrypt hash, in the PHC form
//
//	$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>
//
// (unpadded standard base64; passlib's variant with "." for "+" is
// accepted) or in the modular-crypt form of libxcrypt and the scrypt
// reference code
//
//	$7$<N><r><p><salt>$<key>
//
// where N is one itoa64 character (log2 N), r and p five each, the salt is
// used as the characters it is written with, and the key is 43 itoa64
// characters (32 bytes). It returns ErrMalformedHash or a *ParamsError,
// neither of which quotes s.
func parseScrypt(s string) (scryptHash, error) {
	if len(s) > maxEncodedLen {
		return scryptHash{}, ErrMalformedHash
	}
	var h scryptHash
	var err error
	if strings.HasPrefix(s, "$7$") {
		h, err = parseScryptMCF(s)
	} else {
		h, err = parseScryptPHC(s)
	}
	if err != nil {
		return scryptHash{}, err
	}
	return h, h.validate()
}

// parseScryptPHC parses $scrypt$ln=…,r=…,p=…$salt$key.
func parseScryptPHC(s string) (scryptHash, error) {
	fields := strings.Split(s, "$")
	if len(fields) != 5 || fields[0] != "" || fields[1] != "scrypt" {
		return scryptHash{}, ErrMalformedHash
	}
	parts := strings.Split(fields[2], ",")
	if len(parts) != 3 {
		return scryptHash{}, ErrMalformedHash
	}
	var vals [3]uint64
	for i, prefix := range []string{"ln=", "r=", "p="} {
		digits, ok := strings.CutPrefix(parts[i], prefix)
		if !ok || !isDecimal(digits) {
			return scryptHash{}, ErrMalformedHash
		}
		v, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			return scryptHash{}, &ParamsError{Name: "scrypt " + strings.TrimSuffix(prefix, "="), Value: v, Min: 1, Max: MaxScryptWork}
		}
		vals[i] = v
	}
	salt, ok1 := decodeB64(strings.ReplaceAll(fields[3], ".", "+"))
	key, ok2 := decodeB64(strings.ReplaceAll(fields[4], ".", "+"))
	if !ok1 || !ok2 {
		return scryptHash{}, ErrMalformedHash
	}
	return scryptHash{logN: uint(vals[0]), r: int(vals[1]), p: int(vals[2]), salt: salt, key: key}, nil
}

// itoa64 is the alphabet of crypt(3)'s base64.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// scryptMCFKeyLen is the key length of the $7$ form, in bytes and in
// encoded characters.
const (
	scryptMCFKeyLen   = 32
	scryptMCFKeyChars = 43
)

// parseScryptMCF parses $7$ (see parseScrypt).
func parseScryptMCF(s string) (scryptHash, error) {
	rest := s[len("$7$"):]
	setting, encKey, ok := strings.Cut(rest, "$")
	if !ok || len(setting) < 11 || len(encKey) != scryptMCFKeyChars || strings.Contains(encKey, "$") {
		return scryptHash{}, ErrMalformedHash
	}
	logN, ok1 := decodeItoa64(setting[:1])
	r, ok2 := decodeItoa64(setting[1:6])
	p, ok3 := decodeItoa64(setting[6:11])
	key, ok4 := decodeCryptKey(encKey, scryptMCFKeyLen)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return scryptHash{}, ErrMalformedHash
	}
	return scryptHash{logN: uint(logN), r: int(r), p: int(p), salt: []byte(setting[11:]), key: key}, nil
}

// decodeItoa64 decodes a little-endian number written in itoa64
// characters, six bits each (at most five characters, 30 bits).
func decodeItoa64(s string) (uint32, bool) {
	var v uint32
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(itoa64, s[i])
		if d < 0 {
			return 0, false
		}
		v |= uint32(d) << (6 * i)
	}
	return v, true
}

// decodeCryptKey decodes n bytes from crypt(3)'s little-endian base64
// (groups of three bytes in four characters, the last group shorter),
// accepting only the canonical encoding.
func decodeCryptKey(s string, n int) ([]byte, bool) {
	out := make([]byte, 0, n)
	for len(out) < n {
		bytes := min(3, n-len(out))
		chars := (bytes*8 + 5) / 6
		if len(s) < chars {
			return nil, false
		}
		v, ok := decodeItoa64(s[:chars])
		if !ok || v>>(8*bytes) != 0 {
			return nil, false
		}
		for i := 0; i < bytes; i++ {
			out = append(out, byte(v>>(8*i)))
		}
		s = s[chars:]
	}
	return out, s == ""
}

// validate checks the parameters against the bounds, returning a
// *ParamsError for the first outside them. ln, r and p come first, so
// memory and work (which may wrap for absurd values) are only judged
// once each factor is in bounds.
func (h scryptHash) validate() error {
	work := (uint64(1) << h.logN) * uint64(h.r) * uint64(h.p)
	checks := []struct {
		name          string
		value, lo, hi uint64
	}{
		{"scrypt ln", uint64(h.logN), 1, MaxScryptLogN},
		{"scrypt r", uint64(h.r), 1, MaxScryptR},
		{"scrypt p", uint64(h.p), 1, MaxScryptP},
		{"scrypt memory", 128 * (uint64(1) << h.logN) * uint64(h.r) / 1024, 1, MaxMemoryKiB},
		{"scrypt work", work, 1, MaxScryptWork},
		{"salt length", uint64(len(h.salt)), MinSaltLen, MaxSaltLen},
		{"key length", uint64(len(h.key)), MinKeyLen, MaxKeyLen},
	}
	for _, c := range checks {
		if c.value < c.lo || c.value > c.hi {
			return &ParamsError{Name: c.name, Value: c.value, Min: c.lo, Max: c.hi}
		}
	}
	return nil
}

// verifyScrypt verifies pw against an imported scrypt hash. A match
// always asks for a rehash into argon2id.
func (h *Hasher) verifyScrypt(ctx context.Context, pw, encoded string) (ok, rehash bool, err error) {
	stored, err := parseScrypt(encoded)
	if err != nil {
		return false, false, err
	}
	if len(pw) > MaxBytes {
		return false, false, nil
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	key, err := scrypt.Key([]byte(pw), stored.salt, 1<<stored.logN, stored.r, stored.p, len(stored.key))
	if err != nil {
		return false, false, ErrMalformedHash
	}
	if subtle.ConstantTimeCompare(key, stored.key) != 1 {
		return false, false, nil
	}
	return true, true, nil
}

// CheckHash reports whether encoded is a stored hash that Hasher.Verify
// verifies: an argon2id PHC string, a bcrypt hash ($2a$, $2b$, $2y$) or
// an scrypt hash ($scrypt$ or $7$), well formed and with parameters
// within the bounds. It returns nil, ErrMalformedHash, ErrUnsupportedHash
// or a *ParamsError, and hashes nothing. Hosts that import hashes from
// another system (account.Service.Provision) check them with it first.
func CheckHash(encoded string) error {
	switch {
	case isBcrypt(encoded):
		cost, err := bcrypt.Cost([]byte(encoded))
		if err != nil || len(encoded) != bcryptLen {
			return ErrMalformedHash
		}
		if cost > MaxBcryptCost {
			return &ParamsError{Name: "bcrypt cost", Value: uint64(cost), Min: uint64(bcrypt.MinCost), Max: MaxBcryptCost}
		}
		return nil
	case isScrypt(encoded):
		_, err := parseScrypt(encoded)
		return err
	}
	_, err := parsePHC(encoded)
	return err
}

// bcryptLen is the length of every bcrypt hash: $2b$, a two-digit cost,
// $, 22 characters of salt and 31 of hash.
const bcryptLen = 60
