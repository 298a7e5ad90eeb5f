package profile

import "slices"

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
}

// IsZero reports whether the update changes nothing.
func (u Update) IsZero() bool { return u == Update{} }

// stringField ties a text field of Update to its field of Profile and its
// rule.
type stringField struct {
	name string
	in   func(Update) *string
	out  func(*Profile) *string
	rule func(string) (string, string)
}

var stringFields = []stringField{
	{FieldName, func(u Update) *string { return u.Name }, func(p *Profile) *string { return &p.Name }, lineRule(MaxTextLen)},
	{FieldJobTitle, func(u Update) *string { return u.JobTitle }, func(p *Profile) *string { return &p.JobTitle }, lineRule(MaxTextLen)},
	{FieldDepartment, func(u Update) *string { return u.Department }, func(p *Profile) *string { return &p.Department }, lineRule(MaxTextLen)},
	{FieldCountry, func(u Update) *string { return u.Country }, func(p *Profile) *string { return &p.Country }, country},
	{FieldAboutYou, func(u Update) *string { return u.AboutYou }, func(p *Profile) *string { return &p.AboutYou }, aboutYou},
	{FieldTwitterURL, func(u Update) *string { return u.TwitterURL }, func(p *Profile) *string { return &p.TwitterURL }, twitterURL},
	{FieldLinkedInURL, func(u Update) *string { return u.LinkedInURL }, func(p *Profile) *string { return &p.LinkedInURL }, linkedInURL},
	{FieldRecoveryEmail, func(u Update) *string { return u.RecoveryEmail }, func(p *Profile) *string { return &p.RecoveryEmail }, email},
}

func lineRule(max int) func(string) (string, string) {
	return func(s string) (string, string) { return line(s, max) }
}

func aboutYou(s string) (string, string) { return text(s, MaxAboutYouLen, true) }

// applyTo returns p with the update applied, or p unchanged and a
// *ValidationError naming every bad field.
func (u Update) applyTo(p Profile) (Profile, error) {
	out := p
	out.Skills = slices.Clone(p.Skills)
	out.Industries = slices.Clone(p.Industries)
	verr := &ValidationError{}
	for _, f := range stringFields {
		if v := f.in(u); v != nil {
			s, reason := f.rule(*v)
			verr.add(f.name, reason)
			*f.out(&out) = s
		}
	}
	if u.Skills != nil {
		l, reason := list(*u.Skills)
		verr.add(FieldSkills, reason)
		out.Skills = l
	}
	if u.Industries != nil {
		l, reason := list(*u.Industries)
		verr.add(FieldIndustries, reason)
		out.Industries = l
	}
	if u.Public != nil {
		out.Public = *u.Public
	}
	if err := verr.err(); err != nil {
		return p, err
	}
	return out, nil
}
