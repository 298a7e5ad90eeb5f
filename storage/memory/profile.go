package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/profile"
)

var _ profile.Store = (*Store)(nil)

type profileTables struct {
	byID     map[string]profile.Profile
	avatars  map[string][]byte
	progress map[string]profile.Progress
}

func (p *profileTables) init() {
	p.byID = map[string]profile.Profile{}
	p.avatars = map[string][]byte{}
	p.progress = map[string]profile.Progress{}
}

func copyProfile(p profile.Profile) profile.Profile {
	p.Skills = slices.Clone(p.Skills)
	p.Industries = slices.Clone(p.Industries)
	return p
}

func copyProgress(p profile.Progress) profile.Progress {
	p.Achievements = slices.Clone(p.Achievements)
	p.Certifications = slices.Clone(p.Certifications)
	p.Academy = slices.Clone(p.Academy)
	slices.SortFunc(p.Achievements, func(a, b profile.Achievement) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(p.Certifications, func(a, b profile.Certification) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(p.Academy, func(a, b profile.CourseProgress) int { return strings.Compare(a.CourseID, b.CourseID) })
	return p
}

// CreateProfile implements profile.Store.
func (s *Store) CreateProfile(ctx context.Context, p profile.Profile) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.profiles.byID[p.ID]; ok {
			return conflict("profile id taken")
		}
		p.Avatar = profile.AvatarInfo{}
		put(t, s.profiles.byID, p.ID, copyProfile(p))
		return nil
	})
}

// Profile implements profile.Store.
func (s *Store) Profile(ctx context.Context, id string) (profile.Profile, error) {
	var p profile.Profile
	err := s.read(ctx, func() error {
		got, ok := s.profiles.byID[id]
		if !ok {
			return notFound("profile", id)
		}
		p = copyProfile(got)
		return nil
	})
	return p, err
}

// UpdateProfile implements profile.Store.
func (s *Store) UpdateProfile(ctx context.Context, p profile.Profile) error {
	return s.write(ctx, func(t *tx) error {
		old, ok := s.profiles.byID[p.ID]
		if !ok {
			return notFound("profile", p.ID)
		}
		p.Avatar, p.CreatedAt = old.Avatar, old.CreatedAt
		put(t, s.profiles.byID, p.ID, copyProfile(p))
		return nil
	})
}

// ProfilesByRecoveryEmail implements profile.Store by a scan of the
// profiles.
func (s *Store) ProfilesByRecoveryEmail(ctx context.Context, email string) ([]string, error) {
	var found []profile.Profile
	err := s.read(ctx, func() error {
		for _, p := range s.profiles.byID {
			if p.RecoveryEmail != "" && asciiEqualFold(p.RecoveryEmail, email) {
				found = append(found, p)
			}
		}
		return nil
	})
	slices.SortFunc(found, func(a, b profile.Profile) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.ID
	}
	return ids, err
}

// asciiEqualFold compares two strings ignoring the case of ASCII letters
// only, as SQL's lower() does in SQLite.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// DeleteProfile implements profile.Store.
func (s *Store) DeleteProfile(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.profiles.byID[id]; !ok {
			return notFound("profile", id)
		}
		del(t, s.profiles.byID, id)
		del(t, s.profiles.avatars, id)
		del(t, s.profiles.progress, id)
		return nil
	})
}

// SetAvatar implements profile.Store.
func (s *Store) SetAvatar(ctx context.Context, profileID string, a profile.Avatar) error {
	return s.write(ctx, func(t *tx) error {
		p, ok := s.profiles.byID[profileID]
		if !ok {
			return notFound("profile", profileID)
		}
		p.Avatar = a.AvatarInfo
		put(t, s.profiles.byID, profileID, p)
		put(t, s.profiles.avatars, profileID, slices.Clone(a.Data))
		return nil
	})
}

// DeleteAvatar implements profile.Store.
func (s *Store) DeleteAvatar(ctx context.Context, profileID string) error {
	return s.write(ctx, func(t *tx) error {
		p, ok := s.profiles.byID[profileID]
		if !ok {
			return notFound("profile", profileID)
		}
		p.Avatar = profile.AvatarInfo{}
		put(t, s.profiles.byID, profileID, p)
		del(t, s.profiles.avatars, profileID)
		return nil
	})
}

// Avatar implements profile.Store.
func (s *Store) Avatar(ctx context.Context, profileID string) (profile.Avatar, error) {
	var a profile.Avatar
	err := s.read(ctx, func() error {
		p, ok := s.profiles.byID[profileID]
		data, has := s.profiles.avatars[profileID]
		if !ok || !has {
			return notFound("avatar", profileID)
		}
		a = profile.Avatar{AvatarInfo: p.Avatar, Data: slices.Clone(data)}
		return nil
	})
	return a, err
}

// Progress implements profile.Store.
func (s *Store) Progress(ctx context.Context, profileID string) (profile.Progress, error) {
	var pr profile.Progress
	err := s.read(ctx, func() error {
		if _, ok := s.profiles.byID[profileID]; !ok {
			return notFound("profile", profileID)
		}
		pr = copyProgress(s.profiles.progress[profileID])
		return nil
	})
	return pr, err
}

// SaveProgress implements profile.Store.
func (s *Store) SaveProgress(ctx context.Context, profileID string, pr profile.Progress) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.profiles.byID[profileID]; !ok {
			return notFound("profile", profileID)
		}
		put(t, s.profiles.progress, profileID, copyProgress(pr))
		return nil
	})
}
