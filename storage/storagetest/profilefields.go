package storagetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// testProfileFields checks that the adapter keeps every field of the
// profile's field table (profile.Fields): each field, set alone to a
// value of its kind, survives CreateProfile and then UpdateProfile with
// another value, and no other field changes. It fails when the table
// names a field that the adapter's columns do not keep.
func testProfileFields(t *testing.T, st ProfileStore) {
	for i, f := range profile.Fields() {
		t.Run(f.JSON, func(t *testing.T) {
			id := fmt.Sprintf("prf_field_%d", i)
			p := profile.Profile{ID: id, CreatedAt: pfNow, UpdatedAt: pfNow}
			if f.Kind == profile.KindAvatar {
				pfCreate(t, st, p)
				info := pfSetAvatar(t, st, id, []byte("avatar of "+f.JSON))
				pfField(t, f, pfGet(t, st, id), info)
				return
			}
			f.Set(&p, pfSample(f, 1))
			pfCreate(t, st, p)
			got := pfGet(t, st, id)
			pfField(t, f, got, pfSample(f, 1))
			pfOthersZero(t, f, got)

			f.Set(&got, pfSample(f, 2))
			if err := st.UpdateProfile(context.Background(), got); err != nil {
				t.Fatalf("UpdateProfile: %v", err)
			}
			got = pfGet(t, st, id)
			pfField(t, f, got, pfSample(f, 2))
			pfOthersZero(t, f, got)
		})
	}
}

// pfField checks the value of the field f in p.
func pfField(t *testing.T, f profile.Field, p profile.Profile, want any) {
	t.Helper()
	if d := cmp.Diff(want, f.Get(p), pfEmpty); d != "" {
		t.Errorf("field %s (%s) after a round trip (-want +got):\n%s", f.JSON, f.Name, d)
	}
}

// pfOthersZero checks that every field of the table but f is unset in p.
func pfOthersZero(t *testing.T, f profile.Field, p profile.Profile) {
	t.Helper()
	for _, o := range profile.Fields() {
		if o.JSON != f.JSON && o.IsSet(p) {
			t.Errorf("setting %s also set %s = %q", f.JSON, o.JSON, o.Text(p))
		}
	}
}

// pfSample returns the n-th sample value of the field's kind, distinct
// for each field and each n. Stores keep values; they do not validate
// them.
func pfSample(f profile.Field, n int) any {
	switch f.Kind {
	case profile.KindList:
		return []string{fmt.Sprintf("%s %d", f.JSON, n), "second ✓"}
	case profile.KindFlag:
		return n%2 == 1
	case profile.KindCountry:
		return []string{"", "NL", "DE"}[n]
	case profile.KindEmail:
		return fmt.Sprintf("%s.%d@example.com", f.JSON, n)
	case profile.KindURL:
		return fmt.Sprintf("https://example.com/%s/%d", f.JSON, n)
	case profile.KindChoice:
		return f.Allowed[(n-1)%len(f.Allowed)]
	case profile.KindText:
		return fmt.Sprintf("%s %d\nline two ✓", f.JSON, n)
	}
	return fmt.Sprintf("%s %d ✓", f.JSON, n)
}
