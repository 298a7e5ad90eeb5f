package usersettings

import (
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
)

// companies is the company resolver of every service: the single-sign-on
// connections of the store first (their addresses enforce single
// sign-on), then the host's Options.Companies.
func companies(store Store, o Options) account.CompanyResolver {
	return sso.Companies{Store: store, Next: o.Companies}
}

// ssoKeys returns the keys that seal single-sign-on client secrets and
// verifiers: Options.SSOKeys, or the two-factor keys when it is empty.
// Each must be exactly KeySize bytes.
func ssoKeys(o Options) (KeyRing, error) {
	keys := o.SSOKeys
	if len(keys) == 0 {
		keys = o.TwoFactorKeys
	}
	for i, k := range keys {
		if len(k) != sso.KeySize {
			return nil, fmt.Errorf("usersettings: Options.SSOKeys key %d has %d bytes, want exactly %d", i+1, len(k), sso.KeySize)
		}
	}
	return keys, nil
}

// newSSO wires the single-sign-on service over the store.
func newSSO(store Store, o Options, accounts *account.Service, sessions *session.Service, log *securitylog.Log) (*sso.Service, error) {
	keys, err := ssoKeys(o)
	if err != nil {
		return nil, err
	}
	return sso.NewService(sso.Config{
		Store: store, Accounts: accounts, Sessions: sessions, Keys: keys,
		RedirectURL: o.SSORedirectURL, HTTPClient: o.SSOHTTPClient, Now: o.Now, Rand: o.Rand,
		Tx: store, SecurityLog: log,
	}), nil
}
