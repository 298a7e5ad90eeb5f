package password

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// maxEncodedLen bounds the stored strings Verify parses; the longest valid
// argon2id string with bounded parameters is well under it.
const maxEncodedLen = 512

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding.Strict()

// phc is a parsed argon2id PHC string.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

// String encodes h as $argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<key>.
func (h phc) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.params.Memory, h.params.Time, h.params.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// isBcrypt reports whether s looks like a bcrypt hash.
func isBcrypt(s string) bool {
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// parsePHC parses and bounds-checks an argon2id PHC string. It returns
// ErrMalformedHash, ErrUnsupportedHash or a *ParamsError; none of them
// quotes s.
func parsePHC(s string) (phc, error) {
	if len(s) > maxEncodedLen {
		return phc{}, ErrMalformedHash
	}
	fields := strings.Split(s, "$")
	if len(fields) < 2 || fields[0] != "" {
		return phc{}, ErrMalformedHash
	}
	if fields[1] != "argon2id" {
		return phc{}, ErrUnsupportedHash
	}
	if len(fields) != 6 {
		return phc{}, ErrMalformedHash
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		if strings.HasPrefix(fields[2], "v=") {
			return phc{}, ErrUnsupportedHash
		}
		return phc{}, ErrMalformedHash
	}
	p, err := parseParams(fields[3])
	if err != nil {
		return phc{}, err
	}
	salt, ok1 := decodeB64(fields[4])
	key, ok2 := decodeB64(fields[5])
	if !ok1 || !ok2 {
		return phc{}, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return phc{}, err
	}
	return phc{params: p, salt: salt, key: key}, nil
}

// decodeB64 decodes s, accepting only the canonical encoding (the standard
// decoder skips CR and LF, which a PHC string must not contain).
func decodeB64(s string) ([]byte, bool) {
	b, err := b64.DecodeString(s)
	if err != nil || b64.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// parseParams parses "m=<n>,t=<n>,p=<n>", exactly in that order. Values
// too large for their field give a *ParamsError.
func parseParams(s string) (Params, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Params{}, ErrMalformedHash
	}
	fields := []struct {
		prefix, name string
		max          uint64
	}{{"m=", "memory", MaxMemoryKiB}, {"t=", "time", MaxTime}, {"p=", "threads", MaxThreads}}
	var vals [3]uint64
	for i, f := range fields {
		digits, ok := strings.CutPrefix(parts[i], f.prefix)
		if !ok || !isDecimal(digits) {
			return Params{}, ErrMalformedHash
		}
		v, err := strconv.ParseUint(digits, 10, 64)
		if err != nil || v > math.MaxUint32 || i == 2 && v > math.MaxUint8 {
			return Params{}, &ParamsError{Name: f.name, Value: v, Min: 1, Max: f.max}
		}
		vals[i] = v
	}
	return Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}, nil
}

// isDecimal reports whether s is a non-empty run of ASCII digits without a
// superfluous leading zero.
func isDecimal(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
