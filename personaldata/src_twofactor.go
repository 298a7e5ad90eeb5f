package personaldata

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
)

// TwoFactorSource covers the second-factor records and recovery codes of
// the accounts through the two-factor service: Collect gives each
// account's method and when it was enabled (never the TOTP secret, phone
// number or codes), and erasure deletes the records.
func TwoFactorSource(svc *twofactor.Service) Source {
	if svc == nil {
		panic("personaldata: TwoFactorSource needs a *twofactor.Service")
	}
	return twoFactorSource{svc}
}

type twoFactorSource struct{ svc *twofactor.Service }

func (twoFactorSource) Name() string { return "two_factor" }

func (twoFactorSource) Covers() []string {
	return []string{"two_factor", "two_factor_recovery_codes", "memory.twoFA"}
}

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
