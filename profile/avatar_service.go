package profile

import (
	"context"
	"errors"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// SetAvatar checks the image and stores its re-encoding as the profile's
// avatar (see AvatarChecker.Check; errors are *ValidationError for
// FieldAvatar), replacing any previous one, recording "avatar set" in the
// history. The same image again changes nothing. It acts on the caller's
// own profile and returns it.
func (s *Service) SetAvatar(ctx context.Context, c auth.Caller, data []byte) (Profile, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Profile{}, err
	}
	accountID := c.AccountID
	a, err := s.avatarChecker().Check(ctx, data)
	if err != nil {
		return Profile{}, err
	}
	info := a.AvatarInfo
	var out Profile
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.store.Profile(ctx, profileID)
		if err != nil {
			return wrap(err)
		}
		if p.Avatar == info {
			out = p
			return nil
		}
		p.Avatar, p.UpdatedAt = info, s.now()
		if err := s.store.UpdateProfile(ctx, p); err != nil {
			return wrap(err)
		}
		if err := s.store.SetAvatar(ctx, profileID, a); err != nil {
			return wrap(err)
		}
		out = p
		return s.record(ctx, accountID, profileID, p.UpdatedAt,
			[]change{{item: FieldAvatar, action: history.ActionSet}})
	})
	if err != nil {
		return Profile{}, err
	}
	return out, nil
}

// avatarChecker is the AvatarChecker of the service: its own when
// Config.AvatarLimits is set, else the one the whole process shares
// (CheckAvatar).
func (s *Service) avatarChecker() *AvatarChecker {
	if s.avatars != nil {
		return s.avatars
	}
	return defaultChecker
}

// DeleteAvatar removes the profile's avatar, recording "avatar cleared".
// It is refused with an *IncompleteError when the profile is public,
// because a public profile needs an avatar: make it private first.
// Deleting a missing avatar changes nothing. It acts on the caller's own
// profile and returns it.
func (s *Service) DeleteAvatar(ctx context.Context, c auth.Caller) (Profile, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Profile{}, err
	}
	accountID := c.AccountID
	var out Profile
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.store.Profile(ctx, profileID)
		if err != nil {
			return wrap(err)
		}
		if p.Avatar.IsZero() {
			out = p
			return nil
		}
		p.Avatar, p.UpdatedAt = AvatarInfo{}, s.now()
		if err := checkPublic(p); err != nil {
			return err
		}
		if err := s.store.UpdateProfile(ctx, p); err != nil {
			return wrap(err)
		}
		if err := s.store.DeleteAvatar(ctx, profileID); err != nil {
			return wrap(err)
		}
		out = p
		return s.record(ctx, accountID, profileID, p.UpdatedAt,
			[]change{{item: FieldAvatar, action: history.ActionCleared}})
	})
	if err != nil {
		return Profile{}, err
	}
	return out, nil
}

// Avatar returns the caller's own avatar with its bytes. It returns
// ErrNotFound when there is none.
func (s *Service) Avatar(ctx context.Context, c auth.Caller) (Avatar, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Avatar{}, err
	}
	a, err := s.store.Avatar(ctx, profileID)
	return a, wrap(err)
}

// PublicAvatar returns the avatar of a public profile, for the community.
// A private profile, a missing one and a missing avatar all give
// ErrNotFound.
func (s *Service) PublicAvatar(ctx context.Context, profileID string) (Avatar, error) {
	var out Avatar
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.store.Profile(ctx, profileID)
		if err != nil {
			return wrap(err)
		}
		if !p.Public {
			return ErrNotFound
		}
		out, err = s.store.Avatar(ctx, profileID)
		return wrap(err)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return Avatar{}, ErrNotFound
	}
	return out, err
}
