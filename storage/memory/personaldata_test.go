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

// coveragePolicy exempts maps of memory.Store from parts of the coverage
// check, each with its reason.
var coveragePolicy = storagetest.CoveragePolicy{
	Unfilled: map[string]string{
		"tokens.scopeSets":   "interned scope lists shared by every token, no personal data",
		"accounts.bySubject": "index of single-sign-on accounts (connection and subject); FillPerson makes password accounts",
		"sso.conns":          "single-sign-on connections: company configuration, no personal data",
		"sso.domains":        "the email domains of the connections: company configuration",
		"sso.flows":          "sign-in flows of single sign-on: digests of state and nonce for ten minutes, no person yet",
		"logins.failures":    "counters of failed sign-ins: digests of names and a count, forgotten after a day",
		"accounts.warned":    "the password-expiry warning last mailed per account (columns of us_accounts in SQL); FillPerson's passwords are new, none is due, and it goes with the account (storagetest.TestPasswordWarnings)",
	},
}

// TestPersonalDataCoverage checks, by reflection over the maps of
// memory.Store, that every kind of record the store keeps is exported and
// erased by the personal data catalogue: a new map that no personaldata
// source collects and erases fails it (see TestCoverageCatchesNewMap).
func TestPersonalDataCoverage(t *testing.T) {
	st := memory.New()
	alice, bob := storagetest.FillPerson(t, st, "alice"), storagetest.FillPerson(t, st, "bob")
	for _, p := range storagetest.CoverageProblems(t, st, newMapCatalogue(st), coveragePolicy, alice, bob) {
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
	got := storagetest.CoverageProblems(t, x.Store, newMapCatalogue(x), coveragePolicy, alice, bob)
	storagetest.WantNewKindsCaught(t, got, "gadgets.byProfile", "widgets")
}

// mapCatalogue is a storagetest.Catalogue over the maps of a struct such
// as memory.Store, found by reflection: every map among its fields (those
// of an embedded struct count as its own), or among the fields of a
// struct field, is a kind, named by its path ("tokens.byID"). A struct
// field is a group of maps, records and their indexes, that one Store
// keeps; Hide hides the person's entries in every map of the kind's
// group, so the store stays consistent. Reflection reads unexported
// fields and writes them through their address.
type mapCatalogue struct {
	names []string
	maps  map[string]reflect.Value   // kind → its map, settable
	group map[string][]reflect.Value // kind → the maps of its group
}

// newMapCatalogue returns the catalogue of root, a pointer to a struct.
func newMapCatalogue(root any) *mapCatalogue {
	c := &mapCatalogue{maps: map[string]reflect.Value{}, group: map[string][]reflect.Value{}}
	c.addFields(reflect.ValueOf(root).Elem())
	return c
}

func (c *mapCatalogue) addFields(v reflect.Value) {
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), settable(v.Field(i))
		if f.Anonymous && fv.Kind() == reflect.Pointer {
			fv = fv.Elem()
		}
		switch {
		case f.Anonymous && fv.Kind() == reflect.Struct:
			c.addFields(fv)
		case fv.Kind() == reflect.Map:
			c.add(f.Name, fv, []reflect.Value{fv})
		case fv.Kind() == reflect.Struct:
			var names []string
			var group []reflect.Value
			for j := range fv.NumField() {
				if m := settable(fv.Field(j)); m.Kind() == reflect.Map {
					names, group = append(names, f.Name+"."+fv.Type().Field(j).Name), append(group, m)
				}
			}
			for j, name := range names {
				c.add(name, group[j], group)
			}
		}
	}
}

func (c *mapCatalogue) add(name string, m reflect.Value, group []reflect.Value) {
	c.names, c.maps[name], c.group[name] = append(c.names, name), m, group
}

// settable returns v, addressable, without the read-only mark of an
// unexported field.
func settable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func (c *mapCatalogue) Kinds(context.Context) ([]string, error) { return slices.Clone(c.names), nil }

// entries returns the key and value of every entry of the maps that
// refers to one of keys, with the map holding it.
func entries(maps []reflect.Value, keys []string) (ms, ks, vs []reflect.Value) {
	lower := map[string]bool{}
	for _, k := range keys {
		lower[strings.ToLower(k)] = true
	}
	refers := func(v reflect.Value) bool {
		return !eachLeaf(v, 0, func(l reflect.Value) bool {
			return l.Kind() != reflect.String || !lower[strings.ToLower(l.String())]
		})
	}
	for _, m := range maps {
		for it := m.MapRange(); it.Next(); {
			if refers(it.Key()) || refers(it.Value()) {
				ms, ks, vs = append(ms, m), append(ks, it.Key()), append(vs, it.Value())
			}
		}
	}
	return ms, ks, vs
}

func (c *mapCatalogue) Count(_ context.Context, kind string, keys []string) (int, error) {
	ms, _, _ := entries([]reflect.Value{c.maps[kind]}, keys)
	return len(ms), nil
}

func (c *mapCatalogue) Hide(_ context.Context, kind string, keys []string) (func() error, error) {
	ms, ks, vs := entries(c.group[kind], keys)
	for i, m := range ms {
		m.SetMapIndex(ks[i], reflect.Value{})
	}
	return func() error {
		for i, m := range ms {
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
