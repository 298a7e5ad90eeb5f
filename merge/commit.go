package merge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Commit merges the other profile of a verified flow into the caller's
// profile, in one transaction. The caller must have signed in recently
// (Config.FreshFor; auth.ErrReauthenticationRequired). The transaction:
//
//   - the flow, both profiles and their accounts are read once; if either
//     profile changed
//     since Verify, or the other profile is gone, nothing happens and
//     Commit returns ErrProfileChanged;
//   - the merged fields (Resolve) are written to the signed-in profile,
//     with the other's avatar when it is the one kept;
//   - the other profile's accounts move to the signed-in profile and stay
//     active; credits stay on their accounts;
//   - community progress is read from both profiles, combined by
//     CombineProgress and saved on the signed-in profile; watched apps
//     are united and the signed-in profile's notification settings kept;
//   - the other profile's history moves to the surviving profile, which
//     gets a "merge" entry naming the account that started the merge and
//     both profile ids (never a discarded value);
//   - the other profile is deleted with the rest of its personal data, and
//     every other live flow involving it becomes obsolete;
//   - the surviving profile's security log gets a securitylog.Merged
//     event with the caller's client.
//
// In the same transaction, a merge-completed notice is queued for every
// account of the merged profile, so it goes out exactly when the merge
// commits. A merge cannot be undone: separating the profiles afterwards
// is impossible by design.
//
// Commit is idempotent: calling it again on the flow it committed, as a
// client does whose answer was lost, returns the caller's merged profile
// and changes nothing.
func (s *Service) Commit(ctx context.Context, c auth.Caller, flowID string) (profile.Profile, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return profile.Profile{}, err
	}
	var (
		merged     profile.Profile
		recipients []account.Account
	)
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		r, me, err := s.flowOf(ctx, c, flowID, StateVerified)
		if errors.Is(err, ErrFlowInvalid) && r.State == StateDone {
			// A commit sent again after it took effect, its answer lost
			// (a dropped connection, a database restart before the
			// answer was read): the merged profile again, and nothing
			// done twice.
			if merged, err = s.profiles.Profile(ctx, me.ProfileID); err != nil {
				return fmt.Errorf("merge: reading the merged profile: %w", err)
			}
			return nil
		}
		if err != nil {
			return err
		}
		sd, err := s.sides(ctx, r)
		if err != nil {
			return err
		}
		if sd.fingerprint() != r.Fingerprint {
			return ErrProfileChanged
		}
		if merged, err = s.apply(ctx, r, sd); err != nil {
			return err
		}
		ev := securitylog.FromCaller(securitylog.Merged, r.ProfileID, c)
		ev.Detail = fmt.Sprintf("profile %s merged into this profile", r.OtherProfileID)
		if err := s.seclog.Record(ctx, ev); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		recipients = append(append(recipients[:0], sd.signedInAccts...), sd.otherAccts...)
		r.State, r.Candidates = StateDone, nil
		if err := s.advance(ctx, r, StateVerified); err != nil {
			return err
		}
		return s.notice(ctx, recipients)
	})
	if err != nil {
		return profile.Profile{}, err
	}
	return merged, nil
}

// apply makes the merge's writes, in the caller's transaction, and returns
// the merged profile. Each write goes to the store that owns the data;
// the rules (Resolve, CombineProgress) run here, once.
func (s *Service) apply(ctx context.Context, r Record, sd sides) (profile.Profile, error) {
	a, b := sd.signedIn, sd.other
	pa, err := s.progress(ctx, a.ID)
	if err != nil {
		return profile.Profile{}, err
	}
	pb, err := s.progress(ctx, b.ID)
	if err != nil {
		return profile.Profile{}, err
	}
	res := Resolve(Side{Profile: a, Progress: pa}, Side{Profile: b, Progress: pb})
	m := res.Profile
	m.UpdatedAt = s.now()
	steps := []struct {
		what string
		do   func() error
	}{
		{"copying avatar", func() error { return s.copyAvatar(ctx, a, b, m) }},
		{"writing profile", func() error { return s.profiles.UpdateProfile(ctx, m) }},
		{"moving accounts", func() error { return s.accounts.MoveAccounts(ctx, b.ID, a.ID) }},
		{"combining progress", func() error { return s.saveProgress(ctx, a.ID, pb, res.Progress) }},
		{"moving watched apps", func() error { return s.notify.MoveWatchedApps(ctx, b.ID, a.ID) }},
		{"moving history", func() error { return s.history.MoveHistory(ctx, b.ID, a.ID) }},
		{"moving security log", func() error { return s.moveSecurityEvents(ctx, b.ID, a.ID) }},
		{"deleting notification settings", func() error { return s.notify.DeleteNotificationsOfProfile(ctx, b.ID) }},
		{"closing other flows", func() error { return s.obsolete(ctx, r.ID, b.ID) }},
		{"deleting profile", func() error { return s.profiles.DeleteProfile(ctx, b.ID) }},
		{"recording merge", func() error { return s.record(ctx, r, m.UpdatedAt) }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			return profile.Profile{}, fmt.Errorf("merge: %s: %w", st.what, err)
		}
	}
	return m, nil
}

// moveSecurityEvents moves the other profile's security log to the
// survivor, when the Service has the store for it.
func (s *Service) moveSecurityEvents(ctx context.Context, from, to string) error {
	if s.events == nil {
		return nil
	}
	return s.events.MoveSecurityEvents(ctx, from, to)
}

