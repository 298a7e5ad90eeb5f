package profile

import (
	"strings"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// Requirement names one thing a profile needs before it may be public. Its
// value is the JSON name used in API answers.
type Requirement string

// Requirements of a public profile, in the order MissingForPublic reports
// them.
const (
	NeedAvatar     Requirement = "avatar"
	NeedJobTitle   Requirement = "job_title"
	NeedDepartment Requirement = "department"
	NeedCountry    Requirement = "country"
	NeedAboutYou   Requirement = "about_you"
	NeedSkill      Requirement = "skill"
	NeedIndustry   Requirement = "industry"
)

// MissingForPublic returns what the profile still needs before it may be
// made public: an avatar, a job title, a department, a country of
// residence, something about you, at least one skill and at least one
// industry experience item, in that order. A text made only of white space
// counts as missing. It returns nil for a complete profile.
func MissingForPublic(p Profile) []Requirement { return fields.MissingForPublic(p) }

func present(s string) bool { return strings.TrimSpace(s) != "" }

func anyPresent(list []string) bool {
	for _, s := range list {
		if present(s) {
			return true
		}
	}
	return false
}

// ErrIncomplete is wrapped by every *IncompleteError.
var ErrIncomplete = errs.New(errs.Invalid, "profile_incomplete", "profile: incomplete for a public profile")

// IncompleteError is returned when a profile would be public without
// meeting every requirement. Missing lists all of them, in the order of
// MissingForPublic.
type IncompleteError struct {
	Missing []Requirement
}

// Error lists the missing requirements.
func (e *IncompleteError) Error() string {
	names := make([]string, len(e.Missing))
	for i, r := range e.Missing {
		names[i] = string(r)
	}
	return "profile: incomplete for a public profile: missing " + strings.Join(names, ", ")
}

// Unwrap returns ErrIncomplete.
func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// Details returns the missing requirements as "missing".
func (e *IncompleteError) Details() map[string]any {
	m := make([]string, len(e.Missing))
	for i, r := range e.Missing {
		m[i] = string(r)
	}
	return map[string]any{"missing": m}
}

// checkPublic returns an *IncompleteError when p is public and incomplete.
func checkPublic(p Profile) error {
	if !p.Public {
		return nil
	}
	if m := MissingForPublic(p); len(m) > 0 {
		return &IncompleteError{Missing: m}
	}
	return nil
}

// PublicProfile is what the community may see of a public profile: never
// the recovery email, the accounts or their email addresses, nor the
// Academy progress.
type PublicProfile struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	JobTitle       string          `json:"job_title"`
	Department     string          `json:"department"`
	Country        string          `json:"country"`
	AboutYou       string          `json:"about_you"`
	Skills         []string        `json:"skills"`
	Industries     []string        `json:"industry_experience"`
	TwitterURL     string          `json:"twitter_url"`
	LinkedInURL    string          `json:"linkedin_url"`
	HasAvatar      bool            `json:"has_avatar"`
	Avatar         AvatarInfo      `json:"avatar"`
	Points         int64           `json:"points"`
	Achievements   []Achievement   `json:"achievements"`
	Certifications []Certification `json:"certifications"`
}

// publicView copies what the community may see.
func publicView(p Profile, pr Progress) PublicProfile {
	return PublicProfile{
		ID:             p.ID,
		Name:           p.Name,
		JobTitle:       p.JobTitle,
		Department:     p.Department,
		Country:        p.Country,
		AboutYou:       p.AboutYou,
		Skills:         append([]string(nil), p.Skills...),
		Industries:     append([]string(nil), p.Industries...),
		TwitterURL:     p.TwitterURL,
		LinkedInURL:    p.LinkedInURL,
		HasAvatar:      !p.Avatar.IsZero(),
		Avatar:         p.Avatar,
		Points:         pr.Points,
		Achievements:   append([]Achievement(nil), pr.Achievements...),
		Certifications: append([]Certification(nil), pr.Certifications...),
	}
}
