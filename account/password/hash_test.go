package password

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// fastParams keep tests quick; production uses DefaultParams.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1}

// newFastHasher returns a Hasher with cheap parameters.
func newFastHasher(t *testing.T, maxConcurrent int) *Hasher {
	t.Helper()
	return NewHasher(HasherConfig{Params: fastParams, MaxConcurrent: maxConcurrent})
}

// mustHash hashes pw or fails the test.
func mustHash(t *testing.T, h *Hasher, pw string) string {
	t.Helper()
	encoded, err := h.Hash(context.Background(), pw)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	return encoded
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashDefaultRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := DefaultHasher()
	const pw = "Correct-Horse-9"
	encoded := mustHash(t, h, pw)
	if !phcPattern.MatchString(encoded) {
		t.Errorf("Hash = %q, want the OWASP PHC form", encoded)
	}
	ok, rehash, err := h.Verify(ctx, pw, encoded)
	if !ok || rehash || err != nil {
		t.Errorf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	ok, rehash, err = h.Verify(ctx, pw+"x", encoded)
	if ok || rehash || err != nil {
		t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
	}
	if again := mustHash(t, h, pw); again == encoded {
		t.Errorf("two hashes of the same password are equal; want fresh salts")
	}
}

func TestHashMatchesArgon2(t *testing.T) {
	salt := bytes.Repeat([]byte{7}, 16)
	h := NewHasher(HasherConfig{Params: fastParams, Rand: bytes.NewReader(salt)})
	got := mustHash(t, h, "pässwörd 🔑")
	key := argon2.IDKey([]byte("pässwörd 🔑"), salt, 1, 64, 1, 32)
	want := "$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(salt) +
		"$" + base64.RawStdEncoding.EncodeToString(key)
	if got != want {
		t.Errorf("Hash = %q, want %q", got, want)
	}
}

func TestHashRandFailure(t *testing.T) {
	h := NewHasher(HasherConfig{Params: fastParams, Rand: bytes.NewReader(nil)})
	if _, err := h.Hash(context.Background(), "pw"); err == nil {
		t.Error("Hash with an empty Rand = nil error, want one")
	}
}

func TestHashLength(t *testing.T) {
	ctx := context.Background()
	h := newFastHasher(t, 1)
	long := strings.Repeat("é", MaxBytes/2) // exactly MaxBytes bytes
	encoded := mustHash(t, h, long)
	if ok, _, err := h.Verify(ctx, long, encoded); !ok || err != nil {
		t.Errorf("Verify(MaxBytes) = %v, %v; want true, nil", ok, err)
	}
	if _, err := h.Hash(ctx, long+"x"); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash(MaxBytes+1) error = %v, want ErrTooLong", err)
	}
	if ok, _, err := h.Verify(ctx, long+"x", encoded); ok || err != nil {
		t.Errorf("Verify(MaxBytes+1) = %v, %v; want false, nil", ok, err)
	}
}

func TestVerifyRehash(t *testing.T) {
	ctx := context.Background()
	old := newFastHasher(t, 1)
	cur := NewHasher(HasherConfig{Params: Params{Memory: 128, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}})
	encoded := mustHash(t, old, "Sw0rdfish!")
	tests := []struct {
		name       string
		h          *Hasher
		pw         string
		ok, rehash bool
	}{
		{"same params", old, "Sw0rdfish!", true, false},
		{"new params", cur, "Sw0rdfish!", true, true},
		{"new params, wrong password", cur, "sw0rdfish!", false, false},
	}
	for _, tt := range tests {
		ok, rehash, err := tt.h.Verify(ctx, tt.pw, encoded)
		if ok != tt.ok || rehash != tt.rehash || err != nil {
			t.Errorf("%s: Verify = %v, %v, %v; want %v, %v, nil", tt.name, ok, rehash, err, tt.ok, tt.rehash)
		}
	}
}

// b64s encodes n bytes of zeros.
func b64s(n int) string {
	return base64.RawStdEncoding.EncodeToString(make([]byte, n))
}

