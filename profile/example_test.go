package profile_test

import (
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/profile"
)

func ExampleMissingForPublic() {
	p := profile.Profile{
		JobTitle: "Developer",
		Country:  "NL",
		AboutYou: "   ", // white space only counts as missing
		Skills:   []string{"Go"},
	}
	fmt.Println(profile.MissingForPublic(p))
	// Output: [avatar department about_you industry]
}

func ExampleNormalize() {
	p, err := profile.Normalize(profile.Profile{
		Country: "nl",
		Skills:  []string{" Go ", "go", "", "SQL"},
	})
	fmt.Println(p.Country, p.Skills, err)

	_, err = profile.Normalize(profile.Profile{Country: "XX", TwitterURL: "http://twitter.com/ada"})
	var verr *profile.ValidationError
	if errors.As(err, &verr) {
		fmt.Println(verr.Fields["country"], verr.Fields["twitter_url"])
	}
	// Output:
	// NL [Go SQL] <nil>
	// unknown_country not_https
}

func ExampleCheckTwitterURL() {
	fmt.Println(profile.CheckTwitterURL("https://www.X.com/ada_l/"))
	_, err := profile.CheckTwitterURL("https://twitter.com.evil.example/ada")
	fmt.Println(err)
	// Output:
	// https://www.x.com/ada_l <nil>
	// profile: invalid input: twitter_url=wrong_host
}

func ExampleFields() {
	for _, f := range profile.Fields() {
		if f.Public != "" {
			fmt.Printf("%s (%s) needs %s\n", f.Label, f.JSON, f.Public)
		}
	}
	// Output:
	// Avatar image (avatar) needs avatar
	// Job Title (job_title) needs job_title
	// Department (department) needs department
	// Country of Residence (country) needs country
	// About You (about_you) needs about_you
	// Skills (skills) needs skill
	// Industry Experience (industry_experience) needs industry
}

func ExampleTable_Lookup() {
	f, _ := profile.Fields().Lookup("about_you")
	v, reason := f.Normalize("  Hello\r\nworld  ")
	fmt.Printf("%q %q %d\n", v, reason, f.Max)
	_, reason = f.Normalize("tab\x00")
	fmt.Println(reason)
	// Output:
	// "Hello\nworld" "" 2000
	// invalid_text
}

func ExampleTable_With() {
	team := map[string]string{} // a host keeps its own field beside the profile
	table := profile.Fields().With(profile.Field{
		Name: "Team", JSON: "team", LabelKey: "profile.team", Label: "Team",
		Kind: profile.KindChoice, Allowed: []string{"core", "platform"},
		Public: "team", Merge: profile.MergePreferSignedIn,
		Access: profile.Access{
			Get: func(p profile.Profile) any { return team[p.ID] },
			Set: func(p *profile.Profile, v any) { team[p.ID] = v.(string) },
		},
	})
	team["prf_1"] = "sales"
	_, err := table.Normalize(profile.Profile{ID: "prf_1"})
	fmt.Println(err)
	fmt.Println(table.MissingForPublic(profile.Profile{ID: "prf_2", JobTitle: "Developer"}))
	// Output:
	// profile: invalid input: team=not_allowed
	// [avatar department country about_you skill industry team]
}
