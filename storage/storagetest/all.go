package storagetest

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
)

// Store is an adapter that implements every Store of the SDK: what
// usersettings.New takes. *memory.Store and *sqlstore.Store are one.
type Store interface {
	ErasureStore
	sso.Store
	passkey.Store
	ratelimit.Store
	account.LoginFailures
	account.PasswordWarnings
	token.Revocations
	storage.JobLocker
}

// TestAll runs every conformance suite of the package against an adapter
// that implements everything, in the manner of testing/fstest.TestFS: a
// host with its own database calls it once from a test of its adapter.
// newStore returns a new, empty store for each subtest. When the store
// also implements Dumper, TestErasure searches its dump as well; when it
// implements Replicated, TestLimiter checks two Limiters on its database.
//
// Each suite also runs on its own against only the roles it needs (for
// example TestTokenStore against a token.Store plus a Fixture), so a host
// that writes one Store at a time can check each as it goes.
func TestAll(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("Profile", func(t *testing.T) {
		TestProfileStore(t, func(t *testing.T) ProfileStore { return newStore(t) })
	})
	t.Run("Account", func(t *testing.T) {
		TestAccountStore(t, func(t *testing.T) AccountStore { return newStore(t) })
	})
	t.Run("Verification", func(t *testing.T) {
		TestVerificationStore(t, func(t *testing.T) VerificationStore { return newStore(t) })
	})
	t.Run("SecurityLog", func(t *testing.T) {
		TestSecurityLogStore(t, func(t *testing.T) SecurityLogStore { return newStore(t) })
	})
	t.Run("AfterCommit", func(t *testing.T) {
		TestAfterCommit(t, func(t *testing.T) storage.Transactor { return newStore(t) })
	})
	t.Run("History", func(t *testing.T) {
		TestHistoryStore(t, func(t *testing.T) HistoryStore { return newStore(t) })
	})
	t.Run("Token", func(t *testing.T) {
		TestTokenStore(t, func(t *testing.T) TokenStore { return newStore(t) })
	})
	t.Run("TwoFactor", func(t *testing.T) {
		TestTwoFactorStore(t, func(t *testing.T) TwoFactorStore { return newStore(t) })
	})
	t.Run("Passkey", func(t *testing.T) {
		TestPasskeyStore(t, func(t *testing.T) PasskeyStore { return newStore(t) })
	})
	t.Run("Notify", func(t *testing.T) {
		TestNotifyStore(t, func(t *testing.T) NotifyStore { return newStore(t) })
	})
	t.Run("Session", func(t *testing.T) {
		TestSessionStore(t, func(t *testing.T) SessionStore { return newStore(t) })
	})
	t.Run("Courier", func(t *testing.T) {
		TestCourierStore(t, func(t *testing.T) CourierStore { return newStore(t) })
	})
	t.Run("SSO", func(t *testing.T) {
		TestSSOStore(t, func(t *testing.T) SSOStore { return newStore(t) })
	})
	t.Run("Limiter", func(t *testing.T) {
		TestLimiter(t, func(t *testing.T) LimiterStore { return newStore(t) })
	})
	t.Run("LoginFailures", func(t *testing.T) {
		TestLoginFailures(t, func(t *testing.T) LoginFailuresStore { return newStore(t) })
	})
	t.Run("PasswordWarnings", func(t *testing.T) {
		TestPasswordWarnings(t, func(t *testing.T) PasswordWarningsStore { return newStore(t) })
	})
	t.Run("Revocations", func(t *testing.T) {
		TestRevocations(t, func(t *testing.T) RevocationStore { return newStore(t) })
	})
	t.Run("JobLocker", func(t *testing.T) {
		TestJobLocker(t, func(t *testing.T) storage.JobLocker { return newStore(t) })
	})
	t.Run("Merge", func(t *testing.T) {
		TestMerge(t, func(t *testing.T) MergeStore { return newStore(t) })
	})
	t.Run("PersonalData", func(t *testing.T) {
		TestPersonalData(t, func(t *testing.T) ErasureStore { return newStore(t) })
	})
	t.Run("Erasure", func(t *testing.T) {
		TestErasure(t, func(t *testing.T) ErasureStore { return newStore(t) })
	})
}
