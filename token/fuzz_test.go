package token

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	good := mustGenerate(f, KindToken)
	key := mustGenerate(f, KindAPIKey)
	for _, s := range []string{
		good, key, "", "mxp_", "mxk_", good[:len(good)-1], good + "0", "MXP_" + good[4:],
		"mxp_" + strings.Repeat("0", RandomLen+ChecksumLen), strings.Repeat("z", SecretLen),
		good[:20] + "\x00" + good[21:], good[:20] + "é" + good[22:],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := Parse(s)
		if !ok {
			if k != 0 {
				t.Errorf("Parse(%q) refused but returned kind %v", s, k)
			}
			return
		}
		// Anything accepted must be exactly what the generator would
		// write for its random part.
		if got := encode(k.Prefix(), s[len(TokenPrefix):len(TokenPrefix)+RandomLen]); got != s {
			t.Errorf("Parse accepted %q, which re-encodes as %q", s, got)
		}
		if !strings.HasPrefix(s, k.Prefix()) {
			t.Errorf("Parse(%q) = kind %v with another prefix", s, k)
		}
	})
}

func FuzzAuthorizationHeader(f *testing.F) {
	good := mustGenerate(f, KindToken)
	for _, s := range []string{
		"mxtoken " + good, "MXTOKEN " + good, "mxtoken  " + good, "mxtoken\t" + good, "mxtoken " + good + " ",
		"mxtoken " + good + " x", "Bearer " + good, "mxtoken", "mxtoken ", "", good, "mxtoken " + good[:30],
		"mxtoken " + strings.Repeat("a", 9000), "mxtokenx" + good, "mxtoken \x7f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cred, ok := ParseAuthorization(v)
		if !ok {
			if cred != "" {
				t.Errorf("ParseAuthorization(%q) refused but returned %q", v, cred)
			}
			return
		}
		if len(v) > MaxHeaderLen || !strings.EqualFold(v[:8], "mxtoken ") || v[8:] != cred {
			t.Errorf("ParseAuthorization(%q) = %q: not scheme, one space, credential", v, cred)
		}
		if cred == "" || strings.ContainsFunc(cred, func(r rune) bool { return r <= ' ' || r > '~' }) {
			t.Errorf("ParseAuthorization(%q) accepted credential %q with a space, control or non-ASCII character", v, cred)
		}
		// The credential then goes through Parse; only a generated token
		// may pass both.
		if k, ok := Parse(cred); ok && encode(k.Prefix(), cred[4:4+RandomLen]) != cred {
			t.Errorf("header %q passed a credential the generator did not write", v)
		}
	})
}
