package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// TestAll runs every conformance suite on the memory store, with the dump
// of everything it holds for the erasure suite.
func TestAll(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestAll(t, func(t *testing.T) storagetest.Store { return dumpable{memory.New()} })
	})
}

// TestSuitesNeedOnlyTheirRoles runs each single-Store suite on an adapter
// that offers nothing but that Store, a transaction and the Fixture for
// parent rows: what a host adapter written one Store at a time has.
func TestSuitesNeedOnlyTheirRoles(t *testing.T) {
	type base struct {
		storage.Transactor
		storagetest.Fixture
	}
	newBase := func() (*memory.Store, base) { st := memory.New(); return st, base{st, st} }
	t.Run("Token", func(t *testing.T) {
		storagetest.TestTokenStore(t, func(t *testing.T) storagetest.TokenStore {
			st, b := newBase()
			return struct {
				base
				token.Store
			}{b, st}
		})
	})
	t.Run("Session", func(t *testing.T) {
		storagetest.TestSessionStore(t, func(t *testing.T) storagetest.SessionStore {
			st, b := newBase()
			return struct {
				base
				session.Store
			}{b, st}
		})
	})
	t.Run("TwoFactor", func(t *testing.T) {
		storagetest.TestTwoFactorStore(t, func(t *testing.T) storagetest.TwoFactorStore {
			st, b := newBase()
			return struct {
				base
				twofactor.Store
			}{b, st}
		})
	})
	t.Run("Notify", func(t *testing.T) {
		storagetest.TestNotifyStore(t, func(t *testing.T) storagetest.NotifyStore {
			st, b := newBase()
			return struct {
				base
				notify.Store
			}{b, st}
		})
	})
	t.Run("History", func(t *testing.T) {
		storagetest.TestHistoryStore(t, func(t *testing.T) storagetest.HistoryStore {
			st, b := newBase()
			return struct {
				base
				history.Store
			}{b, st}
		})
	})
	t.Run("Verification", func(t *testing.T) {
		storagetest.TestVerificationStore(t, func(t *testing.T) storagetest.VerificationStore {
			st := memory.New()
			return struct {
				storage.Transactor
				verification.Store
			}{st, st}
		})
	})
	t.Run("Profile", func(t *testing.T) {
		storagetest.TestProfileStore(t, func(t *testing.T) storagetest.ProfileStore {
			st := memory.New()
			return struct {
				storage.Transactor
				profile.Store
			}{st, st}
		})
	})
	t.Run("SSO", func(t *testing.T) {
		storagetest.TestSSOStore(t, func(t *testing.T) storagetest.SSOStore {
			st, b := newBase()
			return struct {
				base
				sso.Store
			}{b, st}
		})
	})
	t.Run("Account", func(t *testing.T) {
		storagetest.TestAccountStore(t, func(t *testing.T) storagetest.AccountStore {
			st, b := newBase()
			return struct {
				base
				account.Store
			}{b, st}
		})
	})
}
