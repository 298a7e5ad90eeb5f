package password

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// scryptMCFVector is the scrypt paper's test vector ("pleaseletmein",
// salt "SodiumChloride", N = 2^14, r = 8, p = 1) in the $7$ form of the
// scrypt reference code and libxcrypt.
const scryptMCFVector = "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D"

// scryptPHC returns pw hashed with scrypt in the PHC form.
func scryptPHC(t testing.TB, pw string, ln, r, p int, salt []byte) string {
	t.Helper()
	key, err := scrypt.Key([]byte(pw), salt, 1<<ln, r, p, 32)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", ln, r, p,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func TestParseScryptMCFVector(t *testing.T) {
	h, err := parseScrypt(scryptMCFVector)
	if err != nil {
		t.Fatalf("parseScrypt: %v", err)
	}
	want := "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
	if h.logN != 14 || h.r != 8 || h.p != 1 || string(h.salt) != "SodiumChloride" || hex.EncodeToString(h.key) != want {
		t.Errorf("parsed ln=%d r=%d p=%d salt=%q key=%x; want 14 8 1 SodiumChloride %s", h.logN, h.r, h.p, h.salt, h.key, want)
	}
}

func TestVerifyScrypt(t *testing.T) {
	ctx := context.Background()
	h := newFastHasher(t, 1)
	salt := []byte("0123456789abcdef")
	cases := []struct {
		name, pw, encoded string
	}{
		{"MCF", "pleaseletmein", scryptMCFVector},
		{"PHC", "Correct-Horse-9", scryptPHC(t, "Correct-Horse-9", 10, 8, 1, salt)},
		{"PHCp2", "Correct-Horse-9", scryptPHC(t, "Correct-Horse-9", 8, 4, 2, salt)},
		{"PHCPasslibAlphabet", "Correct-Horse-9", strings.ReplaceAll(scryptPHC(t, "Correct-Horse-9", 10, 8, 1, []byte{0xfb, 0xef, 0xbe, 1, 2, 3, 4, 5, 6, 7, 8, 9}), "+", ".")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckHash(tc.encoded); err != nil {
				t.Errorf("CheckHash: %v", err)
			}
			ok, rehash, err := h.Verify(ctx, tc.pw, tc.encoded)
			if !ok || !rehash || err != nil {
				t.Errorf("Verify(right) = %v, %v, %v; want true, true, nil", ok, rehash, err)
			}
			ok, rehash, err = h.Verify(ctx, tc.pw+"x", tc.encoded)
			if ok || rehash || err != nil {
				t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestCheckHash(t *testing.T) {
	salt16 := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key32 := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	phc := func(params string) string { return "$scrypt$" + params + "$" + salt16 + "$" + key32 }
	bc, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bc15 := strings.Replace(string(bc), "$04$", "$15$", 1)
	argon := mustHash(t, newFastHasher(t, 1), "pw")
	cases := []struct {
		name, encoded string
		want          error
		param         string // the ParamsError's Name, when want is ErrHashParams
	}{
		{"Argon2id", argon, nil, ""},
		{"Bcrypt", string(bc), nil, ""},
		{"ScryptPHC", phc("ln=14,r=8,p=1"), nil, ""},
		{"ScryptMCF", scryptMCFVector, nil, ""},
		{"Empty", "", ErrMalformedHash, ""},
		{"Plaintext", "hunter2", ErrMalformedHash, ""},
		{"MD5Crypt", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", ErrUnsupportedHash, ""},
		{"BcryptTruncated", string(bc[:59]), ErrMalformedHash, ""},
		{"BcryptCost", bc15, ErrHashParams, "bcrypt cost"},
		{"ScryptParamOrder", phc("r=8,ln=14,p=1"), ErrMalformedHash, ""},
		{"ScryptMissingParam", phc("ln=14,r=8"), ErrMalformedHash, ""},
		{"ScryptLeadingZero", phc("ln=014,r=8,p=1"), ErrMalformedHash, ""},
		{"ScryptBadSalt", "$scrypt$ln=14,r=8,p=1$!!$" + key32, ErrMalformedHash, ""},
		{"ScryptExtraField", phc("ln=14,r=8,p=1") + "$x", ErrMalformedHash, ""},
		{"ScryptLnZero", phc("ln=0,r=8,p=1"), ErrHashParams, "scrypt ln"},
		{"ScryptLnHuge", phc("ln=21,r=8,p=1"), ErrHashParams, "scrypt ln"},
		{"ScryptLnOverflow", phc("ln=99999999999,r=8,p=1"), ErrHashParams, "scrypt ln"},
		{"ScryptRZero", phc("ln=14,r=0,p=1"), ErrHashParams, "scrypt r"},
		{"ScryptPHuge", phc("ln=14,r=8,p=17"), ErrHashParams, "scrypt p"},
		{"ScryptMemory", phc("ln=20,r=32,p=1"), ErrHashParams, "scrypt memory"},
		{"ScryptWork", phc("ln=17,r=8,p=16"), ErrHashParams, "scrypt work"},
		{"ScryptShortSalt", "$scrypt$ln=14,r=8,p=1$c2FsdA$" + key32, ErrHashParams, "salt length"},
		{"ScryptShortKey", "$scrypt$ln=14,r=8,p=1$" + salt16 + "$a2V5", ErrHashParams, "key length"},
		{"MCFShortKey", scryptMCFVector[:len(scryptMCFVector)-1], ErrMalformedHash, ""},
		{"MCFBadChar", strings.Replace(scryptMCFVector, "C6", "C!", 1), ErrMalformedHash, ""},
		{"MCFNoKey", "$7$C6..../....SodiumChloride", ErrMalformedHash, ""},
		{"MCFLnHuge", strings.Replace(scryptMCFVector, "$7$C", "$7$M", 1), ErrHashParams, "scrypt ln"},
		{"MCFRHuge", strings.Replace(scryptMCFVector, "C6....", "Cz....", 1), ErrHashParams, "scrypt r"},
		{"TooLong", "$scrypt$ln=14,r=8,p=1$" + strings.Repeat("A", 600) + "$" + key32, ErrMalformedHash, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckHash(tc.encoded)
			if tc.want == nil {
				if err != nil {
					t.Errorf("CheckHash = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("CheckHash = %v, want %v", err, tc.want)
			}
			var pe *ParamsError
			if tc.param != "" && (!errors.As(err, &pe) || pe.Name != tc.param) {
				t.Errorf("CheckHash = %v, want a ParamsError on %q", err, tc.param)
			}
			if strings.Contains(err.Error(), salt16) || strings.Contains(err.Error(), "Sodium") {
				t.Errorf("error %q quotes the hash", err)
			}
			// Verify refuses what CheckHash refuses, without hashing.
			if _, _, verr := newFastHasher(t, 1).Verify(context.Background(), "pw", tc.encoded); !errors.Is(verr, tc.want) {
				t.Errorf("Verify = %v, want %v", verr, tc.want)
			}
		})
	}
}

func FuzzParseScrypt(f *testing.F) {
	f.Add(scryptMCFVector)
	f.Add("$scrypt$ln=14,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseScrypt(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) && !errors.Is(err, ErrHashParams) {
				t.Fatalf("parseScrypt(%q) = %v, want a typed error", s, err)
			}
			return
		}
		if h.validate() != nil || 128*(1<<h.logN)*h.r > MaxMemoryKiB*1024 {
			t.Fatalf("parseScrypt(%q) accepted parameters out of bounds", s)
		}
	})
}
