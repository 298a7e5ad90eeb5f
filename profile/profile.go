package profile

import (
	"context"
	"time"
)

// Profile is the Mendix Profile of one person. Several login accounts may
// belong to it (package account). Community progress and the avatar image
// are stored beside it and read with their own Store methods.
type Profile struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	JobTitle    string   `json:"job_title"`
	Department  string   `json:"department"`
	Country     string   `json:"country"` // ISO 3166-1 alpha-2, upper case ("NL")
	AboutYou    string   `json:"about_you"`
	Skills      []string `json:"skills"`
	Industries  []string `json:"industry_experience"`
	TwitterURL  string   `json:"twitter_url"`
	LinkedInURL string   `json:"linkedin_url"`
	// RecoveryEmail is the verified recovery email: an address, business
	// or not, that helps the person regain access (merge codes, password
	// resets). It is set only by confirming a code sent to it (see
	// Service.ConfirmRecoveryEmail) and never shown in the public view.
	RecoveryEmail string `json:"recovery_email"`
	// PendingRecoveryEmail is an address set as the recovery email whose
	// code is not confirmed yet. It is never used to regain access; empty
	// when no change waits.
	PendingRecoveryEmail string `json:"pending_recovery_email"`
	Public               bool   `json:"public"`
	// Language is the language the person reads the pages and mail in,
	// one of Languages ("en", "nl"); empty when not chosen, and front ends
	// then follow the browser. It is never shown in the public view.
	Language string `json:"language"`
	// Avatar describes the stored image; its zero value means no avatar.
	Avatar    AvatarInfo `json:"avatar"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// AvatarInfo describes a stored avatar image without its bytes.
type AvatarInfo struct {
	ContentType string `json:"content_type"` // image/png, image/jpeg, image/gif or image/webp
	Size        int    `json:"size"`         // bytes
	Width       int    `json:"width"`        // pixels
	Height      int    `json:"height"`       // pixels
	Digest      string `json:"digest"`       // hex SHA-256 of the bytes; empty means no avatar
}

// IsZero reports whether the profile has no avatar.
func (a AvatarInfo) IsZero() bool { return a.Digest == "" }

// Avatar is an avatar image with its bytes.
type Avatar struct {
	AvatarInfo
	Data []byte `json:"-"`
}

// Progress is a profile's community progress. It is combined, not
// overwritten, when two profiles merge.
type Progress struct {
	Points         int64            `json:"points"`
	Achievements   []Achievement    `json:"achievements"`
	Certifications []Certification  `json:"certifications"`
	Academy        []CourseProgress `json:"academy"`
}

// Achievement is a community achievement, identified by ID.
type Achievement struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	AwardedAt time.Time `json:"awarded_at"`
}

// Certification is a Mendix certification, identified by ID.
type Certification struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	ValidUntil time.Time `json:"valid_until"`
}

// CourseProgress is the progress of the profile in one Academy course.
type CourseProgress struct {
	CourseID  string `json:"course_id"`
	Title     string `json:"title"`
	Percent   int    `json:"percent"` // 0–100
	Completed bool   `json:"completed"`
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
	// ProfilesByRecoveryEmail returns the ids of the profiles whose
	// verified RecoveryEmail is email, compared case-insensitively
	// (ASCII), oldest first (ties broken by ID); a pending recovery email
	// never matches. None is an empty list, not an error.
	ProfilesByRecoveryEmail(ctx context.Context, email string) ([]string, error)

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
