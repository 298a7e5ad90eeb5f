package handler_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

type securityPage struct {
	Events []struct {
		ID        string    `json:"id"`
		Kind      string    `json:"kind"`
		At        time.Time `json:"at"`
		IP        string    `json:"ip"`
		Device    string    `json:"device"`
		AccountID string    `json:"account_id"`
		Detail    string    `json:"detail"`
	} `json:"events"`
	NextCursor *string `json:"next_cursor"`
}

// seedEvents records n events of the user, a minute apart from an hour
// ago, and returns their ids newest first.
func (e *env) seedEvents(u user, n int) []string {
	e.t.Helper()
	var ids []string
	for i := range n {
		ev := securitylog.Event{
			ProfileID: u.profileID, AccountID: u.accountID, Kind: securitylog.PasswordChanged,
			At: e.clock.Now().Add(-time.Hour + time.Duration(i)*time.Minute), IP: "192.0.2.9", Device: "Firefox on Linux",
			Detail: fmt.Sprintf("%s-%d", u.email, i),
		}
		if err := e.settings.SecurityLog.Record(context.Background(), ev); err != nil {
			e.t.Fatal(err)
		}
	}
	var page securityPage
	e.do("GET", "/v1/me/security-log?limit=200", nil, u.auth()...).into(e.t, &page)
	for _, ev := range page.Events {
		if ev.Kind == string(securitylog.PasswordChanged) {
			ids = append(ids, ev.ID)
		}
	}
	if len(ids) != n {
		e.t.Fatalf("seeded %d events, the log shows %d", n, len(ids))
	}
	return ids
}

// TestSecurityLog pages a person's log over HTTP, newest first with a
// cursor, and shows that nobody else's events appear, even with another
// person's cursor.
func TestSecurityLog(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	adaIDs := e.seedEvents(ada, 5)
	bobIDs := e.seedEvents(bob, 2)

	var got, all []string
	var sizes []int
	path := "/v1/me/security-log?limit=2"
	for range 10 {
		r := e.do("GET", path, nil, ada.auth()...)
		want(t, "security log page", r, 200, "")
		var page securityPage
		r.into(t, &page)
		sizes = append(sizes, len(page.Events))
		for _, ev := range page.Events {
			if ev.AccountID != ada.accountID || ev.IP == "" || ev.Device == "" || ev.At.IsZero() {
				t.Errorf("event %+v: want ada's, with IP, device and time", ev)
			}
			all = append(all, ev.ID)
			if ev.Kind != string(securitylog.PasswordChanged) {
				continue // the sign-ins of signUp, now, are newer than the seeded events
			}
			if ev.IP != "192.0.2.9" || ev.Device != "Firefox on Linux" {
				t.Errorf("seeded event %+v: want its IP and device", ev)
			}
			got = append(got, ev.ID)
		}
		if page.NextCursor == nil {
			break
		}
		if *page.NextCursor == "" {
			t.Fatal("next_cursor is empty instead of absent")
		}
		path = "/v1/me/security-log?limit=2&cursor=" + url.QueryEscape(*page.NextCursor)
	}
	if !slices.Equal(got, adaIDs) {
		t.Errorf("ada's seeded events in her pages = %v, want %v, newest first", got, adaIDs)
	}
	for _, id := range bobIDs {
		if slices.Contains(all, id) {
			t.Errorf("ada sees bob's event %s", id)
		}
	}
	if sizes[0] != 2 || sizes[len(sizes)-1] > 2 || len(sizes) < 3 {
		t.Errorf("page sizes = %v, want pages of 2", sizes)
	}

	// Ada's cursor in Bob's hands pages Bob's own log.
	var first securityPage
	e.do("GET", "/v1/me/security-log?limit=1", nil, ada.auth()...).into(t, &first)
	var page securityPage
	r := e.do("GET", "/v1/me/security-log?cursor="+url.QueryEscape(*first.NextCursor), nil, bob.auth()...)
	want(t, "bob with ada's cursor", r, 200, "")
	r.into(t, &page)
	for _, ev := range page.Events {
		if slices.Contains(adaIDs, ev.ID) || ev.AccountID != bob.accountID {
			t.Errorf("bob with ada's cursor sees %+v", ev)
		}
	}
}

func TestSecurityLogRefusals(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	want(t, "no session", e.do("GET", "/v1/me/security-log", nil), 401, "unauthenticated")
	want(t, "made-up cursor", e.do("GET", "/v1/me/security-log?cursor=bm90LWEtY3Vyc29y", nil, ada.auth()...), 400, "invalid_cursor")
	want(t, "garbage cursor", e.do("GET", "/v1/me/security-log?cursor=%25%25", nil, ada.auth()...), 400, "invalid_cursor")
	for _, l := range []string{"0", "-1", "two", "99999999999"} {
		want(t, "limit "+l, e.do("GET", "/v1/me/security-log?limit="+l, nil, ada.auth()...), 400, "invalid_query")
	}
	want(t, "a large limit is cut to the maximum", e.do("GET", "/v1/me/security-log?limit=5000", nil, ada.auth()...), 200, "")
}

