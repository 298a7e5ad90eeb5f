package personaldata

import (
	"context"
	"slices"
)

// PasskeySource covers the passkeys of the accounts through the passkey
// service (*passkey.Service): Collect gives each passkey's name, dates,
// transports, backup flags and authenticator model (never its
// credential ID or public key), and erasure deletes them.
func PasskeySource(svc Passkeys) Source {
	if svc == nil {
		panic("personaldata: PasskeySource needs Passkeys")
	}
	return passkeySource{svc}
}

type passkeySource struct{ svc Passkeys }

func (passkeySource) Name() string { return "passkeys" }

func (s passkeySource) Collect(ctx context.Context, p Person, v *View) error {
	for _, a := range p.Accounts {
		keys, err := s.svc.Metadata(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, k := range keys {
			v.Passkeys = append(v.Passkeys, PasskeyData{
				ID: k.ID, AccountID: k.AccountID, Name: k.Name, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt,
				Transports: slices.Clone(k.Transports), BackupEligible: k.BackupEligible, BackupState: k.BackupState, AAGUID: k.AAGUID,
			})
		}
	}
	return nil
}

func (s passkeySource) EraseAccount(ctx context.Context, accountID string) error {
	return s.svc.EraseAccount(ctx, accountID)
}

func (s passkeySource) EraseProfile(ctx context.Context, profileID string) error {
	return s.svc.EraseProfile(ctx, profileID)
}
