package memory

import (
	"encoding/binary"

	"github.com/seed-a97ca23f/usersettings/token"
)

// digestTable holds the hot records of tokens in one flat array, by
// digest, with linear probing. A digest is a SHA-256, already uniform, so
// its first 8 bytes pick the slot with no hash function, and a lookup
// reads one slot, one or two adjacent cache lines, where a Go map of a
// million entries chases its directory, table and control word first.
// The table grows to keep at most three slots in four used; a deletion
// shifts the records that follow back, so no tombstone slows later
// lookups.
type digestTable struct {
	slots []hotToken
	n     int
}

// minDigestSlots is the size of a new table, a power of two.
const minDigestSlots = 64

func (dt *digestTable) home(d token.Digest) int {
	return int(binary.LittleEndian.Uint64(d[:8]) & uint64(len(dt.slots)-1))
}

// find returns the slot of d, or -1.
func (dt *digestTable) find(d token.Digest) int {
	if len(dt.slots) == 0 {
		return -1
	}
	mask := len(dt.slots) - 1
	for i := dt.home(d); ; i = (i + 1) & mask {
		s := &dt.slots[i]
		if !s.used {
			return -1
		}
		if s.d == d {
			return i
		}
	}
}

// get returns the record of d. The pointer is valid until the next write.
func (dt *digestTable) get(d token.Digest) (*hotToken, bool) {
	i := dt.find(d)
	if i < 0 {
		return nil, false
	}
	return &dt.slots[i], true
}

// set stores h under h.d, replacing the record there, which it returns.
func (dt *digestTable) set(h hotToken) (old hotToken, had bool) {
	h.used = true
	if i := dt.find(h.d); i >= 0 {
		old, dt.slots[i] = dt.slots[i], h
		return old, true
	}
	if (dt.n+1)*4 > len(dt.slots)*3 {
		dt.grow()
	}
	mask := len(dt.slots) - 1
	i := dt.home(h.d)
	for dt.slots[i].used {
		i = (i + 1) & mask
	}
	dt.slots[i] = h
	dt.n++
	return hotToken{}, false
}

func (dt *digestTable) grow() {
	old := dt.slots
	dt.slots = make([]hotToken, max(minDigestSlots, 2*len(old)))
	dt.n = 0
	for i := range old {
		if old[i].used {
			dt.set(old[i])
		}
	}
}

// delete removes the record of d and returns it.
func (dt *digestTable) delete(d token.Digest) (old hotToken, had bool) {
	i := dt.find(d)
	if i < 0 {
		return hotToken{}, false
	}
	old = dt.slots[i]
	mask := len(dt.slots) - 1
	// Backward shift: a record after the hole moves into it unless its
	// home lies between the hole and the record (cyclically), where it
	// would no longer be found.
	for j := (i + 1) & mask; dt.slots[j].used; j = (j + 1) & mask {
		if (j-dt.home(dt.slots[j].d))&mask >= (j-i)&mask {
			dt.slots[i] = dt.slots[j]
			i = j
		}
	}
	dt.slots[i] = hotToken{}
	dt.n--
	return old, true
}

// putHot stores h in the transaction; delHot deletes the record of d.
// Both record how to undo the change.
func (dt *digestTable) putHot(t *tx, h hotToken) {
	old, had := dt.set(h)
	t.onUndo(func() {
		if had {
			dt.set(old)
		} else {
			dt.delete(h.d)
		}
	})
}

func (dt *digestTable) delHot(t *tx, d token.Digest) {
	if old, had := dt.delete(d); had {
		t.onUndo(func() { dt.set(old) })
	}
}
