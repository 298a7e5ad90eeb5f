package profile

import (
	"slices"
	"strings"
)

// Kind is the shape of a profile field's value and the rule that
// validates it. The Go type of a value (what Access.Get returns) follows
// from the kind: string for the text kinds, []string for KindList, bool
// for KindFlag and AvatarInfo for KindAvatar.
type Kind uint8

// Kinds of profile fields.
const (
	// KindLine is one line of text, trimmed, at most Field.Max code points,
	// without control or bidirectional-override characters.
	KindLine Kind = iota + 1
	// KindText is a multi-line text: KindLine that also keeps line feeds
	// and tabs.
	KindText
	// KindList is a list of KindLine items of at most Field.Max code
	// points, trimmed, de-duplicated ignoring case, at most Field.MaxItems.
	KindList
	// KindCountry is an ISO 3166-1 alpha-2 code, stored in upper case.
	KindCountry
	// KindEmail is one plain email address, its domain in lower case.
	KindEmail
	// KindURL is a URL checked and made canonical by Field.Check.
	KindURL
	// KindChoice is one of Field.Allowed, compared exactly after trimming.
	KindChoice
	// KindFlag is a yes/no setting; it has no rule.
	KindFlag
	// KindAvatar is the avatar image's description, set only through the
	// avatar methods (Service.SetAvatar); its text is the image's digest.
	KindAvatar
)

// MergeRule says how merging two profiles combines a field (package merge
// applies it).
type MergeRule uint8

// Merge rules.
const (
	// MergePreferSignedIn keeps the signed-in profile's value when it has
	// one and the other profile's otherwise; a different value of the
	// other profile is a conflict shown in the merge preview.
	MergePreferSignedIn MergeRule = iota + 1
	// MergeUnion keeps the items of both lists, de-duplicated ignoring case,
	// the signed-in profile's first.
	MergeUnion
	// MergeKeepSignedIn keeps the signed-in profile's value, set or not,
	// and does not show the field in the preview.
	MergeKeepSignedIn
)

// Access ties a field to its place in a Profile and in an Update. Values
// have the Go type of the field's Kind.
type Access struct {
	// Get returns the field's value in p.
	Get func(p Profile) any
	// Set stores v as the field's value in p.
	Set func(p *Profile, v any)
	// Change returns the value u sets and true, or false when u leaves the
	// field as it is. It is nil for a field that no Update sets.
	Change func(u Update) (any, bool)
	// Request makes u set the field to v. It is nil when Change is.
	Request func(u *Update, v any)
}

// Bind returns the Access of a field whose value of type T is at(p) in a
// Profile and *in(u) in an Update (nil for a field no Update sets).
func Bind[T any](at func(p *Profile) *T, in func(u *Update) **T) Access {
	a := Access{
		Get: func(p Profile) any { return *at(&p) },
		Set: func(p *Profile, v any) { *at(p) = v.(T) },
	}
	if in != nil {
		a.Change = func(u Update) (any, bool) {
			if v := *in(&u); v != nil {
				return *v, true
			}
			return nil, false
		}
		a.Request = func(u *Update, v any) {
			t := v.(T)
			*in(u) = &t
		}
	}
	return a
}

// Field describes one field of the profile: its names, its kind and
// validation, whether a public profile needs it, whether the community
// may see it, and how a merge combines it.
type Field struct {
	// Name is the Go name of the field in Profile (and Update): "JobTitle".
	Name string
	// JSON is its JSON name, used in API answers, ValidationError.Fields,
	// the history and the personal-data export: "job_title".
	JSON string
	// LabelKey is the key of its label in a front end's catalogue
	// ("profile.job_title"); Label is the English label.
	LabelKey, Label string

	Kind Kind
	// Max is the length limit: code points for KindLine and KindText and
	// for each item of a KindList, bytes for KindEmail and KindURL.
	Max int
	// MaxItems is the number of items a KindList may hold.
	MaxItems int
	// Allowed lists the values of a KindChoice field; empty clears it.
	Allowed []string
	// Check validates and normalises a KindURL value: it returns the
	// canonical value, or a Reason… code. An empty value is valid.
	Check func(raw string) (string, string)

	// Public is what MissingForPublic reports when the field is not set;
	// empty when a public profile does not need the field.
	Public Requirement
	// Private fields are never shown to the community.
	Private bool
	// Merge is how a merge combines the field.
	Merge MergeRule

	Access
}

