package profile

// Update is a partial change of a profile: nil fields are left as they
// are, a pointer to a zero value clears the field. Every set field is
// validated and normalised as Normalize does.
type Update struct {
	Name        *string   `json:"name,omitempty"`
	JobTitle    *string   `json:"job_title,omitempty"`
	Department  *string   `json:"department,omitempty"`
	Country     *string   `json:"country,omitempty"` // ISO 3166-1 alpha-2, any case
	AboutYou    *string   `json:"about_you,omitempty"`
	Skills      *[]string `json:"skills,omitempty"`
	Industries  *[]string `json:"industry_experience,omitempty"` // industry experience
	TwitterURL  *string   `json:"twitter_url,omitempty"`
	LinkedInURL *string   `json:"linkedin_url,omitempty"`
	// RecoveryEmail asks for a new recovery email, which stays pending
	// until its code is confirmed (Service.Update), or clears it ("").
	RecoveryEmail *string `json:"recovery_email,omitempty"`
	// Public makes the profile public (it must then be complete) or
	// private.
	Public *bool `json:"public,omitempty"`
	// Language chooses the language of the pages and mail (one of
	// Languages), or clears the choice ("").
	Language *string `json:"language,omitempty"`
}

// IsZero reports whether the update changes nothing.
func (u Update) IsZero() bool { return u == Update{} }

// applyTo returns p with the update applied, or p unchanged and a
// *ValidationError naming every bad field.
func (u Update) applyTo(p Profile) (Profile, error) { return fields.Apply(p, u) }
