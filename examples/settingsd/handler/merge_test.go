package handler_test

import (
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/merge"
)

func TestMerge(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	want(t, "bob's job", e.do("PATCH", "/v1/me/profile", map[string]any{"job_title": "Pilot", "skills": []string{"Flying"}}, bob.auth()...), 200, "")
	want(t, "ada's job", e.do("PATCH", "/v1/me/profile", map[string]any{"job_title": "Engineer", "skills": []string{"Go"}}, ada.auth()...), 200, "")

	want(t, "own address", e.do("POST", "/v1/me/merges", map[string]string{"email": "ada@example.com"}, ada.auth()...), 422, "same_profile")
	want(t, "bad address", e.do("POST", "/v1/me/merges", map[string]string{"email": "nope"}, ada.auth()...), 422, "invalid_email")
	r := e.do("POST", "/v1/me/merges", map[string]string{"email": "bob@example.com"}, ada.auth()...)
	want(t, "start", r, 201, "")
	var flow struct {
		ID        string   `json:"id"`
		Addresses []string `json:"addresses"`
	}
	r.into(t, &flow)
	if len(flow.Addresses) != 2 || flow.Addresses[0] != "b***@example.com" || flow.Addresses[1] != merge.RecoveryLabel {
		t.Fatalf("addresses = %v, want the masked address and the recovery label", flow.Addresses)
	}
	base := "/v1/me/merges/" + flow.ID
	want(t, "verify before a code", e.do("POST", base+"/verify", map[string]string{"code": "123456"}, ada.auth()...), 409, "flow_invalid")
	want(t, "bad choice", e.do("POST", base+"/code", map[string]int{"address": 7}, ada.auth()...), 422, "invalid_choice")
	want(t, "someone else's flow", e.do("POST", base+"/code", map[string]int{"address": 0}, bob.auth()...), 404, "not_found")
	e.clock.Advance(2 * time.Minute) // bob's sign-up code was sent a moment ago
	want(t, "send code", e.do("POST", base+"/code", map[string]int{"address": 0}, ada.auth()...), 202, "")
	want(t, "wrong code", e.do("POST", base+"/verify", map[string]string{"code": "000000"}, ada.auth()...), 422, "invalid_code")
	want(t, "commit before verify", e.do("POST", base+"/commit", nil, ada.auth()...), 409, "flow_invalid")

	r = e.do("POST", base+"/verify", map[string]string{"code": e.code("bob@example.com")}, ada.auth()...)
	want(t, "verify", r, 200, "")
	var preview struct {
		SignedInProfileID string `json:"signed_in_profile_id"`
		OtherProfileID    string `json:"other_profile_id"`
		Fields            []struct {
			Name, Kept, Origin, Discarded string
			Conflict                      bool
		} `json:"fields"`
		Combined struct {
			Skills int `json:"skills"`
		} `json:"combined"`
		NotMerged []string `json:"not_merged"`
	}
	r.into(t, &preview)
	if preview.SignedInProfileID != ada.profileID || preview.OtherProfileID != bob.profileID || preview.Combined.Skills != 2 {
		t.Errorf("preview = %+v", preview)
	}
	conflict := false
	for _, f := range preview.Fields {
		if f.Name == "job_title" && f.Kept == "Engineer" && f.Discarded == "Pilot" && f.Conflict {
			conflict = true
		}
	}
	if !conflict {
		t.Errorf("preview fields = %+v, want the job title conflict", preview.Fields)
	}
	want(t, "preview again", e.do("GET", base+"/preview", nil, ada.auth()...), 200, "")

	r = e.do("POST", base+"/commit", nil, ada.auth()...)
	want(t, "commit", r, 200, "")
	var merged profileBody
	r.into(t, &merged)
	if merged.ID != ada.profileID || merged.JobTitle != "Engineer" || len(merged.Skills) != 2 {
		t.Errorf("merged profile = %+v", merged)
	}
	var accounts []accountBody
	e.do("GET", "/v1/me/accounts", nil, ada.auth()...).items(t, &accounts)
	if len(accounts) != 2 {
		t.Errorf("accounts after the merge = %+v, want both", accounts)
	}
	// Bob's account now belongs to the merged profile; his session follows.
	r = e.do("GET", "/v1/me/profile", nil, bob.auth()...)
	want(t, "bob's profile", r, 200, "")
	if r.obj(t)["id"] != ada.profileID {
		t.Errorf("bob's profile = %v, want %s", r.obj(t)["id"], ada.profileID)
	}
	want(t, "bob's old profile", e.do("GET", "/v1/profiles/"+bob.profileID, nil), 404, "not_found")
	// A commit sent again (its answer lost) answers the merged profile
	// again; the other account's session may not.
	r = e.do("POST", base+"/commit", nil, ada.auth()...)
	want(t, "commit twice", r, 200, "")
	if r.obj(t)["id"] != ada.profileID {
		t.Errorf("commit twice answered profile %v, want %s", r.obj(t)["id"], ada.profileID)
	}
	want(t, "commit by bob", e.do("POST", base+"/commit", nil, bob.auth()...), 404, "not_found")

	var data struct {
		Merges []struct{ ID, Role, State string } `json:"merges"`
	}
	e.do("GET", "/v1/me/personal-data", nil, ada.auth()...).into(t, &data)
	if len(data.Merges) != 1 || data.Merges[0].ID != flow.ID {
		t.Errorf("personal data merges = %+v, want the flow", data.Merges)
	}
}

func TestMergeCancelAndReauth(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	e.signUp("bob@example.com")
	r := e.do("POST", "/v1/me/merges", map[string]string{"email": "bob@example.com"}, ada.auth()...)
	want(t, "start", r, 201, "")
	id := r.obj(t)["id"].(string)
	want(t, "cancel", e.do("DELETE", "/v1/me/merges/"+id, nil, ada.auth()...), 204, "")
	want(t, "code after cancel", e.do("POST", "/v1/me/merges/"+id+"/code", map[string]int{"address": 0}, ada.auth()...), 409, "flow_invalid")
	e.clock.Advance(61 * time.Minute)
	want(t, "start on an old session", e.do("POST", "/v1/me/merges", map[string]string{"email": "bob@example.com"}, ada.auth()...), 403, "reauthentication_required")
	want(t, "commit on an old session", e.do("POST", "/v1/me/merges/"+id+"/commit", nil, ada.auth()...), 403, "reauthentication_required")
}
