package personaldata

import "context"

// TwoFactorSource covers the second-factor records and recovery codes of
// the accounts through the two-factor service (*twofactor.Service):
// Collect gives each account's method and when it was enabled (never the
// TOTP secret, phone number or codes), and erasure deletes the records.
func TwoFactorSource(svc TwoFactors) Source {
	if svc == nil {
		panic("personaldata: TwoFactorSource needs TwoFactors")
	}
	return twoFactorSource{svc}
}

type twoFactorSource struct{ svc TwoFactors }

func (twoFactorSource) Name() string { return "two_factor" }

func (s twoFactorSource) Collect(ctx context.Context, p Person, v *View) error {
	v.TwoFactor = make([]TwoFactorData, 0, len(p.Accounts))
	for _, a := range p.Accounts {
		m, err := s.svc.Metadata(ctx, a.ID)
		if err != nil {
			return err
		}
		v.TwoFactor = append(v.TwoFactor, TwoFactorData{AccountID: a.ID, Method: string(m.Method), EnabledAt: m.EnabledAt})
	}
	return nil
}

func (s twoFactorSource) EraseAccount(ctx context.Context, accountID string) error {
	return s.svc.EraseAccount(ctx, accountID)
}

func (s twoFactorSource) EraseProfile(ctx context.Context, profileID string) error {
	return s.svc.EraseProfile(ctx, profileID)
}
