package profile_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

var testNow = time.Date(2024, 6, 1, 12, 0, 0, 123456789, time.FixedZone("CEST", 2*3600))

const acc = "acc_me"

func newService(t *testing.T) (*profile.Service, *memory.Store) {
	t.Helper()
	st := memory.New()
	var ticks atomic.Int64 // the clock advances a second per reading
	now := func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)-1) * time.Second) }
	return profile.NewService(profile.Config{Store: st, Tx: st, History: st, Now: now, Owners: testOwners,
		Codes: testCodes(st, now, &notify.Outbox{})}), st
}

// testCodes returns the verification codes of the tests, mailed to box,
// without send throttles.
func testCodes(st *memory.Store, now func() time.Time, box *notify.Outbox) *verification.Service {
	return verification.NewService(verification.Config{Store: st, Tx: st, Mailer: box, Now: now,
		Burst: -1, MaxPerHour: -1})
}

// ownerMap is the auth.Owners of the tests: me records which profile an
// account acts on.
type ownerMap struct {
	mu sync.Mutex
	m  map[string]string
}

var testOwners = &ownerMap{m: map[string]string{}}

func (o *ownerMap) OwnerProfile(_ context.Context, accountID string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.m[accountID]
	if !ok {
		return "", auth.ErrForbidden
	}
	return p, nil
}

// me returns a caller who just signed in to the account, which acts on
// profileID.
func me(accountID, profileID string) auth.Caller {
	testOwners.mu.Lock()
	testOwners.m[accountID] = profileID
	testOwners.mu.Unlock()
	return auth.New(accountID, auth.MethodPassword, testNow, "")
}

func create(t *testing.T, svc *profile.Service) profile.Profile {
	t.Helper()
	p, err := svc.Create(context.Background())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return p
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 32, 32))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fill gives the profile everything a public profile needs but the avatar.
func fill() profile.Update {
	return profile.Update{
		Name: new("Ada"), JobTitle: new("Engineer"), Department: new("R&D"), Country: new("nl"),
		AboutYou: new("I build apps."), Skills: &[]string{"Go", "go", "SQL"}, Industries: &[]string{"Finance"},
		TwitterURL: new("https://x.com/ada"), LinkedInURL: new("https://www.linkedin.com/in/ada"),
		RecoveryEmail: new("ada@Example.org"),
	}
}

// publicProfile creates a complete public profile.
func publicProfile(t *testing.T, svc *profile.Service) profile.Profile {
	t.Helper()
	ctx := context.Background()
	p := create(t, svc)
	if _, err := svc.Update(ctx, me(acc, p.ID), fill()); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if _, err := svc.SetAvatar(ctx, me(acc, p.ID), pngBytes(t)); err != nil {
		t.Fatalf("SetAvatar: %v", err)
	}
	p, err := svc.MakePublic(ctx, me(acc, p.ID))
	if err != nil {
		t.Fatalf("MakePublic: %v", err)
	}
	return p
}

func wantMissing(t *testing.T, err error, want ...profile.Requirement) {
	t.Helper()
	var ie *profile.IncompleteError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want *IncompleteError %v", err, want)
	}
	if d := cmp.Diff(want, ie.Missing); d != "" {
		t.Errorf("Missing mismatch (-want +got):\n%s", d)
	}
}

func entries(t *testing.T, st *memory.Store, profileID string) []history.Entry {
	t.Helper()
	var out []history.Entry
	if err := st.EachHistory(context.Background(), profileID, func(e history.Entry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreate(t *testing.T) {
	svc, _ := newService(t)
	p := create(t, svc)
	if !strings.HasPrefix(p.ID, "prf_") || p.Public {
		t.Errorf("got id %q public %v; want prf_… and private", p.ID, p.Public)
	}
	want := testNow.UTC().Truncate(time.Microsecond)
	if !p.CreatedAt.Equal(want) || p.CreatedAt.Location() != time.UTC || !p.UpdatedAt.Equal(want) {
		t.Errorf("times: got %v / %v, want %v in UTC", p.CreatedAt, p.UpdatedAt, want)
	}
	got, err := svc.Get(context.Background(), me(acc, p.ID))
	if err != nil || got.ID != p.ID {
		t.Errorf("Get: got %+v, %v", got, err)
	}
}

func TestNotFound(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	_, err := svc.Get(ctx, me(acc, "prf_none"))
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, profile.ErrNotFound) || !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s: got %v, want profile.ErrNotFound", what, err)
		}
	}
	check("Get", err)
	_, err = svc.Update(ctx, me(acc, "prf_none"), profile.Update{Name: new("x")})
	check("Update", err)
	_, err = svc.MakePrivate(ctx, me(acc, "prf_none"))
	check("MakePrivate", err)
	_, err = svc.SetAvatar(ctx, me(acc, "prf_none"), pngBytes(t))
	check("SetAvatar", err)
	_, err = svc.Avatar(ctx, me(acc, "prf_none"))
	check("Avatar", err)
	check("SaveProgress", svc.SaveProgress(ctx, "prf_none", profile.Progress{}))
	check("Delete", svc.Delete(ctx, "prf_none"))
}

