package merge

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/profile"
)

var (
	day1 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	day2 = day1.AddDate(0, 0, 1)
)

func TestResolveSingleValuedFields(t *testing.T) {
	tests := []struct {
		name           string
		signedIn, oth  string
		wantKept       string
		wantOrigin     Origin
		wantConflict   bool
		wantDiscarded  string
		wantFieldShown bool
	}{
		{"both set, different: signed-in wins", "Ada", "Grace", "Ada", FromSignedIn, true, "Grace", true},
		{"both set, equal: no conflict", "Ada", "Ada", "Ada", FromSignedIn, false, "", true},
		{"only signed-in set", "Ada", "", "Ada", FromSignedIn, false, "", true},
		{"only other set: kept", "", "Grace", "Grace", FromOther, false, "", true},
		{"whitespace counts as empty", "  ", "Grace", "Grace", FromOther, false, "", true},
		{"neither set: not listed", "", "", "", "", false, "", false},
	}
	setters := map[string]func(*profile.Profile, string){
		"name":           func(p *profile.Profile, v string) { p.Name = v },
		"job_title":      func(p *profile.Profile, v string) { p.JobTitle = v },
		"department":     func(p *profile.Profile, v string) { p.Department = v },
		"country":        func(p *profile.Profile, v string) { p.Country = v },
		"about_you":      func(p *profile.Profile, v string) { p.AboutYou = v },
		"twitter_url":    func(p *profile.Profile, v string) { p.TwitterURL = v },
		"linkedin_url":   func(p *profile.Profile, v string) { p.LinkedInURL = v },
		"recovery_email": func(p *profile.Profile, v string) { p.RecoveryEmail = v },
		"avatar":         func(p *profile.Profile, v string) { p.Avatar = profile.AvatarInfo{Digest: v, ContentType: "image/png"} },
	}
	getters := map[string]func(profile.Profile) string{
		"name":           func(p profile.Profile) string { return p.Name },
		"job_title":      func(p profile.Profile) string { return p.JobTitle },
		"department":     func(p profile.Profile) string { return p.Department },
		"country":        func(p profile.Profile) string { return p.Country },
		"about_you":      func(p profile.Profile) string { return p.AboutYou },
		"twitter_url":    func(p profile.Profile) string { return p.TwitterURL },
		"linkedin_url":   func(p profile.Profile) string { return p.LinkedInURL },
		"recovery_email": func(p profile.Profile) string { return p.RecoveryEmail },
		"avatar":         func(p profile.Profile) string { return p.Avatar.Digest },
	}
	for field, set := range setters {
		for _, tt := range tests {
			t.Run(field+"/"+tt.name, func(t *testing.T) {
				a := Side{Profile: profile.Profile{ID: "a"}}
				b := Side{Profile: profile.Profile{ID: "b"}}
				set(&a.Profile, tt.signedIn)
				set(&b.Profile, tt.oth)
				r := Resolve(a, b)
				if got := getters[field](r.Profile); got != tt.wantKept && !(tt.wantKept == "" && got == tt.signedIn) {
					t.Errorf("merged %s = %q, want %q", field, got, tt.wantKept)
				}
				var f *Field
				for i := range r.Preview.Fields {
					if r.Preview.Fields[i].Name == field {
						f = &r.Preview.Fields[i]
					}
				}
				if (f != nil) != tt.wantFieldShown {
					t.Fatalf("field %s in preview = %v, want %v", field, f != nil, tt.wantFieldShown)
				}
				if f == nil {
					return
				}
				want := Field{Name: field, Kept: tt.wantKept, Origin: tt.wantOrigin, Discarded: tt.wantDiscarded, Conflict: tt.wantConflict}
				if diff := cmp.Diff(want, *f); diff != "" {
					t.Errorf("preview field (-want +got):\n%s", diff)
				}
				if r.Profile.ID != "a" {
					t.Errorf("merged profile id = %q, want the signed-in id", r.Profile.ID)
				}
			})
		}
	}
}

