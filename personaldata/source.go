package personaldata

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/account"
)

// Source collects and erases one kind of personal data. Every kind the
// SDK stores has its Source in this package (see DefaultSources); a host
// adds its own through Deps.Extra. The tests of each storage adapter
// check, against the adapter's own schema, that every table or record
// kind it stores is exported and erased (see storagetest.CoverageProblems),
// so a new Store cannot be added without wiring it into a Source.
//
// A Source erases what it keeps about an account or a profile, not the
// account or profile record itself: the Service's EraseAccount and
// EraseProfile (which account.Service.Delete calls too) delete those
// last. Erasure
// methods must be idempotent and must join the transaction carried by ctx.
type Source interface {
	// Name names the source in errors ("tokens").
	Name() string
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
	// recovery is the profile's recovery addresses (verified and
	// pending), when the Service read them already.
	recovery recoveryAddress
}

// recoveryAddress is the recovery email addresses of a profile, which
// may not be known yet.
type recoveryAddress struct {
	known  bool
	emails []string
}

// AccountIDs returns the ids of the person's accounts.
func (p Person) AccountIDs() []string {
	ids := make([]string, len(p.Accounts))
	for i, a := range p.Accounts {
		ids[i] = a.ID
	}
	return ids
}

// eraser lets a Source serve as an account.Eraser.
var _ account.Eraser = Source(nil)

// A Clearer is a Source that also erases what it keeps about a profile
// whose accounts stay (Service.EraseKeepingAccounts): the profile's
// details, its history, its notification settings, its merge flows. A
// Source of what the accounts need to sign in and stay safe (the
// accounts, their credentials, sessions, second factors, security log,
// the mail sent to them, pending codes) does not implement it, and keeps
// its data until the accounts go. ClearProfile must be idempotent and
// join the transaction carried by ctx.
type Clearer interface {
	Source
	// ClearProfile deletes or resets what the source keeps about the
	// profile, leaving its accounts able to sign in.
	ClearProfile(ctx context.Context, profileID string) error
}
