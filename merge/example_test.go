package merge_test

import (
	"fmt"

	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/profile"
)

func ExampleResolve() {
	signedIn := merge.Side{
		Profile:  profile.Profile{ID: "prf_a", Name: "Ada Lovelace", JobTitle: "Engineer", Skills: []string{"Go"}},
		Progress: profile.Progress{Points: 120},
	}
	other := merge.Side{
		Profile:  profile.Profile{ID: "prf_b", Name: "A. Lovelace", Country: "GB", Skills: []string{"go", "SQL"}},
		Progress: profile.Progress{Points: 30},
	}
	r := merge.Resolve(signedIn, other)
	for _, f := range r.Preview.Fields {
		if f.Conflict {
			fmt.Printf("%s: keep %q, discard %q\n", f.Name, f.Kept, f.Discarded)
		} else {
			fmt.Printf("%s: keep %q (from %s)\n", f.Name, f.Kept, f.Origin)
		}
	}
	fmt.Println("skills:", r.Profile.Skills)
	fmt.Println("points:", r.Preview.Combined.Points)
	fmt.Println("not merged:", r.Preview.NotMerged)
	// Output:
	// name: keep "Ada Lovelace", discard "A. Lovelace"
	// job_title: keep "Engineer" (from signed_in)
	// country: keep "GB" (from other)
	// skills: [Go SQL]
	// points: 150
	// not merged: [credits]
}