func TestResolveAvatarFromOtherKeepsItsInfo(t *testing.T) {
	b := profile.Profile{ID: "b", Avatar: profile.AvatarInfo{Digest: "d", ContentType: "image/gif", Width: 9, Height: 9, Size: 99}}
	r := Resolve(Side{Profile: profile.Profile{ID: "a"}}, Side{Profile: b})
	if r.Profile.Avatar != b.Avatar {
		t.Errorf("avatar = %+v, want the other's %+v", r.Profile.Avatar, b.Avatar)
	}
}

func TestResolveLists(t *testing.T) {
	a := profile.Profile{ID: "a", Skills: []string{"Go", "SQL"}, Industries: []string{"Banking"}}
	b := profile.Profile{ID: "b", Skills: []string{"sql", "Java", "go", "Rust"}, Industries: []string{"banking", "Retail"}}
	r := Resolve(Side{Profile: a}, Side{Profile: b})
	if diff := cmp.Diff([]string{"Go", "SQL", "Java", "Rust"}, r.Profile.Skills); diff != "" {
		t.Errorf("skills (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Banking", "Retail"}, r.Profile.Industries); diff != "" {
		t.Errorf("industries (-want +got):\n%s", diff)
	}
	if r.Preview.Combined.Skills != 4 || r.Preview.Combined.Industries != 2 {
		t.Errorf("combined counts = %+v", r.Preview.Combined)
	}
}

func TestResolvePublicFlagIsSignedIns(t *testing.T) {
	for _, tt := range []struct{ a, b, want bool }{{true, false, true}, {false, true, false}, {true, true, true}, {false, false, false}} {
		r := Resolve(Side{Profile: profile.Profile{Public: tt.a}}, Side{Profile: profile.Profile{Public: tt.b}})
		if r.Profile.Public != tt.want {
			t.Errorf("public(%v, %v) = %v, want %v", tt.a, tt.b, r.Profile.Public, tt.want)
		}
	}
}

