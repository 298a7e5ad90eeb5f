package profile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
)

// ErrChanged means the profile changed since the version the caller read
// (UpdateIfVersion); nothing was changed.
var ErrChanged = errs.New(errs.Precondition, "precondition_failed", "profile: changed since it was read")

// Version returns a validator of the profile's content: every field but
// the creation and update times, so that two reads of one stored profile
// give the same version whatever clock precision the store keeps, and any
// change of a field (avatar included) gives another one. It is 32 hex
// digits, usable as an HTTP entity tag. Community progress is not part of
// it.
func Version(p Profile) string {
	p.CreatedAt, p.UpdatedAt = time.Time{}, time.Time{}
	if p.Skills == nil {
		p.Skills = []string{}
	}
	if p.Industries == nil {
		p.Industries = []string{}
	}
	data, err := json.Marshal(p)
	if err != nil {
		panic("profile: Version: " + err.Error()) // a Profile always marshals
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// UpdateIfVersion is Update on the condition that the stored profile's
// Version is version, checked in the same transaction as the change: two
// editors that read the same version cannot both write. It returns
// ErrChanged, changing nothing, when the profile changed meanwhile.
func (s *Service) UpdateIfVersion(ctx context.Context, c auth.Caller, version string, u Update) (Profile, error) {
	if err := s.sensitive(c, u); err != nil {
		return Profile{}, err
	}
	return s.modify(ctx, c, u, func(p Profile) error {
		if Version(p) != version {
			return ErrChanged
		}
		return nil
	})
}