// copyAvatar copies the other profile's avatar bytes when Resolve kept
// it.
func (s *Service) copyAvatar(ctx context.Context, a, b, m profile.Profile) error {
	if m.Avatar.Digest == a.Avatar.Digest || b.Avatar.IsZero() {
		return nil
	}
	av, err := s.data.Avatar(ctx, b.ID)
	if err != nil {
		return err
	}
	return s.data.SetAvatar(ctx, a.ID, av)
}

// saveProgress saves the combined progress on the surviving profile. When
// the other profile has none, the combination is the survivor's own
// progress and nothing is written. The other profile's progress goes with
// the profile.
func (s *Service) saveProgress(ctx context.Context, profileID string, other, combined profile.Progress) error {
	if other.Points == 0 && len(other.Achievements)+len(other.Certifications)+len(other.Academy) == 0 {
		return nil
	}
	return s.data.SaveProgress(ctx, profileID, combined)
}

// obsolete closes every live flow other than flowID in which the profile
// takes part, forgetting its addresses: the profile is about to go.
func (s *Service) obsolete(ctx context.Context, flowID, profileID string) error {
	list, err := s.flows.MergeFlowsOfProfile(ctx, profileID)
	if err != nil {
		return err
	}
	for _, f := range list {
		if f.ID == flowID || !f.State.live() {
			continue
		}
		from := f.State
		f.State, f.Candidates, f.Fingerprint, f.UpdatedAt = StateObsolete, nil, "", s.now()
		if err := s.flows.UpdateMergeFlow(ctx, f, from); err != nil {
			return err
		}
	}
	return nil
}

// record appends the merge entry to the surviving profile's history.
func (s *Service) record(ctx context.Context, r Record, at time.Time) error {
	return history.Append(ctx, s.history, s.rand, history.Entry{
		ProfileID: r.ProfileID, AccountID: r.AccountID, Item: "merge", Action: history.ActionAdded,
		Detail: fmt.Sprintf("profile %s merged into profile %s; started by account %s", r.OtherProfileID, r.ProfileID, r.AccountID),
		At:     at,
	})
}

// sides reads both profiles of a flow and their accounts, once each. It
// returns ErrProfileChanged when the flow has no other profile that still
// exists, or when the account that started the flow no longer belongs to
// the flow's profile, and ErrInactive when that account is no longer
// active (both read from the accounts of the profile, not again one by
// one).
func (s *Service) sides(ctx context.Context, r Record) (sides, error) {
	var (
		sd  sides
		err error
	)
	if r.OtherProfileID == "" {
		return sd, ErrFlowInvalid
	}
	if sd.signedIn, err = s.profiles.Profile(ctx, r.ProfileID); err != nil {
		return sd, gone(ctx, "reading profile", err)
	}
	if sd.other, err = s.profiles.Profile(ctx, r.OtherProfileID); err != nil {
		return sd, gone(ctx, "reading other profile", err)
	}
	if sd.signedInAccts, err = s.accounts.AccountsOfProfile(ctx, r.ProfileID); err != nil {
		return sd, fmt.Errorf("merge: reading accounts: %w", err)
	}
	if sd.otherAccts, err = s.accounts.AccountsOfProfile(ctx, r.OtherProfileID); err != nil {
		return sd, fmt.Errorf("merge: reading other accounts: %w", err)
	}
	i := slices.IndexFunc(sd.signedInAccts, func(a account.Account) bool { return a.ID == r.AccountID })
	switch {
	case i < 0:
		return sd, ErrProfileChanged
	case sd.signedInAccts[i].Status != account.StatusActive:
		return sd, ErrInactive
	}
	return sd, nil
}

// gone maps a missing profile to ErrProfileChanged.
func gone(ctx context.Context, what string, err error) error {
	if errors.Is(err, storage.ErrNotFound) && ctx.Err() == nil {
		return ErrProfileChanged
	}
	return fmt.Errorf("merge: %s: %w", what, err)
}

// progress reads the community progress of one side.
func (s *Service) progress(ctx context.Context, profileID string) (profile.Progress, error) {
	pr, err := s.data.Progress(ctx, profileID)
	if err != nil {
		return pr, gone(ctx, "reading progress", err)
	}
	return pr, nil
}

// side reads what Resolve needs about one profile beyond its fields.
func (s *Service) side(ctx context.Context, p profile.Profile) (Side, error) {
	pr, err := s.progress(ctx, p.ID)
	if err != nil {
		return Side{}, err
	}
	apps, err := s.notify.WatchedApps(ctx, p.ID)
	if err != nil {
		return Side{}, fmt.Errorf("merge: reading watched apps: %w", err)
	}
	ids := make([]string, len(apps))
	for i, w := range apps {
		ids[i] = w.AppID
	}
	return Side{Profile: p, Progress: pr, WatchedApps: ids}, nil
}

// notice queues the merge-completed notice to each account in the
// transaction ctx carries, so it is sent exactly when the merge commits;
// an address that cannot be mailed is reported by the Notifier's policy
// and does not fail the merge.
func (s *Service) notice(ctx context.Context, accts []account.Account) error {
	to := make([]string, len(accts))
	for i, a := range accts {
		to[i] = a.Email
	}
	return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeMergeCompleted, At: s.now()}, to...)
}