func TestResolveProgress(t *testing.T) {
	a := profile.Progress{
		Points:         100,
		Achievements:   []profile.Achievement{{ID: "x", Name: "X", AwardedAt: day2}, {ID: "y", AwardedAt: day1}},
		Certifications: []profile.Certification{{ID: "c1", ValidUntil: day1}, {ID: "c2", ValidUntil: day2}},
		Academy: []profile.CourseProgress{
			{CourseID: "k1", Percent: 50}, {CourseID: "k2", Percent: 90},
			{CourseID: "k3", Percent: 100, Completed: true}, {CourseID: "k4", Percent: 10},
		},
	}
	b := profile.Progress{
		Points:         23,
		Achievements:   []profile.Achievement{{ID: "x", Name: "X", AwardedAt: day1}, {ID: "z", AwardedAt: day2}},
		Certifications: []profile.Certification{{ID: "c1", ValidUntil: day2}, {ID: "c2", ValidUntil: day1}, {ID: "c3", ValidUntil: day1}},
		Academy: []profile.CourseProgress{
			{CourseID: "k1", Percent: 70}, {CourseID: "k2", Percent: 100, Completed: true},
			{CourseID: "k3", Percent: 40}, {CourseID: "k5", Percent: 5},
		},
	}
	want := profile.Progress{
		Points:         123,
		Achievements:   []profile.Achievement{{ID: "x", Name: "X", AwardedAt: day1}, {ID: "y", AwardedAt: day1}, {ID: "z", AwardedAt: day2}},
		Certifications: []profile.Certification{{ID: "c1", ValidUntil: day2}, {ID: "c2", ValidUntil: day2}, {ID: "c3", ValidUntil: day1}},
		Academy: []profile.CourseProgress{
			{CourseID: "k1", Percent: 70}, {CourseID: "k2", Percent: 100, Completed: true},
			{CourseID: "k3", Percent: 100, Completed: true}, {CourseID: "k4", Percent: 10}, {CourseID: "k5", Percent: 5},
		},
	}
	r := Resolve(Side{Profile: profile.Profile{ID: "a"}, Progress: a}, Side{Profile: profile.Profile{ID: "b"}, Progress: b})
	if diff := cmp.Diff(want, r.Progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	wantCombined := Combined{Points: 123, Achievements: 3, Certifications: 3, Courses: 5}
	if diff := cmp.Diff(wantCombined, r.Preview.Combined); diff != "" {
		t.Errorf("combined (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"credits"}, r.Preview.NotMerged); diff != "" {
		t.Errorf("not merged (-want +got):\n%s", diff)
	}
}

func TestResolveDoesNotShareSlicesWithInput(t *testing.T) {
	a := profile.Profile{ID: "a", Skills: []string{"Go"}}
	r := Resolve(Side{Profile: a}, Side{Profile: profile.Profile{ID: "b", Skills: []string{"SQL"}}})
	r.Profile.Skills[0] = "changed"
	if a.Skills[0] != "Go" {
		t.Fatal("Resolve's result shares the skills slice with its input")
	}
}

func TestResolveWatchedAppsAndSettings(t *testing.T) {
	r := Resolve(Side{Profile: profile.Profile{ID: "a"}, WatchedApps: []string{"x", "y"}},
		Side{Profile: profile.Profile{ID: "b"}, WatchedApps: []string{"y", "z", "z"}})
	if r.Preview.Combined.WatchedApps != 3 {
		t.Errorf("watched apps = %d, want the union of 3", r.Preview.Combined.WatchedApps)
	}
	if diff := cmp.Diff([]string{"notification_settings"}, r.Preview.Discarded); diff != "" {
		t.Errorf("discarded (-want +got):\n%s", diff)
	}
}

// FuzzResolve checks Resolve's invariants on arbitrary field values: the
// signed-in value wins whenever it is set, a kept value always comes from
// one side, every skill of either side survives (case-insensitively),
// points add up and the public flag is the signed-in profile's.
func FuzzResolve(f *testing.F) {
	f.Add("Ada", "Grace", "Go,SQL", "sql,Rust", int64(3), int64(4), true)
	f.Add("", "Grace", "", "x", int64(0), int64(-1), false)
	f.Add(" ", "", "A,a,A", "a", int64(1<<40), int64(1), true)
	f.Fuzz(func(t *testing.T, an, bn, as, bs string, ap, bp int64, pub bool) {
		a := Side{Profile: profile.Profile{ID: "a", Name: an, Skills: strings.Split(as, ","), Public: pub}, Progress: profile.Progress{Points: ap}}
		b := Side{Profile: profile.Profile{ID: "b", Name: bn, Skills: strings.Split(bs, ",")}, Progress: profile.Progress{Points: bp}}
		r := Resolve(a, b)
		switch {
		case strings.TrimSpace(an) != "" && r.Profile.Name != an:
			t.Fatalf("name = %q, want the signed-in %q", r.Profile.Name, an)
		case r.Profile.Name != an && r.Profile.Name != bn:
			t.Fatalf("name = %q comes from neither side", r.Profile.Name)
		case r.Profile.Public != pub || r.Profile.ID != "a":
			t.Fatalf("public/id = %v/%q, want the signed-in profile's", r.Profile.Public, r.Profile.ID)
		case r.Progress.Points != ap+bp:
			t.Fatalf("points = %d, want %d", r.Progress.Points, ap+bp)
		}
		have := map[string]bool{}
		for _, s := range r.Profile.Skills {
			k := strings.ToLower(strings.TrimSpace(s))
			if have[k] {
				t.Fatalf("skill %q listed twice in %q", s, r.Profile.Skills)
			}
			have[k] = true
		}
		for _, s := range append(a.Profile.Skills, b.Profile.Skills...) {
			if k := strings.ToLower(strings.TrimSpace(s)); k != "" && !have[k] {
				t.Fatalf("skill %q lost: %q", s, r.Profile.Skills)
			}
		}
	})
}