func TestUpdateValidation(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	_, err := svc.Update(ctx, me(acc, p.ID), profile.Update{
		Name: new("Ada"), Country: new("XX"), TwitterURL: new("https://evil.example/ada"),
		RecoveryEmail: new("not an email"), Skills: &[]string{strings.Repeat("x", 61)},
	})
	var verr *profile.ValidationError
	if !errors.As(err, &verr) || !errors.Is(err, profile.ErrInvalid) {
		t.Fatalf("got %v, want *ValidationError", err)
	}
	want := map[string]string{
		"country": profile.ReasonUnknownCountry, "twitter_url": profile.ReasonWrongHost,
		"recovery_email": profile.ReasonInvalidEmail, "skills": profile.ReasonItemTooLong,
	}
	if d := cmp.Diff(want, verr.Fields); d != "" {
		t.Errorf("Fields mismatch (-want +got):\n%s", d)
	}
	got, _ := svc.Get(ctx, me(acc, p.ID))
	if d := cmp.Diff(p, got); d != "" {
		t.Errorf("profile changed by a failed update (-want +got):\n%s", d)
	}
	if e := entries(t, st, p.ID); len(e) != 0 {
		t.Errorf("failed update wrote history: %+v", e)
	}
}

func TestUpdateNormalisesAndRecordsHistory(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	got, err := svc.Update(ctx, me(acc, p.ID), fill())
	if err != nil {
		t.Fatal(err)
	}
	if got.Country != "NL" || !cmp.Equal(got.Skills, []string{"Go", "SQL"}) || got.PendingRecoveryEmail != "ada@example.org" ||
		got.RecoveryEmail != "" {
		t.Errorf("not normalised, or the recovery email is not pending: %+v", got)
	}
	// Change again: one skill out, one in, recovery email and name cleared.
	_, err = svc.Update(ctx, me("acc_other", p.ID), profile.Update{
		Skills: &[]string{"SQL", "Rust"}, RecoveryEmail: new(""), Name: new(" "), JobTitle: new("Engineer"),
	})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Acc, Item, Action, Detail string }
	var rows []row
	for _, e := range entries(t, st, p.ID) {
		rows = append(rows, row{e.AccountID, e.Item, string(e.Action), e.Detail})
		if strings.Contains(strings.ToLower(e.Detail), "ada@") {
			t.Errorf("history entry reveals the recovery email: %+v", e)
		}
		if e.At.Location() != time.UTC || e.At.Nanosecond()%1000 != 0 || !strings.HasPrefix(e.ID, "his_") {
			t.Errorf("entry id/time: %+v", e)
		}
	}
	want := []row{
		{acc, "name", "set", ""}, {acc, "job_title", "set", ""}, {acc, "department", "set", ""},
		{acc, "country", "set", ""}, {acc, "about_you", "set", ""}, {acc, "twitter_url", "set", ""},
		{acc, "linkedin_url", "set", ""}, {acc, "pending_recovery_email", "set", ""},
		{acc, "skills", "added", "Go"}, {acc, "skills", "added", "SQL"},
		{acc, "industry_experience", "added", "Finance"},
		{"acc_other", "name", "cleared", ""}, {"acc_other", "pending_recovery_email", "cleared", ""},
		{"acc_other", "skills", "removed", "Go"}, {"acc_other", "skills", "added", "Rust"},
	}
	// Entries of one instant come back ordered by their random ids.
	byText := cmpopts.SortSlices(func(a, b row) bool { return fmt.Sprint(a) < fmt.Sprint(b) })
	if d := cmp.Diff(want, rows, byText); d != "" {
		t.Errorf("history mismatch (-want +got):\n%s", d)
	}
}

