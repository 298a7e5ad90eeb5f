package merge

import (
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// Side is one of the two profiles of a merge, with its community progress
// and the IDs of the apps it watches.
type Side struct {
	Profile  profile.Profile
	Progress profile.Progress
	// WatchedApps are the IDs of the apps the profile watches (package
	// notify); the merged profile watches the union.
	WatchedApps []string
}

// Origin says which profile a kept value comes from.
type Origin string

// Origins of kept values.
const (
	FromSignedIn Origin = "signed_in"
	FromOther    Origin = "other"
)

// Field is the outcome of the merge for one single-valued profile field.
type Field struct {
	// Name is the field's JSON name (profile.Field.JSON) of a field
	// whose rule is profile.MergePreferSignedIn: avatar, name, job_title,
	// department, country, about_you, twitter_url, linkedin_url or
	// recovery_email.
	Name string
	// Kept is the value the merged profile will have (for the avatar, its
	// digest) and Origin where it comes from.
	Kept   string
	Origin Origin
	// Discarded is the other profile's value when both had a different
	// value (a conflict); empty otherwise.
	Discarded string
	Conflict  bool
}

// Combined says what the merged profile gains by combining both profiles'
// community progress.
type Combined struct {
	Points         int64 // the sum of both profiles' points
	Achievements   int   // distinct achievements after the merge
	Certifications int   // distinct certifications after the merge
	Courses        int   // distinct Academy courses after the merge
	Skills         int   // distinct skills after the merge
	Industries     int   // distinct industry experience items after the merge
	WatchedApps    int   // distinct watched apps after the merge
}

// Preview is what a person is shown before committing a merge.
type Preview struct {
	SignedInProfileID string
	OtherProfileID    string
	// Fields lists every single-valued field that has a value in either
	// profile, in the order of the field table (profile.Fields).
	Fields   []Field
	Combined Combined
	// NotMerged names what the merge leaves where it is. Credits are never
	// moved: they stay on the accounts where they were earned.
	NotMerged []string
	// Discarded names whole settings of the other profile that the merge
	// drops: its notification settings, as the signed-in profile's are
	// kept.
	Discarded []string
}

// Conflicts returns the fields whose other value will be discarded.
func (p Preview) Conflicts() []Field {
	var out []Field
	for _, f := range p.Fields {
		if f.Conflict {
			out = append(out, f)
		}
	}
	return out
}

// Result is the merged profile, its progress and the preview that
// describes them.
type Result struct {
	Profile  profile.Profile
	Progress profile.Progress
	Preview  Preview
}

// Resolve decides the result of merging other into signedIn, field by
// field as the profile's field table (profile.Fields) says. It is a pure
// function: no store, no clock.
//
// Single-valued fields (avatar, name, job title, department, country,
// about you, Twitter and LinkedIn URLs, recovery email: rule
// profile.MergePreferSignedIn) keep the signed-in profile's value when
// both have one, and the only value when one has it. Skills and industry
// experience (profile.MergeUnion) are the union, de-duplicated
// case-insensitively in a stable order (signed-in first). The public flag
// and a pending recovery email (profile.MergeKeepSignedIn) are the
// signed-in profile's: the union cannot make a complete profile
// incomplete. Points are added; achievements are united by ID keeping the
// earliest award; certifications by ID keeping the latest validity;
// Academy courses by course keeping the further progress (completed beats
// in progress). Watched apps are the union; notification settings are the
// signed-in profile's. Credits belong to accounts and are never moved.
func Resolve(signedIn, other Side) Result {
	return ResolveWith(profile.Fields(), signedIn, other)
}

// ResolveWith is Resolve following the field table t instead of
// profile.Fields: a host that keeps fields of its own resolves them with
// their rules. A field without a known rule panics, so that no field is
// silently resolved.
func ResolveWith(t profile.Table, signedIn, other Side) Result {
	a, b := signedIn.Profile, other.Profile
	m, fields := resolveFields(t, a, b)
	pr := CombineProgress(signedIn.Progress, other.Progress)
	return Result{
		Profile:  m,
		Progress: pr,
		Preview: Preview{
			SignedInProfileID: a.ID,
			OtherProfileID:    b.ID,
			Fields:            fields,
			Combined: Combined{
				Points:         pr.Points,
				Achievements:   len(pr.Achievements),
				Certifications: len(pr.Certifications),
				Courses:        len(pr.Academy),
				Skills:         len(m.Skills),
				Industries:     len(m.Industries),
				WatchedApps:    countUnion(signedIn.WatchedApps, other.WatchedApps),
			},
			NotMerged: []string{"credits"},
			Discarded: []string{"notification_settings"},
		},
	}
}

// resolveFields applies each field's merge rule to a (signed in) and b and
// returns the merged profile and the preview of its single-valued fields.
func resolveFields(t profile.Table, a, b profile.Profile) (profile.Profile, []Field) {
	m := a
	var out []Field
	for _, f := range t {
		switch f.Merge {
		case profile.MergeKeepSignedIn:
		case profile.MergeUnion:
			f.Set(&m, union(f.Get(a).([]string), f.Get(b).([]string)))
		case profile.MergePreferSignedIn:
			pf := choose(f.JSON, f.Text(a), f.Text(b))
			if pf.Origin == FromOther {
				f.Set(&m, f.Get(b))
			}
			if pf.Kept != "" {
				out = append(out, pf)
			}
		default:
			panic("merge: field " + f.JSON + " has no merge rule")
		}
	}
	return m, out
}

// choose applies the single-value rule: the signed-in value wins when both
// are set.
func choose(name, signedIn, other string) Field {
	switch {
	case strings.TrimSpace(signedIn) != "":
		f := Field{Name: name, Kept: signedIn, Origin: FromSignedIn}
		if strings.TrimSpace(other) != "" && other != signedIn {
			f.Discarded, f.Conflict = other, true
		}
		return f
	case strings.TrimSpace(other) != "":
		return Field{Name: name, Kept: other, Origin: FromOther}
	default:
		return Field{Name: name}
	}
}

// countUnion returns the number of distinct IDs in a and b.
func countUnion(a, b []string) int {
	seen := make(map[string]bool, len(a)+len(b))
	for _, s := range slices.Concat(a, b) {
		seen[s] = true
	}
	return len(seen)
}

// union returns a followed by the items of b not already in a, compared
// case-insensitively, keeping the first spelling.
func union(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]string, 0, len(a)+len(b))
	for _, s := range slices.Concat(a, b) {
		k := strings.ToLower(strings.TrimSpace(s))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out
}
