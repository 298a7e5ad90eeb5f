package profile

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// complete returns a profile that meets every requirement.
func complete() Profile {
	return Profile{
		ID: "prf_1", JobTitle: "Engineer", Department: "R&D", Country: "NL",
		AboutYou: "I build apps.", Skills: []string{"Go"}, Industries: []string{"Finance"},
		Avatar: AvatarInfo{ContentType: TypePNG, Digest: "abc"},
	}
}

func TestMissingForPublic(t *testing.T) {
	all := []Requirement{NeedAvatar, NeedJobTitle, NeedDepartment, NeedCountry, NeedAboutYou, NeedSkill, NeedIndustry}
	tests := []struct {
		name   string
		change func(*Profile)
		want   []Requirement
	}{
		{"complete", func(*Profile) {}, nil},
		{"no avatar", func(p *Profile) { p.Avatar = AvatarInfo{} }, []Requirement{NeedAvatar}},
		{"no job title", func(p *Profile) { p.JobTitle = "" }, []Requirement{NeedJobTitle}},
		{"blank job title", func(p *Profile) { p.JobTitle = " \t\n" }, []Requirement{NeedJobTitle}},
		{"no department", func(p *Profile) { p.Department = "" }, []Requirement{NeedDepartment}},
		{"blank department", func(p *Profile) { p.Department = "   " }, []Requirement{NeedDepartment}},
		{"no country", func(p *Profile) { p.Country = "" }, []Requirement{NeedCountry}},
		{"no about you", func(p *Profile) { p.AboutYou = "" }, []Requirement{NeedAboutYou}},
		{"blank about you", func(p *Profile) { p.AboutYou = "\n\n" }, []Requirement{NeedAboutYou}},
		{"no skill", func(p *Profile) { p.Skills = nil }, []Requirement{NeedSkill}},
		{"only blank skills", func(p *Profile) { p.Skills = []string{"", " "} }, []Requirement{NeedSkill}},
		{"no industry", func(p *Profile) { p.Industries = []string{} }, []Requirement{NeedIndustry}},
		{"only blank industries", func(p *Profile) { p.Industries = []string{"\t"} }, []Requirement{NeedIndustry}},
		{"avatar and industry", func(p *Profile) { p.Avatar, p.Industries = AvatarInfo{}, nil },
			[]Requirement{NeedAvatar, NeedIndustry}},
		{"empty profile", func(p *Profile) { *p = Profile{ID: "prf_1"} }, all},
		{"name and links do not matter", func(p *Profile) { p.Name, p.TwitterURL, p.RecoveryEmail = "", "", "" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := complete()
			tt.change(&p)
			if d := cmp.Diff(tt.want, MissingForPublic(p)); d != "" {
				t.Errorf("MissingForPublic mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestIncompleteError(t *testing.T) {
	var err error = &IncompleteError{Missing: []Requirement{NeedAvatar, NeedSkill}}
	if !errors.Is(err, ErrIncomplete) {
		t.Errorf("errors.Is(%v, ErrIncomplete) = false", err)
	}
	if got, want := err.Error(), "profile: incomplete for a public profile: missing avatar, skill"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var ie *IncompleteError
	if !errors.As(err, &ie) || len(ie.Missing) != 2 {
		t.Errorf("errors.As: got %v", ie)
	}
}

func TestCheckPublic(t *testing.T) {
	p := complete()
	p.Skills = nil
	if err := checkPublic(p); err != nil {
		t.Errorf("private incomplete profile: got %v, want nil", err)
	}
	p.Public = true
	var ie *IncompleteError
	if err := checkPublic(p); !errors.As(err, &ie) || !cmp.Equal(ie.Missing, []Requirement{NeedSkill}) {
		t.Errorf("public incomplete profile: got %v, want missing [skill]", err)
	}
}
