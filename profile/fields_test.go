package profile

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// TestFieldTable checks every entry of the table: names, a kind and a
// merge rule, a value of its kind's Go type, and the public requirements
// in the stable order of MissingForPublic.
func TestFieldTable(t *testing.T) {
	seen := map[string]bool{}
	var public []Requirement
	for _, f := range Fields() {
		if f.Name == "" || f.JSON == "" || f.Label == "" || f.LabelKey == "" || f.Kind == 0 || f.Merge == 0 {
			t.Errorf("field %q: a name, label, kind or merge rule is missing: %+v", f.JSON, f)
		}
		if seen[f.JSON] {
			t.Errorf("field %q listed twice", f.JSON)
		}
		seen[f.JSON] = true
		if _, ok := reflect.TypeFor[Profile]().FieldByName(f.Name); !ok {
			t.Errorf("field %q: Profile has no field %s", f.JSON, f.Name)
		}
		if got, want := reflect.TypeOf(f.Get(Profile{})), reflect.TypeOf(f.Zero()); got != want {
			t.Errorf("field %q: Get gives %v, its kind wants %v", f.JSON, got, want)
		}
		if f.Change != nil {
			if _, ok := reflect.TypeFor[Update]().FieldByName(f.Name); !ok {
				t.Errorf("field %q: Update has no field %s", f.JSON, f.Name)
			}
		}
		if f.Kind == KindURL && f.Check == nil {
			t.Errorf("field %q: a URL without Check", f.JSON)
		}
		if f.Public != "" {
			public = append(public, f.Public)
		}
	}
	want := []Requirement{NeedAvatar, NeedJobTitle, NeedDepartment, NeedCountry, NeedAboutYou, NeedSkill, NeedIndustry}
	if !slices.Equal(public, want) {
		t.Errorf("public requirements = %v, want %v", public, want)
	}
}

// TestFieldAccess checks that Set, Get, Request and Change reach the same
// place for every field an Update sets.
func TestFieldAccess(t *testing.T) {
	for _, f := range Fields() {
		if f.Change == nil {
			continue
		}
		v := map[Kind]any{KindList: []string{"x"}, KindFlag: true}[f.Kind]
		if v == nil {
			v = "x"
		}
		var u Update
		if _, ok := f.Change(u); ok {
			t.Errorf("%s: an empty Update changes it", f.JSON)
		}
		f.Request(&u, v)
		got, ok := f.Change(u)
		if !ok || !reflect.DeepEqual(got, v) {
			t.Errorf("%s: Change after Request = %v, %v", f.JSON, got, ok)
		}
		var p Profile
		f.Set(&p, v)
		if !reflect.DeepEqual(f.Get(p), v) || !f.IsSet(p) {
			t.Errorf("%s: Get after Set = %v", f.JSON, f.Get(p))
		}
	}
}

// The community's view shows every field of the table that is not
// private, under its JSON name, and no private one: a field added to the
// table and forgotten in PublicProfile fails here.
func TestPublicProfileFollowsTheTable(t *testing.T) {
	data, err := json.Marshal(PublicProfile{})
	if err != nil {
		t.Fatal(err)
	}
	var shown map[string]any
	if err := json.Unmarshal(data, &shown); err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields() {
		_, ok := shown[f.JSON]
		switch {
		case f.JSON == FieldPublic:
			// A public view is public: the flag is not shown.
		case f.Private && ok:
			t.Errorf("the private field %s is in the public view", f.JSON)
		case !f.Private && !ok:
			t.Errorf("the field %s of the table is not in the public view (%s)", f.JSON, data)
		}
	}
}
