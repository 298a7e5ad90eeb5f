package personaldata

import (
	"context"
	"fmt"
)

// TokenSource covers personal access tokens and API keys through the
// token service (*token.Service): Collect lists their names, scopes,
// dates and last four characters (never a secret or digest), and erasure
// deletes them and drops cached API key validations. One source covers both because one
// service and one Store keep both.
func TokenSource(tokens Tokens) Source {
	if tokens == nil {
		panic("personaldata: TokenSource needs Tokens")
	}
	return tokenSource{tokens}
}

type tokenSource struct{ svc Tokens }

func (tokenSource) Name() string { return "tokens" }

func (s tokenSource) Collect(ctx context.Context, p Person, v *View) error {
	c, err := s.svc.Collect(ctx, p.AccountIDs()...)
	if err != nil {
		return err
	}
	v.Tokens = make([]TokenData, 0, len(c.Tokens))
	for _, t := range c.Tokens {
		v.Tokens = append(v.Tokens, TokenData{
			ID: t.ID, AccountID: t.AccountID, Name: t.Name, Scopes: nonNil(t.Scopes), Last4: t.Last4,
			CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt,
		})
	}
	v.APIKeys = make([]APIKeyData, 0, len(c.APIKeys))
	for _, k := range c.APIKeys {
		v.APIKeys = append(v.APIKeys, APIKeyData{
			ID: k.ID, AccountID: k.AccountID, Description: k.Description, Last4: k.Last4, CreatedAt: k.CreatedAt,
		})
	}
	return nil
}

func (s tokenSource) EraseAccount(ctx context.Context, accountID string) error {
	if err := s.svc.EraseAccount(ctx, accountID); err != nil {
		return fmt.Errorf("erasing tokens: %w", err)
	}
	return nil
}

func (s tokenSource) EraseProfile(ctx context.Context, profileID string) error {
	return s.svc.EraseProfile(ctx, profileID)
}
