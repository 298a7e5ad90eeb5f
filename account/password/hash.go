package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/seed-a97ca23f/usersettings/errs"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Errors returned by [Hasher]. None of them carries a password or a hash.
var (
	// ErrTooLong is returned by Hash for a password longer than MaxBytes.
	ErrTooLong = errs.New(errs.Internal, "password_too_long", "password: too long to hash")
	// ErrMalformedHash is returned by Verify and CheckHash for a stored
	// string that is not a well-formed PHC argon2id string, bcrypt hash
	// or scrypt hash.
	ErrMalformedHash = errs.New(errs.Internal, "malformed_hash", "password: malformed hash")
	// ErrUnsupportedHash is returned by Verify for a stored hash of an
	// algorithm or version this package does not verify.
	ErrUnsupportedHash = errs.New(errs.Internal, "unsupported_hash", "password: unsupported hash")
	// ErrHashParams is wrapped by the *ParamsError that Verify returns,
	// before any hashing, for a stored hash whose cost parameters are
	// outside the bounds below.
	ErrHashParams = errs.New(errs.Internal, "hash_params", "password: hash parameters out of bounds")
)

// Bounds on argon2id parameters, for stored hashes and for a Hasher's own
// configuration. They keep one verification from asking for gigabytes of
// memory or minutes of work because of a tampered or foreign hash.
const (
	// MaxMemoryKiB is the largest memory cost accepted: 256 MiB.
	MaxMemoryKiB = 256 * 1024
	// MaxTime is the largest number of passes accepted.
	MaxTime = 16
	// MaxThreads is the largest degree of parallelism accepted.
	MaxThreads = 16
	// MinSaltLen and MaxSaltLen bound the salt length in bytes.
	MinSaltLen = 8
	MaxSaltLen = 64
	// MinKeyLen and MaxKeyLen bound the derived key length in bytes.
	MinKeyLen = 16
	MaxKeyLen = 64
	// MaxBcryptCost bounds the cost of imported bcrypt hashes (cost 14 is
	// about a second; the maximum bcrypt allows, 31, is days).
	MaxBcryptCost = 14
)

// Params are argon2id parameters.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key in bytes.
	KeyLen uint32
}

// DefaultParams returns the OWASP recommendation for argon2id: 19 MiB of
// memory, 2 passes, 1 thread, with a 16-byte salt and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// withDefaults fills each zero field from DefaultParams.
func (p Params) withDefaults() Params {
	d := DefaultParams()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = d.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	return p
}

// validate checks p against the bounds and returns a *ParamsError naming
// the first parameter outside them.
func (p Params) validate() error {
	checks := []struct {
		name          string
		value, lo, hi uint64
	}{
		{"threads", uint64(p.Threads), 1, MaxThreads},
		{"memory", uint64(p.Memory), 8 * uint64(p.Threads), MaxMemoryKiB},
		{"time", uint64(p.Time), 1, MaxTime},
		{"salt length", uint64(p.SaltLen), MinSaltLen, MaxSaltLen},
		{"key length", uint64(p.KeyLen), MinKeyLen, MaxKeyLen},
	}
	for _, c := range checks {
		if c.value < c.lo || c.value > c.hi {
			return &ParamsError{Name: c.name, Value: c.value, Min: c.lo, Max: c.hi}
		}
	}
	return nil
}

// ParamsError reports a cost parameter outside the bounds. It wraps
// ErrHashParams, so errors.Is(err, ErrHashParams) holds.
type ParamsError struct {
	// Name is the parameter: "memory" (KiB), "time", "threads",
	// "salt length", "key length" or "bcrypt cost".
	Name string
	// Value is the parameter's value; Min and Max the allowed range.
	Value, Min, Max uint64
}

// Error names the parameter, its value and the allowed range.
func (e *ParamsError) Error() string {
	return fmt.Sprintf("password: hash parameter %s = %d not in %d..%d", e.Name, e.Value, e.Min, e.Max)
}

// Unwrap returns ErrHashParams.
func (e *ParamsError) Unwrap() error {
	return ErrHashParams
}

// HasherConfig configures [NewHasher]. Zero fields take the defaults named.
type HasherConfig struct {
	// Params are the argon2id parameters for new hashes; zero fields take
	// DefaultParams. Stored hashes with other parameters still verify, and
	// Verify asks for a rehash.
	Params Params
	// MaxConcurrent bounds how many hashes (Hash, Verify, VerifyDummy) run
	// at once, so a burst of logins cannot exhaust memory; default
	// runtime.GOMAXPROCS(0).
	MaxConcurrent int
	// Rand is the source of salts; default crypto/rand.Reader.
	Rand io.Reader
}

// Hasher hashes passwords with argon2id into PHC strings and verifies them,
// along with imported bcrypt and scrypt hashes. It is safe for concurrent use.
//
// Memory. At most MaxConcurrent hashes run at once, so hashing holds at
// most MaxMemory bytes. But each argon2id run allocates its memory afresh
// and drops it when it ends, and with the collector's default pacing
// (GOGC=100) the heap may grow to twice what was live at the last
// collection, that is, up to about twice MaxMemory during a burst of
// sign-ins. A process that must keep its heap under MaxMemory plus what
// the rest of it needs sets a soft memory limit (debug.SetMemoryLimit or
// GOMEMLIMIT) of that rest alone: the collector then starts a cycle
// before the heap passes it, and the hashes that start during the cycle,
// at most MaxConcurrent, stay within MaxMemory above it. A limit that
// includes MaxMemory is not enough, for that reason. settingsd sets
// 64 MiB by default (its -memory-limit flag).
type Hasher struct {
	params Params
	rand   io.Reader
	sem    chan struct{}
	dummy  string // the PHC string VerifyDummy verifies against
}

