package password

import (
	_ "embed"
	"strings"
	"sync"
)

// commonList is the blocklist behind [IsCommon]: the 30,000 most frequent
// passwords of leaked password sets, ranked, one per line, lower-cased and
// de-duplicated. It is the "passwords" frequency list of zxcvbn 4.4.2
// (Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc., MIT licence),
// extracted as plain data; no zxcvbn code is used.
//
//go:embed common.txt
var commonList string

// commonSet is built from commonList on first use.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	lines := strings.Split(commonList, "\n")
	set := make(map[string]struct{}, len(lines))
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			set[l] = struct{}{}
		}
	}
	return set
})

// CommonCount returns the number of passwords on the embedded blocklist.
func CommonCount() int {
	return len(commonSet())
}

// IsCommon reports whether pw is a common password, ignoring case: either pw
// itself is on the embedded blocklist, or pw is a listed password with only
// ASCII digits, ASCII punctuation and spaces added before or after it (so
// "Password123!" and "!!Dragon2024" are common). Input longer than
// [MaxBytes] is never common.
func IsCommon(pw string) bool {
	if len(pw) > MaxBytes {
		return false
	}
	set := commonSet()
	lower := strings.ToLower(pw)
	if _, ok := set[lower]; ok {
		return true
	}
	core := strings.Trim(lower, decorations)
	if core == "" || core == lower {
		return false
	}
	_, ok := set[core]
	return ok
}

// decorations are the characters people add around a common password to
// pass composition rules.
const decorations = "0123456789 " + Specials
