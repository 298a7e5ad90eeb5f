package sso

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Domains is the role of the Store the company resolver needs.
type Domains interface {
	// ConnectionByDomain returns the connection that owns the domain; see
	// Store.
	ConnectionByDomain(ctx context.Context, domain string) (Record, error)
}

// Companies derives companies from connections: an address on a
// connection's domain belongs to that company, which enforces single
// sign-on, so the account service refuses password sign-in, password
// changes and resets, and "Create Account" for it. Other addresses are
// asked of Next, the host's own resolver, when it is set.
type Companies struct {
	Store Domains
	Next  account.CompanyResolver
}

// Company implements account.CompanyResolver. It reads the store on
// every call (one indexed lookup), so every replica sees a new or deleted
// connection at once.
func (c Companies) Company(ctx context.Context, email string) (account.Company, bool, error) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return account.Company{}, false, nil
	}
	r, err := c.Store.ConnectionByDomain(ctx, strings.ToLower(email[at+1:]))
	switch {
	case err == nil:
		return account.Company{Name: r.Name, SSO: true}, true, nil
	case !errors.Is(err, storage.ErrNotFound):
		return account.Company{}, false, fmt.Errorf("sso: resolving company: %w", err)
	case c.Next != nil:
		return c.Next.Company(ctx, email)
	}
	return account.Company{}, false, nil
}

var _ account.CompanyResolver = Companies{}