func TestMakePublic(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	_, err := svc.MakePublic(ctx, me(acc, p.ID))
	wantMissing(t, err, "avatar", "job_title", "department", "country", "about_you", "skill", "industry")
	if !errors.Is(err, profile.ErrIncomplete) {
		t.Errorf("errors.Is(%v, ErrIncomplete) = false", err)
	}

	if _, err := svc.Update(ctx, me(acc, p.ID), fill()); err != nil {
		t.Fatal(err)
	}
	_, err = svc.MakePublic(ctx, me(acc, p.ID))
	wantMissing(t, err, "avatar")

	if _, err := svc.SetAvatar(ctx, me(acc, p.ID), pngBytes(t)); err != nil {
		t.Fatal(err)
	}
	got, err := svc.MakePublic(ctx, me(acc, p.ID))
	if err != nil || !got.Public {
		t.Fatalf("MakePublic of a complete profile: got public=%v, %v", got.Public, err)
	}
	n := len(entries(t, st, p.ID))
	if _, err := svc.MakePublic(ctx, me(acc, p.ID)); err != nil {
		t.Errorf("MakePublic twice: %v", err)
	}
	if got := len(entries(t, st, p.ID)); got != n {
		t.Errorf("MakePublic twice wrote %d history entries, want 0", got-n)
	}
	got, err = svc.MakePrivate(ctx, me(acc, p.ID))
	if err != nil || got.Public {
		t.Fatalf("MakePrivate: got public=%v, %v", got.Public, err)
	}
	last := entries(t, st, p.ID)
	if e := last[len(last)-1]; e.Item != "public" || e.Action != history.ActionCleared {
		t.Errorf("last history entry: got %s %s, want public cleared", e.Item, e.Action)
	}
}

func TestMakePrivateAlwaysWorks(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	if got, err := svc.MakePrivate(ctx, me(acc, p.ID)); err != nil || got.Public {
		t.Errorf("MakePrivate of a private profile: got public=%v, %v", got.Public, err)
	}
}

func TestUpdatePublicRules(t *testing.T) {
	ctx := context.Background()
	t.Run("refused when it leaves a public profile incomplete", func(t *testing.T) {
		svc, st := newService(t)
		p := publicProfile(t, svc)
		n := len(entries(t, st, p.ID))
		_, err := svc.Update(ctx, me(acc, p.ID), profile.Update{JobTitle: new(""), Skills: &[]string{" "}, Name: new("New")})
		wantMissing(t, err, "job_title", "skill")
		if got, _ := svc.Get(ctx, me(acc, p.ID)); !cmp.Equal(got, p) {
			t.Errorf("refused update changed the profile:\n%s", cmp.Diff(p, got))
		}
		if got := len(entries(t, st, p.ID)); got != n {
			t.Errorf("refused update wrote %d history entries", got-n)
		}
	})
	t.Run("allowed when the same update makes it private", func(t *testing.T) {
		svc, _ := newService(t)
		p := publicProfile(t, svc)
		got, err := svc.Update(ctx, me(acc, p.ID), profile.Update{JobTitle: new(""), Public: new(false)})
		if err != nil || got.Public || got.JobTitle != "" {
			t.Errorf("got public=%v job=%q, %v; want private, cleared", got.Public, got.JobTitle, err)
		}
	})
	t.Run("allowed when it completes and publishes at once", func(t *testing.T) {
		svc, _ := newService(t)
		p := create(t, svc)
		u := fill()
		u.Department = nil
		if _, err := svc.Update(ctx, me(acc, p.ID), u); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetAvatar(ctx, me(acc, p.ID), pngBytes(t)); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Update(ctx, me(acc, p.ID), profile.Update{Public: new(true)})
		wantMissing(t, err, "department")
		got, err := svc.Update(ctx, me(acc, p.ID), profile.Update{Department: new("Sales"), Public: new(true)})
		if err != nil || !got.Public {
			t.Errorf("got public=%v, %v; want public", got.Public, err)
		}
	})
	t.Run("private profiles may be incomplete", func(t *testing.T) {
		svc, _ := newService(t)
		p := create(t, svc)
		if _, err := svc.Update(ctx, me(acc, p.ID), profile.Update{Name: new("Ada")}); err != nil {
			t.Errorf("Update of a private profile: %v", err)
		}
	})
}

