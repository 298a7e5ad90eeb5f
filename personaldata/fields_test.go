package personaldata_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// pronouns is a field that exists only in this test's table. Profile has
// no place for it, so its Access keeps the values beside the profiles, by
// profile ID: the rules reach a field only through the table.
func pronouns(values map[string]string) profile.Field {
	return profile.Field{
		Name: "Pronouns", JSON: "pronouns", LabelKey: "profile.pronouns", Label: "Pronouns",
		Kind: profile.KindChoice, Allowed: []string{"she/her", "he/him", "they/them"},
		Public: "pronouns", Merge: profile.MergePreferSignedIn,
		Access: profile.Access{
			Get: func(p profile.Profile) any { return values[p.ID] },
			Set: func(p *profile.Profile, v any) { values[p.ID] = v.(string) },
		},
	}
}

// TestFieldAddedToTheTableAlone adds a field to the table and nothing
// else, and shows it validated, required for a public profile, exported
// in the personal data and resolved in a merge.
func TestFieldAddedToTheTableAlone(t *testing.T) {
	values := map[string]string{}
	table := profile.Fields().With(pronouns(values))

	t.Run("Validated", func(t *testing.T) {
		values["prf_a"] = "  they/them "
		p, err := table.Normalize(profile.Profile{ID: "prf_a"})
		if err != nil || values[p.ID] != "they/them" {
			t.Errorf("Normalize = %q, %v; want they/them, nil", values[p.ID], err)
		}
		values["prf_a"] = "whatever"
		_, err = table.Normalize(profile.Profile{ID: "prf_a"})
		var verr *profile.ValidationError
		if !errors.As(err, &verr) || verr.Fields["pronouns"] != profile.ReasonNotAllowed || len(verr.Fields) != 1 {
			t.Errorf("Normalize(whatever) = %v, want pronouns=%s", err, profile.ReasonNotAllowed)
		}
	})

	t.Run("PublicRequirement", func(t *testing.T) {
		values["prf_b"] = ""
		got := table.MissingForPublic(profile.Profile{ID: "prf_b"})
		if len(got) != 8 || got[7] != "pronouns" {
			t.Errorf("MissingForPublic = %v, want the seven built-in requirements then pronouns", got)
		}
	})

	t.Run("Exported", func(t *testing.T) {
		values["prf_c"] = "she/her"
		d := personaldata.NewProfileData(table, profile.Profile{ID: "prf_c", Name: "Ada"})
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if m["pronouns"] != "she/her" || m["name"] != "Ada" {
			t.Errorf("export = %s, want pronouns she/her and name Ada", data)
		}
		var back personaldata.ProfileData
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if raw, _ := back.Extra["pronouns"].(json.RawMessage); string(raw) != `"she/her"` {
			t.Errorf("read back Extra = %v, want pronouns", back.Extra)
		}
	})

	t.Run("Merged", func(t *testing.T) {
		values["prf_in"], values["prf_other"] = "", "he/him"
		r := merge.ResolveWith(table,
			merge.Side{Profile: profile.Profile{ID: "prf_in", Name: "Ada"}},
			merge.Side{Profile: profile.Profile{ID: "prf_other", Name: "Grace"}})
		if values["prf_in"] != "he/him" {
			t.Errorf("merged pronouns = %q, want the other's he/him", values["prf_in"])
		}
		var seen bool
		for _, f := range r.Preview.Fields {
			if f.Name == "pronouns" {
				seen = f.Kept == "he/him" && f.Origin == merge.FromOther
			}
		}
		if !seen {
			t.Errorf("preview fields = %+v, want pronouns kept from the other profile", r.Preview.Fields)
		}

		values["prf_in"] = "she/her"
		r = merge.ResolveWith(table,
			merge.Side{Profile: profile.Profile{ID: "prf_in"}},
			merge.Side{Profile: profile.Profile{ID: "prf_other"}})
		if c := r.Preview.Conflicts(); len(c) != 1 || c[0].Name != "pronouns" || c[0].Discarded != "he/him" {
			t.Errorf("conflicts = %+v, want pronouns discarding he/him", c)
		}
	})

	t.Run("NoRuleIsNoSilentDefault", func(t *testing.T) {
		f := pronouns(values)
		f.Merge = 0
		defer func() {
			if recover() == nil {
				t.Error("ResolveWith resolved a field without a merge rule")
			}
		}()
		merge.ResolveWith(profile.Fields().With(f), merge.Side{}, merge.Side{})
	})
}