func TestVerifyBoundedParams(t *testing.T) {
	salt, key := b64s(16), b64s(32)
	tests := []struct {
		name    string
		encoded string
	}{
		{"4 GiB memory", "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key},
		{"memory beyond uint32", "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key},
		{"memory under 8 per thread", "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + key},
		{"17 passes", "$argon2id$v=19$m=64,t=17,p=1$" + salt + "$" + key},
		{"0 passes", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"17 threads", "$argon2id$v=19$m=1024,t=1,p=17$" + salt + "$" + key},
		{"256 threads", "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key},
		{"0 threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"4-byte salt", "$argon2id$v=19$m=64,t=1,p=1$" + b64s(4) + "$" + key},
		{"65-byte salt", "$argon2id$v=19$m=64,t=1,p=1$" + b64s(65) + "$" + key},
		{"8-byte key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + b64s(8)},
		{"65-byte key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + b64s(65)},
	}
	h := newFastHasher(t, 1)
	h.sem <- struct{}{} // every slot taken: hashing would wait for ctx
	defer h.release()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ok, _, err := h.Verify(ctx, "pw", tt.encoded)
			var pe *ParamsError
			if ok || !errors.Is(err, ErrHashParams) || !errors.As(err, &pe) {
				t.Errorf("Verify = %v, %v; want false, a *ParamsError wrapping ErrHashParams", ok, err)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	salt, key := b64s(16), b64s(32)
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	tests := []struct {
		name    string
		encoded string
		want    error
	}{
		{"empty", "", ErrMalformedHash},
		{"plain text", "hunter2", ErrMalformedHash},
		{"only algorithm", "$argon2id", ErrMalformedHash},
		{"missing key", "$argon2id$v=19$m=64,t=1,p=1$" + salt, ErrMalformedHash},
		{"extra field", good + "$x", ErrMalformedHash},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key, ErrMalformedHash},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, ErrUnsupportedHash},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, ErrUnsupportedHash},
		{"scrypt, short salt", "$scrypt$ln=16,r=8,p=1$aaaa$bbbb", ErrHashParams},
		{"yescrypt", "$y$j9T$salt$hash", ErrUnsupportedHash},
		{"bcrypt 2x", "$2x$10$" + strings.Repeat("a", 53), ErrUnsupportedHash},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key, ErrMalformedHash},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key, ErrMalformedHash},
		{"plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key, ErrMalformedHash},
		{"space", "$argon2id$v=19$m=64, t=1,p=1$" + salt + "$" + key, ErrMalformedHash},
		{"padded base64", good + "==", ErrMalformedHash},
		{"url base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("_", 43), ErrMalformedHash},
		{"line break in base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:20] + "\r\n" + key[20:], ErrMalformedHash},
		{"too long", good + strings.Repeat("A", maxEncodedLen), ErrMalformedHash},
		{"bcrypt garbage", "$2b$10$tooshort", ErrMalformedHash},
	}
	h := newFastHasher(t, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), "pw", tt.encoded)
			if ok || rehash || !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, %v, %v; want false, false, %v", ok, rehash, err, tt.want)
			}
		})
	}
	if ok, _, err := h.Verify(context.Background(), "pw", good); ok || err != nil {
		t.Errorf("Verify(well-formed, wrong password) = %v, %v; want false, nil", ok, err)
	}
}

func TestVerifyBcrypt(t *testing.T) {
	ctx := context.Background()
	h := newFastHasher(t, 1)
	const pw = "legacy-Pa55word"
	hashed, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		encoded := prefix + string(hashed[4:])
		ok, rehash, err := h.Verify(ctx, pw, encoded)
		if !ok || !rehash || err != nil {
			t.Errorf("Verify(%s…, right) = %v, %v, %v; want true, true, nil", prefix, ok, rehash, err)
		}
		ok, rehash, err = h.Verify(ctx, "legacy-pa55word", encoded)
		if ok || rehash || err != nil {
			t.Errorf("Verify(%s…, wrong) = %v, %v, %v; want false, false, nil", prefix, ok, rehash, err)
		}
	}
}

