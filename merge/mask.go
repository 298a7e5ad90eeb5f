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

// choices returns the two choices of a flow for the address typed: the
// address itself (the login address of accountID, or of nobody when
// accountID is empty) and the other profile's verified recovery email,
// which is recovery ("" for none: the choice then has no address). Both
// always exist and the second is always shown as RecoveryLabel, so the
// answer is the same for every address.
func choices(typed, accountID, recovery string) []Candidate {
	rec, err := account.NormalizeEmail(recovery)
	if err != nil {
		rec = ""
	}
	return []Candidate{
		{Address: typed, Masked: Mask(typed), AccountID: accountID},
		{Address: rec, Masked: RecoveryLabel},
	}
}

// standIn is the address a send to a missing recovery email is counted
// against in the send throttle: a digest of the address typed, the same
// for every flow naming it, which is no one's address and holds no
// address in clear.
func standIn(typed string) string {
	sum := sha256.Sum256([]byte("usersettings/merge/recovery-stand-in|" + strings.ToLower(typed)))
	return "merge-recovery:" + hex.EncodeToString(sum[:16])
}