// TestSecurityLogInExport checks that the personal-data download over
// HTTP holds the person's security log, and nobody else's.
func TestSecurityLogInExport(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	adaIDs := e.seedEvents(ada, 3)
	bobIDs := e.seedEvents(bob, 1)
	var doc struct {
		SecurityLog []struct {
			ID     string `json:"id"`
			Kind   string `json:"kind"`
			Detail string `json:"detail"`
		} `json:"security_log"`
	}
	r := e.do("GET", "/v1/me/personal-data", nil, ada.auth()...)
	want(t, "personal data", r, 200, "")
	r.into(t, &doc)
	var ids []string
	for _, ev := range doc.SecurityLog {
		ids = append(ids, ev.ID)
	}
	for _, id := range adaIDs {
		if !slices.Contains(ids, id) {
			t.Errorf("export lacks ada's event %s: %v", id, ids)
		}
	}
	if slices.Contains(ids, bobIDs[0]) {
		t.Errorf("ada's export holds bob's event %s", bobIDs[0])
	}
}

// TestSecurityLogOfARequest checks that an action taken over HTTP shows
// in the log with the client's address and device.
func TestSecurityLogOfARequest(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	e.clock.Advance(time.Second) // after the sign-in's own event
	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
	r := e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}},
		append(ada.auth(), "User-Agent", firefox)...)
	want(t, "create token", r, 201, "")
	var page securityPage
	e.do("GET", "/v1/me/security-log?limit=1", nil, ada.auth()...).into(t, &page)
	if len(page.Events) != 1 {
		t.Fatalf("security log = %+v, want the token's event", page)
	}
	ev := page.Events[0]
	if ev.Kind != "token_created" || ev.Detail != "ci" || ev.IP != "127.0.0.1" || ev.Device != "Firefox on Linux" || ev.AccountID != ada.accountID {
		t.Errorf("newest event = %+v, want token_created \"ci\" from 127.0.0.1, Firefox on Linux, by ada", ev)
	}
}

// TestOpenAPIEventKinds checks that the OpenAPI document's kinds of
// security events are exactly the kinds the SDK stores (every Kind
// constant of package securitylog but NoticeFailed, which is never
// stored).
func TestOpenAPIEventKinds(t *testing.T) {
	var kinds []string
	for _, k := range securitylog.Kinds {
		if k != securitylog.NoticeFailed {
			kinds = append(kinds, string(k))
		}
	}
	doc, _ := loadContract(t)
	var documented []string
	for _, v := range doc.Components.Schemas["SecurityEvent"].Value.Properties["kind"].Value.Enum {
		documented = append(documented, v.(string))
	}
	slices.Sort(kinds)
	slices.Sort(documented)
	if len(kinds) < 20 || !slices.Equal(kinds, documented) {
		t.Errorf("kinds of the SDK:\n%v\nof the OpenAPI document:\n%v", kinds, documented)
	}
}

// TestSecondFactorSignInLog signs in with a second factor over HTTP: the
// wrong code records a failed sign-in and the right one a completed
// sign-in, both "second factor" and with the client, after the password
// steps' "second factor pending".
func TestSecondFactorSignInLog(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	secret := e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...).obj(t)["secret"].(string)
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	want(t, "confirm", e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": code}, u.auth()...), 200, "")
	login := func(otp string) resp {
		e.clock.Advance(time.Minute)
		return e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw, "otp": otp})
	}
	want(t, "a wrong code", login("000000"), 401, "invalid_credentials")
	r := login(mustTOTP(t, secret, e.clock.Now().Add(time.Minute)))
	want(t, "the right code", r, 201, "")

	var page securityPage
	e.do("GET", "/v1/me/security-log?limit=200", nil, u.auth()...).into(t, &page)
	var got []string
	for _, ev := range page.Events {
		if ev.Kind != string(securitylog.SignedIn) && ev.Kind != string(securitylog.SignInFailed) {
			continue
		}
		if ev.Detail == "second factor" && (ev.IP == "" || ev.Device == "") {
			t.Errorf("event %+v has no client", ev)
		}
		got = append(got, ev.Kind+": "+ev.Detail)
	}
	// The two sign-ins, newest first; the events of one request share
	// the fake clock's time, so their order within it is the IDs'.
	wantLog := [][]string{
		{"signed_in: password; second factor pending", "signed_in: second factor"},
		{"sign_in_failed: second factor", "signed_in: password; second factor pending"},
	}
	if len(got) < 4 {
		t.Fatalf("sign-in events, newest first = %q, want at least 4", got)
	}
	for i, w := range wantLog {
		step := slices.Sorted(slices.Values(got[2*i : 2*i+2]))
		if !slices.Equal(step, w) {
			t.Errorf("sign-in %d from the newest = %q, want %q (all: %q)", i, step, w, got)
		}
	}
}

// mustTOTP returns the authenticator code of the secret at the time.
func mustTOTP(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
