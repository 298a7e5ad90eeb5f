package profile

import "github.com/seed-a97ca23f/usersettings/history"

// change is one history entry to record: which field changed and how,
// never its value (list items excepted: a skill is not a secret).
type change struct {
	item   string
	action history.Action
	detail string
}

// diff lists the changes from old to p, field by field in table order:
// set or cleared for a text or a flag, added or removed for each list
// item. The avatar is recorded by its own methods.
func diff(old, p Profile) []change {
	var out []change
	for _, f := range fields {
		switch f.Kind {
		case KindAvatar:
		case KindList:
			out = append(out, listDiff(f.JSON, f.Get(old).([]string), f.Get(p).([]string))...)
		default:
			if f.Text(old) != f.Text(p) {
				out = append(out, change{item: f.JSON, action: setOrCleared(f.IsSet(p))})
			}
		}
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