// NewHasher returns a Hasher for c. It panics when c.Params (after
// defaults) are outside the bounds, a programming error.
func NewHasher(c HasherConfig) *Hasher {
	p := c.Params.withDefaults()
	if err := p.validate(); err != nil {
		panic("password: NewHasher: " + err.Error())
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return &Hasher{
		params: p,
		rand:   c.Rand,
		sem:    make(chan struct{}, c.MaxConcurrent),
		dummy:  phc{params: p, salt: make([]byte, p.SaltLen), key: make([]byte, p.KeyLen)}.String(),
	}
}

// DefaultHasher returns NewHasher(HasherConfig{}): OWASP parameters,
// GOMAXPROCS concurrent hashes, crypto/rand salts.
func DefaultHasher() *Hasher {
	return NewHasher(HasherConfig{})
}

// MaxMemory returns the most memory, in bytes, that the Hasher's argon2id
// runs hold at once with its own parameters: MaxConcurrent ×
// Params().Memory KiB. Verifying a stored hash made with more memory
// (up to MaxMemoryKiB) takes that hash's memory instead.
func (h *Hasher) MaxMemory() uint64 {
	return uint64(cap(h.sem)) * uint64(h.params.Memory) * 1024
}

// Params returns the parameters the Hasher uses for new hashes.
func (h *Hasher) Params() Params {
	return h.params
}

// Hash returns the PHC string of pw with a fresh random salt, in the form
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key> (unpadded standard base64).
// It returns ErrTooLong, without hashing, for pw longer than MaxBytes, and
// the context's error if ctx ends while waiting for a hashing slot.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if len(pw) > MaxBytes {
		return "", ErrTooLong
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := io.ReadFull(h.rand, salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	key := derive(pw, salt, h.params)
	return phc{params: h.params, salt: salt, key: key}.String(), nil
}

// Verify reports whether pw matches encoded, a PHC argon2id string, a
// bcrypt hash ($2a$, $2b$, $2y$) or an scrypt hash (PHC $scrypt$ or
// modular-crypt $7$, see CheckHash), comparing in constant time. rehash is
// true when pw matches but encoded was made with other parameters, with
// bcrypt or with scrypt: the caller should then store a fresh Hash(pw).
//
// A stored hash that is malformed, of an unsupported kind, or whose
// parameters are outside the bounds gives an error and no hashing. A
// password longer than MaxBytes, or longer than 72 bytes against a bcrypt
// hash, never matches: it is not truncated. The context's error is returned
// if ctx ends while waiting for a hashing slot.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (ok, rehash bool, err error) {
	if isBcrypt(encoded) {
		return h.verifyBcrypt(ctx, pw, encoded)
	}
	if isScrypt(encoded) {
		return h.verifyScrypt(ctx, pw, encoded)
	}
	stored, err := parsePHC(encoded)
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
	key := derive(pw, stored.salt, stored.params)
	if subtle.ConstantTimeCompare(key, stored.key) != 1 {
		return false, false, nil
	}
	return true, stored.params != h.params, nil
}

// VerifyDummy runs Verify itself against a stored-form hash made with
// the Hasher's own parameters and discards the result: the same parsing,
// semaphore, derivation and comparison as a wrong password. Call it when
// the account is unknown, so that an unknown email takes as long as a
// wrong password.
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) {
	_, _, _ = h.Verify(ctx, pw, h.dummy)
}

// verifyBcrypt verifies pw against an imported bcrypt hash. A match always
// asks for a rehash into argon2id.
func (h *Hasher) verifyBcrypt(ctx context.Context, pw, encoded string) (ok, rehash bool, err error) {
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil || len(encoded) != bcryptLen {
		return false, false, ErrMalformedHash
	}
	if cost > MaxBcryptCost {
		return false, false, &ParamsError{Name: "bcrypt cost", Value: uint64(cost), Min: uint64(bcrypt.MinCost), Max: MaxBcryptCost}
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	if len(pw) > bcryptMaxBytes {
		// Spend the same work as a real comparison, so the length of the
		// password does not reveal that the account has a bcrypt hash,
		// then refuse: bcrypt would only have seen the first 72 bytes.
		_ = bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw[:bcryptMaxBytes]))
		return false, false, nil
	}
	switch err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw)); {
	case err == nil:
		return true, true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, false, nil
	default:
		return false, false, ErrMalformedHash
	}
}

// bcryptMaxBytes is the most bcrypt reads of a password.
const bcryptMaxBytes = 72

// derive runs argon2id.
func derive(pw string, salt []byte, p Params) []byte {
	return idKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// idKey is argon2.IDKey; tests wrap it to observe how many run at once.
var idKey = argon2.IDKey

// acquire waits for a hashing slot or for ctx to end.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees a hashing slot.
func (h *Hasher) release() {
	<-h.sem
}
