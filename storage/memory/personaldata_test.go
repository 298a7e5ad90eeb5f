package memory_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/session"
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

// notPersonal lists the fields of memory.Store that hold no personal
// data, so no personaldata source needs to cover them (sso holds
// single-sign-on connections, their domains and sign-in flows: company
// configuration and digests).
var notPersonal = []string{"mu", "sso"}

// TestPersonalDataCoverage fails when a field of memory.Store (a table)
// is covered by no source of personaldata.DefaultSources: a new Store
// must be wired into export and erasure.
func TestPersonalDataCoverage(t *testing.T) {
	st := memory.New()
	w := storagetest.NewWorld(t, st, session.Source(session.NewService(session.Config{Store: st, Accounts: st})), merge.Source(st))
	covered := personaldata.Covers(w.PersonalData.Sources())
	typ := reflect.TypeFor[memory.Store]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if slices.Contains(notPersonal, name) {
			continue
		}
		if !slices.Contains(covered, "memory."+name) {
			t.Errorf("memory.Store field %s is covered by no personaldata source (add it to a source's Covers and erase it)", name)
		}
	}
	for _, c := range covered {
		if name, ok := strings.CutPrefix(c, "memory."); ok {
			if _, found := typ.FieldByName(name); !found {
				t.Errorf("a source covers memory.%s, which memory.Store does not have", name)
			}
		}
	}
}

// dumpable adds storagetest.Dumper to the memory store: every string,
// number and byte slice it holds, map keys included, as text.
type dumpable struct{ *memory.Store }

func (d dumpable) Dump(context.Context) ([]byte, error) {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(d.Store).Elem(), 0)
	return []byte(b.String()), nil
}

// dumpValue writes v's leaves; unexported fields are read, not
// interfaced, so reflection may look at them.
func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	if depth > 20 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		b.WriteString(v.String())
		b.WriteByte('\n')
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		fmt.Fprintln(b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		fmt.Fprintln(b, v.Uint())
	case reflect.Bool:
		fmt.Fprintln(b, v.Bool())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			raw := make([]byte, v.Len())
			for i := range raw {
				raw[i] = byte(v.Index(i).Uint())
			}
			b.Write(raw)
			b.WriteByte('\n')
			b.WriteString(hex.EncodeToString(raw))
			b.WriteByte('\n')
			return
		}
		for i := range v.Len() {
			dumpValue(b, v.Index(i), depth+1)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			dumpValue(b, k, depth+1)
			dumpValue(b, v.MapIndex(k), depth+1)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			dumpValue(b, v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			dumpValue(b, v.Field(i), depth+1)
		}
	}
}