func TestPublicView(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p := publicProfile(t, svc)
	pr := profile.Progress{
		Points:  42,
		Academy: []profile.CourseProgress{{CourseID: "crs_1", Title: "Basics", Percent: 50}},
	}
	if err := svc.SaveProgress(ctx, p.ID, pr); err != nil {
		t.Fatal(err)
	}
	got, err := svc.PublicView(ctx, p.ID)
	if err != nil {
		t.Fatalf("PublicView: %v", err)
	}
	want := profile.PublicProfile{
		ID: p.ID, Name: "Ada", JobTitle: "Engineer", Department: "R&D", Country: "NL",
		AboutYou: "I build apps.", Skills: []string{"Go", "SQL"}, Industries: []string{"Finance"},
		TwitterURL: "https://x.com/ada", LinkedInURL: "https://www.linkedin.com/in/ada",
		HasAvatar: true, Avatar: p.Avatar, Points: 42,
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("PublicView mismatch (-want +got):\n%s", d)
	}
	if s := fmt.Sprintf("%+v", got); strings.Contains(s, "ada@") || strings.Contains(s, "crs_1") {
		t.Errorf("public view shows private data: %s", s)
	}

	if _, err := svc.MakePrivate(ctx, me(acc, p.ID)); err != nil {
		t.Fatal(err)
	}
	_, errPrivate := svc.PublicView(ctx, p.ID)
	_, errMissing := svc.PublicView(ctx, "prf_none")
	if !errors.Is(errPrivate, profile.ErrNotFound) || errPrivate != errMissing {
		t.Errorf("private: %v, missing: %v; want the same ErrNotFound", errPrivate, errMissing)
	}
}

// failingHistory fails every append, to check that the profile change is
// rolled back with it.
type failingHistory struct{ *memory.Store }

var errHistory = errors.New("history down")

func (failingHistory) AppendHistory(context.Context, ...history.Entry) error { return errHistory }

func TestHistoryFailureRollsBack(t *testing.T) {
	st := memory.New()
	ok := profile.NewService(profile.Config{Store: st, Tx: st, History: st, Owners: testOwners, Now: func() time.Time { return testNow }})
	bad := profile.NewService(profile.Config{Store: st, Tx: st, History: failingHistory{st}, Owners: testOwners, Now: func() time.Time { return testNow }})
	ctx := context.Background()
	p := create(t, ok)
	if _, err := bad.Update(ctx, me(acc, p.ID), fill()); !errors.Is(err, errHistory) {
		t.Fatalf("Update: got %v, want the history error", err)
	}
	if _, err := bad.SetAvatar(ctx, me(acc, p.ID), pngBytes(t)); !errors.Is(err, errHistory) {
		t.Fatalf("SetAvatar: got %v, want the history error", err)
	}
	got, _ := ok.Get(ctx, me(acc, p.ID))
	if d := cmp.Diff(p, got); d != "" {
		t.Errorf("profile changed although the history failed (-want +got):\n%s", d)
	}
	if _, err := ok.Avatar(ctx, me(acc, p.ID)); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("avatar stored although the history failed: %v", err)
	}
}

func TestNewServicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewService without a store did not panic")
		}
	}()
	profile.NewService(profile.Config{})
}

// The language setting takes one of Languages or clears the choice; any
// other value is refused. It is private: never in the public view.
func TestLanguage(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	_, err := svc.Update(ctx, me(acc, p.ID), profile.Update{Language: new("de")})
	var verr *profile.ValidationError
	if !errors.As(err, &verr) || verr.Fields["language"] != profile.ReasonNotAllowed {
		t.Fatalf("language de: %v, want language not_allowed", err)
	}
	for _, lang := range append(slices.Clone(profile.Languages), "") {
		got, err := svc.Update(ctx, me(acc, p.ID), profile.Update{Language: new(" " + lang + " ")})
		if err != nil || got.Language != lang {
			t.Fatalf("language %q: %q, %v", lang, got.Language, err)
		}
	}
	if f, _ := profile.Fields().Lookup("language"); !f.Private {
		t.Error("the language field is not private")
	}
}
