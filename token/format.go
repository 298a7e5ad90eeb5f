package token

import (
	"crypto/sha256"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/seed-a97ca23f/usersettings/internal/secret"
)

// The secret format. A personal access token looks like
//
//	mxp_ + 32 random base62 characters + 6 base62 characters of checksum
//
// and an API key the same with the prefix "mxk_" (a Scheme sets other
// prefixes; these are the defaults). The checksum is the
// CRC-32 (IEEE) of the random part, written in base62 with the most
// significant digit first and padded to 6 digits with '0'. 32 base62
// characters carry about 190 bits from crypto/rand. The fixed prefixes
// let secret scanners find leaked credentials; the checksum rejects typos
// and truncations without touching the store.
const (
	// TokenPrefix starts every personal access token under the default
	// Scheme.
	TokenPrefix = "mxp_"
	// APIKeyPrefix starts every API key under the default Scheme.
	APIKeyPrefix = "mxk_"
	// RandomLen is the number of random base62 characters.
	RandomLen = 32
	// ChecksumLen is the number of base62 checksum characters.
	ChecksumLen = 6
	// BodyLen is the length of a secret after its prefix: the random
	// part and the checksum.
	BodyLen = RandomLen + ChecksumLen
	// SecretLen is the length of a token or key under the default Scheme:
	// prefix, random part and checksum.
	SecretLen = len(TokenPrefix) + BodyLen
	// maxSecretLen is the length of a secret with the longest prefix.
	maxSecretLen = MaxPrefixLen + BodyLen
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// digitOf maps a byte to its base62 value plus one; 0 marks a byte outside
// the alphabet.
var digitOf = func() (t [256]uint8) {
	for i := 0; i < len(base62); i++ {
		t[base62[i]] = uint8(i + 1)
	}
	return t
}()

// Prefix returns the prefix of the kind's secrets under the default
// Scheme ("" for an invalid kind); see Scheme.Prefix.
func (k Kind) Prefix() string { return Scheme{}.Prefix(k) }

// format is what Parse needs of a Scheme: the two prefixes.
type format struct{ token, key string }

// defaultFormat holds the default prefixes.
var defaultFormat = format{token: TokenPrefix, key: APIKeyPrefix}

// Parse checks the format of a token or API key under the default Scheme
// offline and returns its kind. It reports false for a wrong prefix,
// length, alphabet or checksum. It is pure, does not allocate and takes
// well under 100 ns. Scheme.Parse does the same for other prefixes.
func Parse(s string) (Kind, bool) { return defaultFormat.parse(s) }

// parse is Parse for the prefixes of f. The prefix and the length pick
// the kind; the body is then checked in one branch-free pass.
func (f format) parse(s string) (Kind, bool) {
	var k Kind
	var body string
	switch {
	case len(s) == len(f.token)+BodyLen && s[:len(f.token)] == f.token:
		k, body = KindToken, s[len(f.token):]
	case len(s) == len(f.key)+BodyLen && s[:len(f.key)] == f.key:
		k, body = KindAPIKey, s[len(f.key):]
	default:
		return 0, false
	}
	if !validBody(body) {
		return 0, false
	}
	return k, true
}

// validBody reports whether body is RandomLen base62 characters followed
// by their ChecksumLen-character checksum.
func validBody(body string) bool {
	if len(body) != BodyLen {
		return false
	}
	// One pass, no early exits: OR-ing a "not base62" bit per byte keeps
	// the loop branch-free.
	var bad uint8
	for i := 0; i < RandomLen; i++ {
		bad |= digitOf[body[i]] - 1
	}
	var sum uint64
	for i := RandomLen; i < BodyLen; i++ {
		d := digitOf[body[i]]
		bad |= d - 1
		sum = sum*62 + uint64(d-1)
	}
	// A zero entry (not base62) underflows to 0xFF: bit 7 set, which no
	// valid digit value (0–61) has.
	return bad&0x80 == 0 && checksum(body[:RandomLen]) == sum
}

// crcTable is a slicing-by-8 table for CRC-32 (IEEE), so the checksum of
// the random part costs four table rounds instead of 32.
var crcTable = func() (t [8][256]uint32) {
	t[0] = *crc32.IEEETable
	for i := 0; i < 256; i++ {
		crc := t[0][i]
		for j := 1; j < 8; j++ {
			crc = t[0][crc&0xFF] ^ (crc >> 8)
			t[j][i] = crc
		}
	}
	return t
}()

// checksum is the CRC-32 (IEEE) of s, computed without converting s to a
// byte slice.
func checksum(s string) uint64 {
	tab := &crcTable
	crc := ^uint32(0)
	for len(s) >= 8 {
		crc ^= uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
		crc = tab[0][s[7]] ^ tab[1][s[6]] ^ tab[2][s[5]] ^ tab[3][s[4]] ^
			tab[4][crc>>24] ^ tab[5][(crc>>16)&0xFF] ^
			tab[6][(crc>>8)&0xFF] ^ tab[7][crc&0xFF]
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		crc = tab[0][byte(crc)^s[i]] ^ (crc >> 8)
	}
	return uint64(^crc)
}

// encode returns prefix + random + checksum(random). random must be
// RandomLen base62 characters.
func encode(prefix, random string) string {
	var sum [ChecksumLen]byte
	v := checksum(random)
	for i := ChecksumLen - 1; i >= 0; i-- {
		sum[i] = base62[v%62]
		v /= 62
	}
	return prefix + random + string(sum[:])
}

// Generate returns a new secret of the kind under the default Scheme,
// with RandomLen base62 characters read uniformly from r (use
// crypto/rand.Reader). Scheme.Generate does the same for other prefixes.
func Generate(r io.Reader, k Kind) (Secret, error) { return generate(r, k, k.Prefix()) }

// generate returns a new secret of the kind starting with prefix.
func generate(r io.Reader, k Kind, prefix string) (Secret, error) {
	if prefix == "" {
		return Secret{}, fmt.Errorf("token: generate: invalid kind %d", k)
	}
	var random [RandomLen]byte
	var buf [64]byte
	n := 0
	for n < RandomLen {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return Secret{}, fmt.Errorf("token: reading randomness: %w", err)
		}
		for _, b := range buf {
			// 248 = 4×62: rejecting larger bytes keeps every digit uniform.
			if b < 248 && n < RandomLen {
				random[n] = base62[b%62]
				n++
			}
		}
	}
	return secret.New(encode(prefix, string(random[:]))), nil
}

// Digest is the SHA-256 of a secret: what the store keeps instead of it.
type Digest [sha256.Size]byte

// DigestOf returns the SHA-256 of the secret.
func DigestOf(secret string) Digest {
	if len(secret) <= maxSecretLen {
		// Copying into an array on the stack saves the allocation of
		// converting the string on the validation hot path.
		var buf [maxSecretLen]byte
		n := copy(buf[:], secret)
		return sha256.Sum256(buf[:n])
	}
	return sha256.Sum256([]byte(secret))
}

// last4 returns the last four characters of a secret, for display.
func last4(s string) string { return s[len(s)-4:] }

// Secret is a token or API key in clear, as returned once by Create and
// CreateAPIKey. It prints, logs and marshals as "[REDACTED]"; call Reveal
// to get the value to show the person.
type Secret = secret.Secret
