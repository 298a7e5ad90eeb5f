package personaldata

import (
	"context"
	"fmt"
)

// SessionSource covers the sign-in sessions of the accounts through the
// session service (*session.Service): Collect lists which account signed
// in when and was last seen when (never the secret or its digest), in
// View.Sessions; erasure ends the sessions.
func SessionSource(sessions Sessions) Source {
	if sessions == nil {
		panic("personaldata: SessionSource needs Sessions")
	}
	return sessionSource{sessions}
}

type sessionSource struct{ svc Sessions }

func (sessionSource) Name() string { return "sessions" }

func (s sessionSource) Collect(ctx context.Context, p Person, v *View) error {
	v.Sessions = []SessionData{}
	for _, accountID := range p.AccountIDs() {
		list, err := s.svc.List(ctx, accountID)
		if err != nil {
			return fmt.Errorf("listing sessions: %w", err)
		}
		for _, ses := range list {
			v.Sessions = append(v.Sessions, SessionData{
				ID: ses.ID, AccountID: ses.AccountID, CreatedAt: ses.CreatedAt, LastSeenAt: ses.LastSeenAt,
			})
		}
	}
	return nil
}

func (s sessionSource) EraseAccount(ctx context.Context, accountID string) error {
	return s.svc.EraseAccount(ctx, accountID)
}

func (s sessionSource) EraseProfile(ctx context.Context, profileID string) error {
	return s.svc.EraseProfile(ctx, profileID)
}
