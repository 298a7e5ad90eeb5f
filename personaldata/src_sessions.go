package personaldata

import (
	"context"
	"fmt"
)

// SessionSource covers the sign-in sessions of the accounts through the
// session service (*session.Service): Collect lists which account signed
// in when, how and from which client, and was last seen when (never the
// secret or its digest), in
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
		list, err := s.svc.OfAccount(ctx, accountID)
		if err != nil {
			return fmt.Errorf("listing sessions: %w", err)
		}
		for _, ses := range list {
			v.Sessions = append(v.Sessions, SessionData{
				ID: ses.ID, AccountID: ses.AccountID, Method: string(ses.Method), CreatedAt: ses.CreatedAt,
				AuthenticatedAt: ses.AuthenticatedAt, LastSeenAt: ses.LastSeenAt,
				IP: ses.IP, UserAgent: ses.UserAgent, Device: ses.Device(),
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