func TestVerifyBcrypt72Bytes(t *testing.T) {
	ctx := context.Background()
	h := newFastHasher(t, 1)
	pw72 := strings.Repeat("k", 72)
	hashed, err := bcrypt.GenerateFromPassword([]byte(pw72), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(ctx, pw72, string(hashed)); !ok || err != nil {
		t.Errorf("Verify(72 bytes) = %v, %v; want true, nil", ok, err)
	}
	// bcrypt itself would accept this by reading only the first 72 bytes.
	if ok, rehash, err := h.Verify(ctx, pw72+"extra", string(hashed)); ok || rehash || err != nil {
		t.Errorf("Verify(77 bytes, same prefix) = %v, %v, %v; want false, false, nil", ok, rehash, err)
	}
}

func TestVerifyBcryptCostBound(t *testing.T) {
	hashed, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	encoded := strings.Replace(string(hashed), "$04$", "$31$", 1)
	h := newFastHasher(t, 1)
	h.sem <- struct{}{} // bcrypt at cost 31 would take days; it must not start
	defer h.release()
	ok, _, err := h.Verify(context.Background(), "pw", encoded)
	if ok || !errors.Is(err, ErrHashParams) {
		t.Errorf("Verify(cost 31) = %v, %v; want false, ErrHashParams", ok, err)
	}
}

func TestErrorsHideSecrets(t *testing.T) {
	const pw = "Sup3r-Secret-Pw!"
	h := newFastHasher(t, 1)
	encoded := mustHash(t, h, pw)
	parts := strings.Split(encoded, "$")
	salt, key := parts[4], parts[5]
	inputs := []string{
		strings.Replace(encoded, "m=64", "m=4194304", 1),
		strings.Replace(encoded, "v=19", "v=16", 1),
		encoded + "$",
		strings.Replace(encoded, "p=1", "p=x", 1),
	}
	for _, in := range inputs {
		_, _, err := h.Verify(context.Background(), pw, in)
		if err == nil {
			t.Fatalf("Verify(tampered) = nil error, want one")
		}
		for _, secret := range []string{pw, salt, key, in} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q reveals a secret", err)
			}
		}
	}
	_, err := h.Hash(context.Background(), strings.Repeat(pw, 100))
	if err == nil || strings.Contains(err.Error(), pw) {
		t.Errorf("Hash(too long) error = %v, want one without the password", err)
	}
}

func TestNewHasherPanicsOnBadParams(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHasher with 1 GiB memory did not panic")
		}
	}()
	NewHasher(HasherConfig{Params: Params{Memory: 1 << 20}})
}

func TestHasherDefaults(t *testing.T) {
	h := NewHasher(HasherConfig{Params: Params{Time: 3}})
	want := DefaultParams()
	want.Time = 3
	if got := h.Params(); got != want {
		t.Errorf("Params() = %+v, want %+v", got, want)
	}
	if cap(h.sem) < 1 {
		t.Errorf("MaxConcurrent default = %d, want GOMAXPROCS", cap(h.sem))
	}
	h = NewHasher(HasherConfig{MaxConcurrent: 3})
	if got, want := h.MaxMemory(), uint64(3*19456*1024); got != want {
		t.Errorf("MaxMemory() = %d, want 3 slots × 19456 KiB = %d", got, want)
	}
}

func TestHasherWaitsAndHonoursContext(t *testing.T) {
	h := newFastHasher(t, 1)
	encoded := mustHash(t, h, "pw")
	h.sem <- struct{}{} // the only slot is busy

	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 3)
	go func() { _, err := h.Hash(ctx, "pw"); errs <- err }()
	go func() { _, _, err := h.Verify(ctx, "pw", encoded); errs <- err }()
	go func() { h.VerifyDummy(ctx, "pw"); errs <- ctx.Err() }()
	select {
	case err := <-errs:
		t.Fatalf("a call finished while every slot was busy: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	cancel()
	for range 3 {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Errorf("waiting call error = %v, want context.Canceled", err)
		}
	}

	h.release()
	done := make(chan error, 1)
	go func() { _, err := h.Hash(context.Background(), "pw"); done <- err }()
	if err := <-done; err != nil {
		t.Errorf("Hash after release = %v, want nil", err)
	}
}

func TestHasherBoundsConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int32
	orig := idKey
	idKey = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer inFlight.Add(-1)
		return orig(pw, salt, time, memory, threads, keyLen)
	}
	defer func() { idKey = orig }()

	const limit = 2
	h := newFastHasher(t, limit)
	encoded := mustHash(t, h, "pw")
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			switch i % 3 {
			case 0:
				_, _ = h.Hash(context.Background(), "pw")
			case 1:
				_, _, _ = h.Verify(context.Background(), "pw", encoded)
			default:
				h.VerifyDummy(context.Background(), "pw")
			}
		})
	}
	wg.Wait()
	if got := peak.Load(); got > limit || got < 1 {
		t.Errorf("peak concurrent hashes = %d, want 1..%d", got, limit)
	}
}

func TestVerifyDummyDoesTheWork(t *testing.T) {
	var calls atomic.Int32
	var gotParams Params
	orig := idKey
	idKey = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		calls.Add(1)
		gotParams = Params{Memory: memory, Time: time, Threads: threads, SaltLen: uint32(len(salt)), KeyLen: keyLen}
		return orig(pw, salt, time, memory, threads, keyLen)
	}
	defer func() { idKey = orig }()

	h := newFastHasher(t, 1)
	h.VerifyDummy(context.Background(), "whatever")
	if calls.Load() != 1 || gotParams != h.Params() {
		t.Errorf("VerifyDummy ran argon2 %d times with %+v; want once with %+v", calls.Load(), gotParams, h.Params())
	}
}
