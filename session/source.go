package session

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/personaldata"
)

// ExtraKey is the key of the sessions section in personaldata.View.Extra
// (the "extra" object of personal-data.json).
const ExtraKey = "sessions"

// Data is one session in the personal data view: which account signed in
// when, never the secret or its digest.
type Data struct {
	ID         string `json:"id"`
	AccountID  string `json:"account_id"`
	CreatedAt  string `json:"created_at"`
	LastSeenAt string `json:"last_seen_at"`
}

// Source returns the personaldata.Source of sessions: Collect lists the
// sessions of the person's accounts in View.Extra["sessions"], erasure
// deletes them. Give it to personaldata.Deps.Extra when wiring the SDK.
func Source(s *Service) personaldata.Source { return source{s} }

type source struct{ s *Service }

func (source) Name() string     { return "sessions" }
func (source) Covers() []string { return []string{"sessions", "memory.sessions"} }

func (src source) Collect(ctx context.Context, p personaldata.Person, v *personaldata.View) error {
	out := []Data{}
	for _, accountID := range p.AccountIDs() {
		list, err := src.s.List(ctx, accountID)
		if err != nil {
			return err
		}
		for _, ses := range list {
			out = append(out, Data{
				ID: ses.ID, AccountID: ses.AccountID,
				CreatedAt:  ses.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
				LastSeenAt: ses.LastSeenAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
			})
		}
	}
	if len(out) == 0 {
		return nil
	}
	if v.Extra == nil {
		v.Extra = map[string]any{}
	}
	v.Extra[ExtraKey] = out
	return nil
}

func (src source) EraseAccount(ctx context.Context, accountID string) error {
	return src.s.EraseAccount(ctx, accountID)
}

func (src source) EraseProfile(ctx context.Context, profileID string) error {
	return src.s.EraseProfile(ctx, profileID)
}
