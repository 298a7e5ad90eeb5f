package merge_test

import (
	"fmt"
	"time"

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

func ExampleCombineProgress() {
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	signedIn := profile.Progress{
		Points:       120,
		Achievements: []profile.Achievement{{ID: "first-app", AwardedAt: day(9)}},
		Academy:      []profile.CourseProgress{{CourseID: "rapid", Percent: 40}},
	}
	other := profile.Progress{
		Points:       30,
		Achievements: []profile.Achievement{{ID: "first-app", AwardedAt: day(2)}, {ID: "mentor", AwardedAt: day(5)}},
		Academy:      []profile.CourseProgress{{CourseID: "rapid", Percent: 100, Completed: true}},
	}
	c := merge.CombineProgress(signedIn, other)
	fmt.Println("points:", c.Points)
	for _, a := range c.Achievements {
		fmt.Println("achievement:", a.ID, a.AwardedAt.Format(time.DateOnly))
	}
	fmt.Println("rapid completed:", c.Academy[0].Completed)
	// Output:
	// points: 150
	// achievement: first-app 2024-01-02
	// achievement: mentor 2024-01-05
	// rapid completed: true
}

func ExampleResolveWith() {
	signedIn := merge.Side{Profile: profile.Profile{ID: "prf_in", JobTitle: "Developer", Skills: []string{"Go"}}}
	other := merge.Side{Profile: profile.Profile{ID: "prf_other", JobTitle: "Architect", Country: "NL", Skills: []string{"go", "SQL"}}}
	r := merge.ResolveWith(profile.Fields(), signedIn, other)
	for _, f := range r.Preview.Fields {
		fmt.Println(f.Name, f.Kept, f.Origin, f.Conflict)
	}
	fmt.Println(r.Profile.Skills)
	// Output:
	// job_title Developer signed_in true
	// country NL other false
	// [Go SQL]
}
