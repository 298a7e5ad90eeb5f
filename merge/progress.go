package merge

import (
	"cmp"
	"slices"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// CombineProgress combines the community progress of the signed-in
// profile (a) and the other profile (b) by the rules of Resolve: points
// are added; achievements are united by ID keeping the earliest award;
// certifications by ID keeping the latest validity; Academy courses by
// course ID keeping the further progress (completed beats in progress,
// then the higher percentage). On a tie a's item is kept. Lists come out
// sorted by ID, like a Store returns them. Service.Commit saves its result
// on the surviving profile; no store applies these rules itself.
func CombineProgress(a, b profile.Progress) profile.Progress {
	return profile.Progress{
		Points: a.Points + b.Points,
		Achievements: unite(a.Achievements, b.Achievements,
			func(x profile.Achievement) string { return x.ID },
			func(x, y profile.Achievement) bool { return y.AwardedAt.Before(x.AwardedAt) }),
		Certifications: unite(a.Certifications, b.Certifications,
			func(x profile.Certification) string { return x.ID },
			func(x, y profile.Certification) bool { return y.ValidUntil.After(x.ValidUntil) }),
		Academy: unite(a.Academy, b.Academy,
			func(x profile.CourseProgress) string { return x.CourseID },
			further),
	}
}

// further reports whether course progress y is further than x: completed
// beats in progress, then the higher percentage wins.
func further(x, y profile.CourseProgress) bool {
	if x.Completed != y.Completed {
		return y.Completed
	}
	return y.Percent > x.Percent
}

// unite merges two lists keyed by key. When both hold a key, the item from
// a is kept unless better(a's, b's) says b's item wins.
func unite[T any](a, b []T, key func(T) string, better func(x, y T) bool) []T {
	byKey := make(map[string]T, len(a)+len(b))
	for _, x := range a {
		byKey[key(x)] = x
	}
	for _, y := range b {
		if x, ok := byKey[key(y)]; !ok || better(x, y) {
			byKey[key(y)] = y
		}
	}
	out := make([]T, 0, len(byKey))
	for _, v := range byKey {
		out = append(out, v)
	}
	slices.SortFunc(out, func(x, y T) int { return cmp.Compare(key(x), key(y)) })
	return out
}
