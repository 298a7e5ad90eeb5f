package memory_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestPersonalData(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestPersonalData(t, func(t *testing.T) storagetest.ErasureStore { return memory.New() })
	})
}

func TestErasure(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestErasure(t, func(t *testing.T) storagetest.ErasureStore { return dumpable{memory.New()} })
	})
}

// TestPersonalDataCoverage checks, by reflection over the maps of
// memory.Store, that every kind of record the store keeps is exported and
// erased by the personal data catalogue: a new map that no personaldata
// source collects and erases fails it (see TestCoverageCatchesNewMap).
// A kind is one field of Store: a group of maps (records and their
// indexes) that one Store interface keeps.
func TestPersonalDataCoverage(t *testing.T) {
	st := memory.New()
	alice, bob := storagetest.FillPerson(t, st, "alice"), storagetest.FillPerson(t, st, "bob")
	problems := storagetest.CoverageProblems(t, st, newMapCatalogue(st), storagetest.CoveragePolicy{}, alice, bob)
	for _, p := range problems {
		t.Error(p)
	}
}

// storeWithGadgets is a memory store to which a new kind of record was
// added without wiring it into any personaldata source: gadgets holds
// records of a profile, widgets is never filled.
type storeWithGadgets struct {
	*memory.Store
	gadgets gadgetTables
	widgets map[string]string
}

type gadgetTables struct {
	byProfile map[string]string // profile id → gadget name
}

// TestCoverageCatchesNewMap shows that the coverage check fails for a map
// that is not wired into export and erasure, and for one the fixture does
// not fill.
func TestCoverageCatchesNewMap(t *testing.T) {
	x := &storeWithGadgets{Store: memory.New(), gadgets: gadgetTables{byProfile: map[string]string{}}, widgets: map[string]string{}}
	alice, bob := storagetest.FillPerson(t, x.Store, "alice"), storagetest.FillPerson(t, x.Store, "bob")
	x.gadgets.byProfile[alice.ProfileID] = "gadget of alice"
	x.gadgets.byProfile[bob.ProfileID] = "gadget of bob"
	got := storagetest.CoverageProblems(t, x.Store, newMapCatalogue(x), storagetest.CoveragePolicy{}, alice, bob)
	want := []string{
		"gadgets: keeps 1 records of the erased person",
		"gadgets: the export does not show the person's records",
		"widgets: holds no record of the person",
	}
	if len(got) != len(want) {
		t.Fatalf("problems = %q, want %d starting with %q", got, len(want), want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want it to start with %q", i, got[i], want[i])
		}
	}
}

// mapCatalogue is a storagetest.Catalogue over the maps of a struct such
// as memory.Store, found by reflection: every field that is a map, or a
// struct holding maps, is one kind of record, named by the field (the
// fields of an embedded struct count as the outer struct's). Reflection
// reads unexported fields; Hide writes them through their address.
type mapCatalogue struct {
	kinds map[string][]reflect.Value // kind → its maps, settable
	names []string
}

// newMapCatalogue returns the catalogue of root, a pointer to a struct.
func newMapCatalogue(root any) *mapCatalogue {
	c := &mapCatalogue{kinds: map[string][]reflect.Value{}}
	c.addFields(reflect.ValueOf(root).Elem())
	return c
}

func (c *mapCatalogue) addFields(v reflect.Value) {
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), v.Field(i)
		if f.Anonymous {
			if fv.Kind() == reflect.Pointer {
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				c.addFields(fv)
				continue
			}
		}
		if maps := mapsIn(reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()); len(maps) > 0 {
			c.kinds[f.Name] = maps
			c.names = append(c.names, f.Name)
		}
	}
}

// mapsIn returns v if it is a map, or the maps among the fields of v if
// it is a struct; v is settable, and so are the maps returned.
func mapsIn(v reflect.Value) []reflect.Value {
	switch v.Kind() {
	case reflect.Map:
		return []reflect.Value{v}
	case reflect.Struct:
		var out []reflect.Value
		for i := range v.NumField() {
			fv := v.Field(i)
			out = append(out, mapsIn(reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem())...)
		}
		return out
	}
	return nil
}

func (c *mapCatalogue) Kinds(context.Context) ([]string, error) { return slices.Clone(c.names), nil }

// entries returns the key and value of every entry of the kind's maps
// that refers to one of keys, with the map holding it.
func (c *mapCatalogue) entries(kind string, keys []string) (maps, ks, vs []reflect.Value) {
	lower := map[string]bool{}
	for _, k := range keys {
		lower[strings.ToLower(k)] = true
	}
	refers := func(v reflect.Value) bool {
		return !eachLeaf(v, 0, func(l reflect.Value) bool {
			return l.Kind() != reflect.String || !lower[strings.ToLower(l.String())]
		})
	}
	for _, m := range c.kinds[kind] {
		for it := m.MapRange(); it.Next(); {
			if refers(it.Key()) || refers(it.Value()) {
				maps, ks, vs = append(maps, m), append(ks, it.Key()), append(vs, it.Value())
			}
		}
	}
	return maps, ks, vs
}

func (c *mapCatalogue) Count(_ context.Context, kind string, keys []string) (int, error) {
	maps, _, _ := c.entries(kind, keys)
	return len(maps), nil
}

func (c *mapCatalogue) Hide(_ context.Context, kind string, keys []string) (func() error, error) {
	maps, ks, vs := c.entries(kind, keys)
	for i, m := range maps {
		m.SetMapIndex(ks[i], reflect.Value{})
	}
	return func() error {
		for i, m := range maps {
			m.SetMapIndex(ks[i], vs[i])
		}
		return nil
	}, nil
}

// dumpable adds storagetest.Dumper to the memory store: every string,
// number and byte slice it holds, map keys included, as text.
type dumpable struct{ *memory.Store }

func (d dumpable) Dump(context.Context) ([]byte, error) {
	var b bytes.Buffer
	eachLeaf(reflect.ValueOf(d.Store).Elem(), 0, func(v reflect.Value) bool {
		switch v.Kind() {
		case reflect.String:
			b.WriteString(v.String())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			fmt.Fprint(&b, v.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			fmt.Fprint(&b, v.Uint())
		case reflect.Bool:
			fmt.Fprint(&b, v.Bool())
		case reflect.Slice, reflect.Array: // of bytes
			raw := make([]byte, v.Len())
			for i := range raw {
				raw[i] = byte(v.Index(i).Uint())
			}
			b.Write(raw)
			b.WriteByte('\n')
			b.WriteString(hex.EncodeToString(raw))
		}
		b.WriteByte('\n')
		return true
	})
	return b.Bytes(), nil
}

// eachLeaf calls fn for every leaf of v: strings, numbers, booleans and
// byte slices and arrays, map keys included, unexported fields too (read,
// never interfaced). It stops, returning false, when fn returns false.
func eachLeaf(v reflect.Value, depth int, fn func(reflect.Value) bool) bool {
	if depth > 20 {
		return true
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fn(v)
		}
		for i := range v.Len() {
			if !eachLeaf(v.Index(i), depth+1, fn) {
				return false
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if !eachLeaf(it.Key(), depth+1, fn) || !eachLeaf(it.Value(), depth+1, fn) {
				return false
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return eachLeaf(v.Elem(), depth+1, fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if !eachLeaf(v.Field(i), depth+1, fn) {
				return false
			}
		}
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fn(v)
	}
	return true
}