// Table is a list of profile fields, in their display order. The order
// of the fields with a Public requirement is the order of
// MissingForPublic.
type Table []Field

// fields is the one table of the profile's fields.
var fields = Table{
	{Name: "Avatar", JSON: FieldAvatar, LabelKey: "profile.avatar", Label: "Avatar image",
		Kind: KindAvatar, Public: NeedAvatar, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *AvatarInfo { return &p.Avatar }, nil)},
	{Name: "Name", JSON: FieldName, LabelKey: "profile.name", Label: "Name",
		Kind: KindLine, Max: MaxTextLen, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.Name }, func(u *Update) **string { return &u.Name })},
	{Name: "JobTitle", JSON: FieldJobTitle, LabelKey: "profile.job_title", Label: "Job Title",
		Kind: KindLine, Max: MaxTextLen, Public: NeedJobTitle, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.JobTitle }, func(u *Update) **string { return &u.JobTitle })},
	{Name: "Department", JSON: FieldDepartment, LabelKey: "profile.department", Label: "Department",
		Kind: KindLine, Max: MaxTextLen, Public: NeedDepartment, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.Department }, func(u *Update) **string { return &u.Department })},
	{Name: "Country", JSON: FieldCountry, LabelKey: "profile.country", Label: "Country of Residence",
		Kind: KindCountry, Public: NeedCountry, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.Country }, func(u *Update) **string { return &u.Country })},
	{Name: "AboutYou", JSON: FieldAboutYou, LabelKey: "profile.about_you", Label: "About You",
		Kind: KindText, Max: MaxAboutYouLen, Public: NeedAboutYou, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.AboutYou }, func(u *Update) **string { return &u.AboutYou })},
	{Name: "Skills", JSON: FieldSkills, LabelKey: "profile.skills", Label: "Skills",
		Kind: KindList, Max: MaxItemLen, MaxItems: MaxListLen, Public: NeedSkill, Merge: MergeUnion,
		Access: Bind(func(p *Profile) *[]string { return &p.Skills }, func(u *Update) **[]string { return &u.Skills })},
	{Name: "Industries", JSON: FieldIndustries, LabelKey: "profile.industry_experience", Label: "Industry Experience",
		Kind: KindList, Max: MaxItemLen, MaxItems: MaxListLen, Public: NeedIndustry, Merge: MergeUnion,
		Access: Bind(func(p *Profile) *[]string { return &p.Industries }, func(u *Update) **[]string { return &u.Industries })},
	{Name: "TwitterURL", JSON: FieldTwitterURL, LabelKey: "profile.twitter_url", Label: "Twitter URL",
		Kind: KindURL, Max: MaxURLLen, Check: twitterURL, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.TwitterURL }, func(u *Update) **string { return &u.TwitterURL })},
	{Name: "LinkedInURL", JSON: FieldLinkedInURL, LabelKey: "profile.linkedin_url", Label: "LinkedIn URL",
		Kind: KindURL, Max: MaxURLLen, Check: linkedInURL, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.LinkedInURL }, func(u *Update) **string { return &u.LinkedInURL })},
	{Name: "RecoveryEmail", JSON: FieldRecoveryEmail, LabelKey: "profile.recovery_email", Label: "Recovery Email",
		Kind: KindEmail, Max: MaxEmailLen, Private: true, Merge: MergePreferSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.RecoveryEmail }, func(u *Update) **string { return &u.RecoveryEmail })},
	{Name: "PendingRecoveryEmail", JSON: FieldPendingRecoveryEmail, LabelKey: "profile.pending_recovery_email", Label: "Recovery Email (not confirmed)",
		Kind: KindEmail, Max: MaxEmailLen, Private: true, Merge: MergeKeepSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.PendingRecoveryEmail }, nil)},
	{Name: "Public", JSON: FieldPublic, LabelKey: "profile.public", Label: "Public profile",
		Kind: KindFlag, Merge: MergeKeepSignedIn,
		Access: Bind(func(p *Profile) *bool { return &p.Public }, func(u *Update) **bool { return &u.Public })},
	{Name: "Language", JSON: FieldLanguage, LabelKey: "profile.language", Label: "Language",
		Kind: KindChoice, Allowed: Languages, Private: true, Merge: MergeKeepSignedIn,
		Access: Bind(func(p *Profile) *string { return &p.Language }, func(u *Update) **string { return &u.Language })},
}

