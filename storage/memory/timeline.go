package memory

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"
)

// timeline holds a kind of record that a profile accumulates over time
// (history entries, security events): by profile, oldest first, with the
// ids taken. The record type's fields are reached through keyOf and
// moveTo, given to init.
type timeline[E any] struct {
	byProfile map[string][]E // oldest first
	ids       map[string]bool
	keyOf     func(E) recordKey
	moveTo    func(E, string) E // e, in another profile
}

// recordKey is what orders and places a record of a timeline.
type recordKey struct {
	profileID, id string
	at            time.Time
}

func (tl *timeline[E]) init(keyOf func(E) recordKey, moveTo func(E, string) E) {
	tl.byProfile, tl.ids = map[string][]E{}, map[string]bool{}
	tl.keyOf, tl.moveTo = keyOf, moveTo
}

// compare orders records by time, then id.
func (tl *timeline[E]) compare(a, b E) int {
	ka, kb := tl.keyOf(a), tl.keyOf(b)
	if c := ka.at.Compare(kb.at); c != 0 {
		return c
	}
	return strings.Compare(ka.id, kb.id)
}

// add inserts records in their profiles' timelines; a taken id is a
// conflict, named by what.
func (tl *timeline[E]) add(t *tx, what string, records ...E) error {
	for _, e := range records {
		k := tl.keyOf(e)
		if tl.ids[k.id] {
			return conflict(what + " id taken")
		}
		put(t, tl.ids, k.id, true)
		list := slices.Clone(tl.byProfile[k.profileID])
		i, _ := slices.BinarySearchFunc(list, e, tl.compare)
		put(t, tl.byProfile, k.profileID, slices.Insert(list, i, e))
	}
	return nil
}

// newestBelow returns up to limit records of the profile, newest first,
// from the one just before index end of its timeline (oldest first).
func (tl *timeline[E]) newestBelow(profileID string, end, limit int) []E {
	list := tl.byProfile[profileID]
	var out []E
	for i := min(end, len(list)) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, list[i])
	}
	return out
}

// move gives every record of profile from to profile to.
func (tl *timeline[E]) move(t *tx, from, to string) {
	moved := tl.byProfile[from]
	if len(moved) == 0 || from == to {
		return
	}
	list := slices.Clone(tl.byProfile[to])
	for _, e := range moved {
		list = append(list, tl.moveTo(e, to))
	}
	slices.SortFunc(list, tl.compare)
	del(t, tl.byProfile, from)
	put(t, tl.byProfile, to, list)
}

// deleteProfile deletes every record of the profile.
func (tl *timeline[E]) deleteProfile(t *tx, profileID string) {
	for _, e := range tl.byProfile[profileID] {
		del(t, tl.ids, tl.keyOf(e).id)
	}
	del(t, tl.byProfile, profileID)
}

// deleteBefore deletes up to limit records older than before, the oldest
// of each profile first, and returns how many it deleted.
func (tl *timeline[E]) deleteBefore(t *tx, before time.Time, limit int) int {
	n := 0
	for _, p := range slices.Sorted(maps.Keys(tl.byProfile)) {
		list := tl.byProfile[p]
		cut := 0
		for cut < len(list) && tl.keyOf(list[cut]).at.Before(before) && n < limit {
			del(t, tl.ids, tl.keyOf(list[cut]).id)
			cut++
			n++
		}
		switch {
		case cut == len(list):
			del(t, tl.byProfile, p)
		case cut > 0:
			put(t, tl.byProfile, p, slices.Clone(list[cut:]))
		}
		if n >= limit {
			break
		}
	}
	return n
}

// eachOf calls fn with every record of the profile, oldest first. The
// records are read under the lock and fn is called after it is released.
func eachOf[E any](ctx context.Context, s *Store, tl *timeline[E], profileID string, fn func(E) error) error {
	var list []E
	if err := s.read(ctx, func() error {
		list = slices.Clone(tl.byProfile[profileID])
		return nil
	}); err != nil {
		return err
	}
	for _, e := range list {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
