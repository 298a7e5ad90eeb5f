package verification

import (
	"crypto/hmac"
	"encoding/base32"
	"strings"
)

// A flow that a stranger can name (a password reset or a sign-in unlock
// is asked for by address alone) could be kept from its owner: five
// wrong guesses kill the mailed code, and a new one is killed the same
// way. So the mail of such a flow also carries a key, a second secret
// of the same code that cannot be guessed (128 bits). The key is
// accepted wherever the code is, for the same time and once, and
// wrong guesses of the code do not touch it; wrong keys are not
// counted, since no number of them finds one. The key is not stored:
// it is derived, under the Service's Key, from the code's random id,
// so a database dump does not give it either.

// keyBytes is the size of a key: 128 bits.
const keyBytes = 16

// KeyLen is the length of a key as mailed (base32, without padding), not
// counting the dashes that split it into groups for reading.
const KeyLen = 26

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Keyed reports whether the purpose's mails carry a key besides the
// code: those of the flows that anyone who knows an address can start
// and guess on (PurposePasswordReset, PurposeRecoveryReset and
// PurposeUnlock). The flows of the other purposes are named by ids only
// their starter holds.
func (p Purpose) Keyed() bool {
	switch p {
	case PurposePasswordReset, PurposeRecoveryReset, PurposeUnlock:
		return true
	}
	return false
}

// keyOf returns the key of the code with the id, under the Service's key
// or an old one, in mailed form: rawKey in groups of five split by
// dashes.
func keyOf(secret []byte, purpose Purpose, flowID, codeID string) string {
	raw := rawKey(secret, purpose, flowID, codeID)
	var b strings.Builder
	for i := 0; i < len(raw); i += 5 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(raw[i:min(i+5, len(raw))])
	}
	return b.String()
}

// rawKey is the key of the code with the id under secret, as parseKey
// returns a typed one: lower-case base32 of 128 bits of
// HMAC-SHA-256(secret, purpose | flow | "key" | code id).
func rawKey(secret []byte, purpose Purpose, flowID, codeID string) string {
	sum := digestUnder(secret, purpose, flowID, "key\x00"+codeID)
	return strings.ToLower(keyEncoding.EncodeToString(sum[:keyBytes]))
}

// parseKey returns the key typed or pasted as s without its dashes and
// spaces, in lower case, and whether s has the shape of a key.
func parseKey(s string) (string, bool) {
	if len(s) > 2*KeyLen {
		return "", false
	}
	k := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(k) != KeyLen {
		return "", false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return "", false
		}
	}
	return k, true
}

// keyMatches reports whether key (as parseKey returns it) is the key of
// the code under the key or an old one. Every key is tried.
func (s *Service) keyMatches(key string, c Code) bool {
	ok := hmac.Equal([]byte(rawKey(s.key, c.Purpose, c.FlowID, c.ID)), []byte(key))
	for _, k := range s.oldKeys {
		ok = hmac.Equal([]byte(rawKey(k, c.Purpose, c.FlowID, c.ID)), []byte(key)) || ok
	}
	return ok
}
