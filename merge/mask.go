package merge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// Mask hides an email address but for the first character of its local
// part and its domain: "jane@example.com" becomes "j***@example.com". An
// address without "@" becomes "***".
func Mask(address string) string {
	at := strings.LastIndexByte(address, '@')
	if at <= 0 {
		return "***"
	}
	first := []rune(address[:at])[0]
	return string(first) + "***" + address[at:]
}

// sides is what a flow step reads about both profiles: the profiles and
// their accounts, oldest first.
type sides struct {
	signedIn, other           profile.Profile
	signedInAccts, otherAccts []account.Account
}

// fingerprint is a digest of both profiles and the ids and addresses of
// their accounts. A change to any of them between verification and commit
// changes it.
func (s sides) fingerprint() string {
	ids := func(list []account.Account) []string {
		out := make([]string, len(list))
		for i, a := range list {
			out[i] = a.ID + " " + a.Email
		}
		return out
	}
	b, _ := json.Marshal(struct {
		A, B         profile.Profile
		AAccs, BAccs []string
	}{s.signedIn, s.other, ids(s.signedInAccts), ids(s.otherAccts)}) // plain values always marshal
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// candidates lists the addresses of the other profile that may receive the
// code: its accounts' login emails, oldest account first, then its
// recovery email unless it is one of those.
func candidates(other profile.Profile, accts []account.Account) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	for _, a := range accts {
		addr := strings.ToLower(a.Email)
		if seen[addr] {
			continue
		}
		seen[addr] = true
		out = append(out, Candidate{Address: addr, Masked: Mask(addr), AccountID: a.ID})
	}
	if r, err := account.NormalizeEmail(other.RecoveryEmail); err == nil && !seen[r] {
		out = append(out, Candidate{Address: r, Masked: Mask(r)})
	}
	return out
}
