package profile

import (
	"context"
	"time"
)

// Profile is the Mendix Profile of one person. Several login accounts may
// belong to it (package account). Community progress and the avatar image
// are stored beside it and read with their own Store methods.
type Profile struct {
	ID          string
	Name        string
	JobTitle    string
	Department  string
	Country     string // ISO 3166-1 alpha-2, upper case ("NL")
	AboutYou    string
	Skills      []string
	Industries  []string // industry experience
	TwitterURL  string
	LinkedInURL string
	// RecoveryEmail is an address, business or not, that helps the person
	// regain access; it is never shown in the public view.
	RecoveryEmail string
	Public        bool
	// Avatar describes the stored image; its zero value means no avatar.
	Avatar    AvatarInfo
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AvatarInfo describes a stored avatar image without its bytes.
type AvatarInfo struct {
	ContentType string // image/png, image/jpeg, image/gif or image/webp
	Size        int    // bytes
	Width       int    // pixels
	Height      int    // pixels
	Digest      string // hex SHA-256 of the bytes; empty means no avatar
}

// IsZero reports whether the profile has no avatar.
func (a AvatarInfo) IsZero() bool { return a.Digest == "" }

// Avatar is an avatar image with its bytes.
type Avatar struct {
	AvatarInfo
	Data []byte
}

// Progress is a profile's community progress. It is combined, not
// overwritten, when two profiles merge.
type Progress struct {
	Points         int64
	Achievements   []Achievement
	Certifications []Certification
	Academy        []CourseProgress
}

// Achievement is a community achievement, identified by ID.
type Achievement struct {
	ID        string
	Name      string
	AwardedAt time.Time
}

// Certification is a Mendix certification, identified by ID.
type Certification struct {
	ID         string
	Name       string
	ValidUntil time.Time
}

// CourseProgress is the progress of the profile in one Academy course.
type CourseProgress struct {
	CourseID  string
	Title     string
	Percent   int // 0–100
	Completed bool
}

// Store persists profiles. It is implemented by storage/memory,
// storage/sqlstore and any host adapter that passes
// storagetest.TestProfileStore.
type Store interface {
	// CreateProfile stores a new profile. It returns storage.ErrConflict
	// when the ID exists.
	CreateProfile(ctx context.Context, p Profile) error
	// Profile returns the profile with the ID, or storage.ErrNotFound.
	Profile(ctx context.Context, id string) (Profile, error)
	// UpdateProfile replaces every field of the stored profile with the
	// same ID except Avatar and CreatedAt. It returns storage.ErrNotFound.
	UpdateProfile(ctx context.Context, p Profile) error
	// DeleteProfile deletes the profile, its avatar and its progress. It
	// returns storage.ErrNotFound.
	DeleteProfile(ctx context.Context, id string) error

	// SetAvatar stores the avatar of the profile, replacing any previous
	// one, and sets Profile.Avatar to a.AvatarInfo. It returns
	// storage.ErrNotFound when the profile does not exist.
	SetAvatar(ctx context.Context, profileID string, a Avatar) error
	// DeleteAvatar removes the avatar; removing a missing avatar is not an
	// error. It returns storage.ErrNotFound when the profile does not exist.
	DeleteAvatar(ctx context.Context, profileID string) error
	// Avatar returns the avatar with its bytes, or storage.ErrNotFound when
	// the profile or its avatar does not exist.
	Avatar(ctx context.Context, profileID string) (Avatar, error)

	// Progress returns the community progress of the profile (zero for a
	// profile that has none), or storage.ErrNotFound when the profile does
	// not exist. Lists are ordered by ID.
	Progress(ctx context.Context, profileID string) (Progress, error)
	// SaveProgress replaces the community progress of the profile. It
	// returns storage.ErrNotFound when the profile does not exist.
	SaveProgress(ctx context.Context, profileID string, p Progress) error
}
