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
