package personaldata

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
)

// AccountSource covers the login accounts of the profile and their
// pending add-account requests. companies, when not nil, names the
// company and single-sign-on flag of each address, as in the accounts
// overview (pass the resolver given to account.Config). EraseAccount
// deletes the pending requests the account made; the account record is
// deleted last by Service.Erase or account.Service.Delete.
func AccountSource(store Accounts, companies account.CompanyResolver) Source {
	if store == nil {
		panic("personaldata: AccountSource needs Accounts")
	}
	return accountSource{store, companies}
}

type accountSource struct {
	store     Accounts
	companies account.CompanyResolver
}

func (accountSource) Name() string { return "accounts" }

func (s accountSource) Collect(ctx context.Context, p Person, v *View) error {
	v.Accounts = make([]AccountData, 0, len(p.Accounts))
	for _, a := range p.Accounts {
		d := AccountData{
			ID: a.ID, Email: a.Email, Status: string(a.Status), HasPassword: p.hasPassword[a.ID],
			PasswordChangedAt: a.PasswordChangedAt, Marketing: a.Marketing, Credits: a.Credits,
			CreatedAt: a.CreatedAt,
		}
		if s.companies != nil {
			c, ok, err := s.companies.Company(ctx, a.Email)
			if err != nil {
				return fmt.Errorf("resolving company: %w", err)
			}
			if ok {
				d.Company, d.SSO = c.Name, c.SSO
			}
		}
		v.Accounts = append(v.Accounts, d)
	}
	return nil
}

func (s accountSource) EraseAccount(ctx context.Context, accountID string) error {
	if _, err := s.store.DeletePendingRequestedBy(ctx, accountID); err != nil {
		return fmt.Errorf("deleting pending requests: %w", err)
	}
	return nil
}

func (accountSource) EraseProfile(context.Context, string) error { return nil }
