package profile

import "github.com/seed-a97ca23f/usersettings/history"

// change is one history entry to record: which field changed and how,
// never its value (list items excepted: a skill is not a secret).
type change struct {
	item   string
	action history.Action
	detail string
}

// diff lists the changes from old to p: set or cleared for each text
// field, added or removed for each skill and industry, set or cleared for
// public.
func diff(old, p Profile) []change {
	var out []change
	for _, f := range stringFields {
		before, after := *f.out(&old), *f.out(&p)
		if before == after {
			continue
		}
		out = append(out, change{item: f.name, action: setOrCleared(after != "")})
	}
	out = append(out, listDiff(FieldSkills, old.Skills, p.Skills)...)
	out = append(out, listDiff(FieldIndustries, old.Industries, p.Industries)...)
	if old.PendingRecoveryEmail != p.PendingRecoveryEmail {
		out = append(out, change{item: FieldPendingRecoveryEmail, action: setOrCleared(p.PendingRecoveryEmail != "")})
	}
	if old.Public != p.Public {
		out = append(out, change{item: FieldPublic, action: setOrCleared(p.Public)})
	}
	return out
}

func setOrCleared(set bool) history.Action {
	if set {
		return history.ActionSet
	}
	return history.ActionCleared
}

// listDiff records the removed items (in their old order), then the added
// ones (in their new order); items are compared exactly.
func listDiff(item string, old, cur []string) []change {
	var out []change
	in := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	for _, s := range old {
		if !in(cur, s) {
			out = append(out, change{item: item, action: history.ActionRemoved, detail: s})
		}
	}
	for _, s := range cur {
		if !in(old, s) {
			out = append(out, change{item: item, action: history.ActionAdded, detail: s})
		}
	}
	return out
}