// Languages are the languages a profile may choose (Profile.Language):
// BCP 47 tags of the languages whose catalogues the SDK's mails and
// settingsd's pages hold.
var Languages = []string{"en", "nl"}

// Fields returns the table of the profile's fields, in display order: the
// one list that validation, the public-profile check, merges, the
// personal-data export and front ends follow. The result is a copy.
func Fields() Table { return slices.Clone(fields) }

// Lookup returns the field with the JSON name.
func (t Table) Lookup(json string) (Field, bool) {
	i := slices.IndexFunc(t, func(f Field) bool { return f.JSON == json })
	if i < 0 {
		return Field{}, false
	}
	return t[i], true
}

// With returns a copy of t with the fields added at the end: a host's or
// a test's own fields, which its store must then keep.
func (t Table) With(f ...Field) Table { return slices.Concat(t, f) }

// MissingForPublic returns the Public requirement of every field of t
// that is not set in p (see Field.IsSet), in table order; nil when none
// is missing.
func (t Table) MissingForPublic(p Profile) []Requirement {
	var missing []Requirement
	for _, f := range t {
		if f.Public != "" && !f.IsSet(p) {
			missing = append(missing, f.Public)
		}
	}
	return missing
}

// Normalize validates every field of t in p and returns p with each
// normalised, or p unchanged and a *ValidationError naming every bad
// field (see the package function Normalize).
func (t Table) Normalize(p Profile) (Profile, error) {
	out := t.cloneLists(p)
	verr := &ValidationError{}
	for _, f := range t {
		v, reason := f.Normalize(f.Get(p))
		verr.add(f.JSON, reason)
		f.Set(&out, v)
	}
	if err := verr.err(); err != nil {
		return p, err
	}
	return out, nil
}

// Apply returns p with the fields u sets validated, normalised and set,
// or p unchanged and a *ValidationError naming every bad field.
func (t Table) Apply(p Profile, u Update) (Profile, error) {
	out := t.cloneLists(p)
	verr := &ValidationError{}
	for _, f := range t {
		if f.Change == nil {
			continue
		}
		if v, ok := f.Change(u); ok {
			v, reason := f.Normalize(v)
			verr.add(f.JSON, reason)
			f.Set(&out, v)
		}
	}
	if err := verr.err(); err != nil {
		return p, err
	}
	return out, nil
}

// cloneLists returns p whose list fields no longer share memory with p's.
func (t Table) cloneLists(p Profile) Profile {
	for _, f := range t {
		if f.Kind == KindList {
			f.Set(&p, slices.Clone(f.Get(p).([]string)))
		}
	}
	return p
}

// Normalize validates the value v of the field and returns it normalised,
// or the zero value and a Reason… code. Values of KindFlag and KindAvatar
// are returned as they are.
func (f Field) Normalize(v any) (any, string) {
	switch f.Kind {
	case KindLine:
		return line(v.(string), f.Max)
	case KindText:
		return text(v.(string), f.Max, true)
	case KindList:
		return list(v.([]string), f.MaxItems, f.Max)
	case KindCountry:
		return country(v.(string))
	case KindEmail:
		return email(v.(string))
	case KindURL:
		return f.Check(v.(string))
	case KindChoice:
		return choice(v.(string), f.Allowed)
	}
	return v, ""
}

// IsSet reports whether the field has a value in p: a text that is not
// only white space, a list with such an item, a set flag or an avatar.
func (f Field) IsSet(p Profile) bool {
	switch v := f.Get(p).(type) {
	case string:
		return present(v)
	case []string:
		return anyPresent(v)
	case bool:
		return v
	case AvatarInfo:
		return !v.IsZero()
	}
	return false
}

// Text returns the field's value in p as one string: the text itself, the
// items of a list one per line, "true" or "" for a flag, and the digest of
// an avatar.
func (f Field) Text(p Profile) string {
	switch v := f.Get(p).(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, "\n")
	case bool:
		if v {
			return "true"
		}
		return ""
	case AvatarInfo:
		return v.Digest
	}
	return ""
}

// Zero returns the empty value of the field's kind.
func (f Field) Zero() any {
	switch f.Kind {
	case KindList:
		return []string(nil)
	case KindFlag:
		return false
	case KindAvatar:
		return AvatarInfo{}
	}
	return ""
}

// choice accepts one of the allowed values, or empty.
func choice(s string, allowed []string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" || slices.Contains(allowed, s) {
		return s, ""
	}
	return "", ReasonNotAllowed
}
