package profile_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// TestUpdateJSON checks an Update travels as JSON with the profile's
// field names: a field left out stays nil (unchanged), a field set to its
// zero value is kept.
func TestUpdateJSON(t *testing.T) {
	in := `{"job_title":"Engineer","about_you":"","skills":["Go"],"industry_experience":[],"public":false}`
	var u profile.Update
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatal(err)
	}
	if u.Name != nil || u.JobTitle == nil || *u.JobTitle != "Engineer" || u.AboutYou == nil || *u.AboutYou != "" ||
		u.Skills == nil || !reflect.DeepEqual(*u.Skills, []string{"Go"}) || u.Industries == nil || len(*u.Industries) != 0 ||
		u.Public == nil || *u.Public {
		t.Errorf("Unmarshal(%s) = %+v", in, u)
	}
	got, err := json.Marshal(u)
	if err != nil || string(got) != in {
		t.Errorf("Marshal = %s, %v; want %s", got, err, in)
	}
	if got, _ := json.Marshal(profile.Update{}); string(got) != "{}" {
		t.Errorf("Marshal(Update{}) = %s, want {}", got)
	}
}
