package personaldata

import (
	"context"
	"slices"

	"github.com/seed-a97ca23f/usersettings/account"
)

// Source collects and erases the personal data that one package stores.
// Every Store holding a profile id, an account id or a person's address
// must be covered by a Source given to NewService; the tests of the
// adapters fail when a table is covered by none (see Covers).
//
// A Source erases what it keeps about an account or a profile, not the
// account or profile record itself: the Service (or account.Service.Delete,
// which calls the Sources as account.Erasers) deletes those last. Erasure
// methods must be idempotent and must join the transaction carried by ctx.
type Source interface {
	// Name names the source in errors ("tokens").
	Name() string
	// Covers names the tables the source collects and erases: SQL table
	// names of storage/sqlstore ("tokens") and fields of the memory
	// adapter's Store prefixed with "memory." ("memory.tokens").
	Covers() []string
	// Collect adds the person's data to v. It reads only the person's
	// own data: never a partner profile's, even one merged with it.
	Collect(ctx context.Context, p Person, v *View) error
	// EraseAccount deletes what the source keeps about the account. It
	// runs while the account still exists.
	EraseAccount(ctx context.Context, accountID string) error
	// EraseProfile deletes what the source keeps about the profile. It
	// runs after EraseAccount of every account and while the profile
	// still exists.
	EraseProfile(ctx context.Context, profileID string) error
}

// Person is whose data a Source collects: a profile and its accounts,
// oldest first. PasswordHash is always empty.
type Person struct {
	ProfileID string
	Accounts  []account.Account
	// hasPassword tells which accounts have a password hash.
	hasPassword map[string]bool
}

// AccountIDs returns the ids of the person's accounts.
func (p Person) AccountIDs() []string {
	ids := make([]string, len(p.Accounts))
	for i, a := range p.Accounts {
		ids[i] = a.ID
	}
	return ids
}

// Covers returns the sorted union of the tables the sources cover.
func Covers(sources []Source) []string {
	var out []string
	for _, s := range sources {
		out = append(out, s.Covers()...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// eraser lets a Source serve as an account.Eraser.
var _ account.Eraser = Source(nil)
