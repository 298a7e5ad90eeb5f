package profile

// Update is a partial change of a profile: nil fields are left as they
// are, a pointer to a zero value clears the field. Every set field is
// validated and normalised as Normalize does.
type Update struct {
	Name        *string
	JobTitle    *string
	Department  *string
	Country     *string // ISO 3166-1 alpha-2, any case
	AboutYou    *string
	Skills      *[]string
	Industries  *[]string // industry experience
	TwitterURL  *string
	LinkedInURL *string
	// RecoveryEmail asks for a new recovery email, which stays pending
	// until its code is confirmed (Service.Update), or clears it ("").
	RecoveryEmail *string
	// Public makes the profile public (it must then be complete) or
	// private.
	Public *bool
}

// IsZero reports whether the update changes nothing.
func (u Update) IsZero() bool { return u == Update{} }

// applyTo returns p with the update applied, or p unchanged and a
// *ValidationError naming every bad field.
func (u Update) applyTo(p Profile) (Profile, error) { return fields.Apply(p, u) }
