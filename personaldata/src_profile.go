package personaldata

import (
	"context"
	"fmt"
	"slices"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// ProfileSource covers the profile record, its avatar and its community
// progress. The profile record itself, with avatar and progress, is
// deleted last by Service.Erase or account.Service.Delete, so its erasure
// methods do nothing.
func ProfileSource(store Profiles) Source {
	if store == nil {
		panic("personaldata: ProfileSource needs Profiles")
	}
	return profileSource{store}
}

type profileSource struct{ store Profiles }

func (profileSource) Name() string { return "profile" }

func (s profileSource) Collect(ctx context.Context, p Person, v *View) error {
	pr, err := s.store.Profile(ctx, p.ProfileID)
	if err != nil {
		return fmt.Errorf("reading profile: %w", err)
	}
	v.Profile = profileData(pr)
	if v.Progress, err = s.store.Progress(ctx, p.ProfileID); err != nil {
		return fmt.Errorf("reading progress: %w", err)
	}
	return nil
}

func (profileSource) EraseAccount(context.Context, string) error { return nil }
func (profileSource) EraseProfile(context.Context, string) error { return nil }

// ClearProfile empties every field of the profile, deletes its avatar and
// makes it private. The recovery email stays, since it lets the person
// regain access to the accounts that stay, and so does the community
// progress, which the person earned rather than wrote.
func (s profileSource) ClearProfile(ctx context.Context, profileID string) error {
	pr, err := s.store.Profile(ctx, profileID)
	if err != nil {
		return fmt.Errorf("reading profile: %w", err)
	}
	if !pr.Avatar.IsZero() {
		if err := s.store.DeleteAvatar(ctx, profileID); err != nil {
			return fmt.Errorf("deleting avatar: %w", err)
		}
	}
	kept := profile.Profile{ID: pr.ID, RecoveryEmail: pr.RecoveryEmail, PendingRecoveryEmail: pr.PendingRecoveryEmail,
		CreatedAt: pr.CreatedAt, UpdatedAt: pr.UpdatedAt}
	if err := s.store.UpdateProfile(ctx, kept); err != nil {
		return fmt.Errorf("clearing profile: %w", err)
	}
	return nil
}

// profileData converts a stored profile.
func profileData(p profile.Profile) ProfileData { return NewProfileData(nil, p) }

// AvatarFileName returns the name of the avatar file in a ZIP download for
// the image's content type: avatar.png, avatar.jpg, avatar.gif,
// avatar.webp, or avatar.bin for any other type.
func AvatarFileName(contentType string) string {
	switch contentType {
	case "image/png":
		return "avatar.png"
	case "image/jpeg":
		return "avatar.jpg"
	case "image/gif":
		return "avatar.gif"
	case "image/webp":
		return "avatar.webp"
	}
	return "avatar.bin"
}

// nonNil returns a copy of list, empty rather than nil so JSON shows [].
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return slices.Clone(list)
}
