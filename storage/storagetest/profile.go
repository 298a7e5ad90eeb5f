package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// ProfileStore is what TestProfileStore needs.
type ProfileStore interface {
	storage.Transactor
	profile.Store
}

// pfNow is a fixed instant in UTC without sub-microsecond part, so every
// adapter stores it exactly.
var pfNow = time.Date(2024, 3, 4, 5, 6, 7, 891234000, time.UTC)

// pfEmpty compares nil and empty slices as equal: an adapter may return
// either for an empty list.
var pfEmpty = cmpopts.EquateEmpty()

// errPfBoom fails a transaction on purpose.
var errPfBoom = errors.New("storagetest: boom")

// TestProfileStore checks an adapter's profile.Store: create, read,
// update and delete, not found and conflicts, copies in and out, avatars,
// community progress, every field of the profile's field table
// (profile.Fields) kept on its own, time round trips, transaction rollback (error and
// panic) and 16 goroutines creating one id.
func TestProfileStore(t *testing.T, newStore func(t *testing.T) ProfileStore) {
	t.Run("CreateGet", func(t *testing.T) { testProfileCreateGet(t, newStore(t)) })
	t.Run("Update", func(t *testing.T) { testProfileUpdate(t, newStore(t)) })
	t.Run("Fields", func(t *testing.T) { testProfileFields(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testProfileDelete(t, newStore(t)) })
	t.Run("ByRecoveryEmail", func(t *testing.T) { testProfilesByRecoveryEmail(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testProfileNotFound(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testProfileConflict(t, newStore(t)) })
	t.Run("Copies", func(t *testing.T) { testProfileCopies(t, newStore(t)) })
	t.Run("Avatar", func(t *testing.T) { testProfileAvatar(t, newStore(t)) })
	t.Run("Progress", func(t *testing.T) { testProfileProgress(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testProfileRollback(t, newStore(t)) })
	t.Run("CanceledContext", func(t *testing.T) { testProfileCanceled(t, newStore(t)) })
	t.Run("CreateRace", func(t *testing.T) { testProfileCreateRace(t, newStore(t)) })
}

// pfFull returns a profile with every field set (but no avatar, which is
// stored with SetAvatar).
func pfFull(id string) profile.Profile {
	return profile.Profile{
		ID: id, Name: "Ada Lovelace", JobTitle: "Engineer", Department: "R&D",
		Country: "GB", AboutYou: "Line one\nline two ✓", Skills: []string{"Go", "SQL"},
		Industries: []string{"Finance"}, TwitterURL: "https://x.com/ada",
		LinkedInURL: "https://www.linkedin.com/in/ada", RecoveryEmail: "ada@example.org",
		PendingRecoveryEmail: "ada.new@example.org", Public: true, CreatedAt: pfNow, UpdatedAt: pfNow.Add(time.Hour),
	}
}

func pfCreate(t *testing.T, st ProfileStore, p profile.Profile) {
	t.Helper()
	if err := st.CreateProfile(context.Background(), p); err != nil {
		t.Fatalf("CreateProfile(%s): %v", p.ID, err)
	}
}

func pfGet(t *testing.T, st ProfileStore, id string) profile.Profile {
	t.Helper()
	p, err := st.Profile(context.Background(), id)
	if err != nil {
		t.Fatalf("Profile(%s): %v", id, err)
	}
	return p
}

func pfDiff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got, pfEmpty); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func testProfileCreateGet(t *testing.T, st ProfileStore) {
	full := pfFull("prf_full")
	pfCreate(t, st, full)
	pfDiff(t, "full profile", pfGet(t, st, full.ID), full)

	empty := profile.Profile{ID: "prf_empty", CreatedAt: pfNow, UpdatedAt: pfNow}
	pfCreate(t, st, empty)
	got := pfGet(t, st, empty.ID)
	pfDiff(t, "empty profile", got, empty)
	if !got.Avatar.IsZero() {
		t.Errorf("new profile: got avatar %+v, want none", got.Avatar)
	}
}

func testProfileUpdate(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	pfCreate(t, st, pfFull("prf_a"))
	pfCreate(t, st, pfFull("prf_b"))
	info := pfSetAvatar(t, st, "prf_a", []byte("first"))

	want := profile.Profile{
		ID: "prf_a", Name: "Grace", Country: "NL", Skills: []string{"COBOL"},
		PendingRecoveryEmail: "grace@example.org",
		CreatedAt:            pfNow, UpdatedAt: pfNow.Add(2 * time.Hour),
	}
	upd := want
	upd.CreatedAt = pfNow.Add(-time.Hour)        // ignored
	upd.Avatar = profile.AvatarInfo{Digest: "x"} // ignored
	if err := st.UpdateProfile(ctx, upd); err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	want.Avatar = info
	pfDiff(t, "updated profile", pfGet(t, st, "prf_a"), want)
	pfDiff(t, "other profile", pfGet(t, st, "prf_b"), pfFull("prf_b"))
}

func testProfileDelete(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	pfCreate(t, st, pfFull("prf_a"))
	pfCreate(t, st, pfFull("prf_b"))
	pfSetAvatar(t, st, "prf_a", []byte("img"))
	if err := st.SaveProgress(ctx, "prf_a", profile.Progress{Points: 5}); err != nil {
		t.Fatalf("SaveProgress: %v", err)
	}
	if err := st.DeleteProfile(ctx, "prf_a"); err != nil {
		t.Fatalf("DeleteProfile: %v", err)
	}
	_, err := st.Profile(ctx, "prf_a")
	wantErr(t, "Profile after delete", err, storage.ErrNotFound)
	_, err = st.Avatar(ctx, "prf_a")
	wantErr(t, "Avatar after delete", err, storage.ErrNotFound)
	_, err = st.Progress(ctx, "prf_a")
	wantErr(t, "Progress after delete", err, storage.ErrNotFound)
	wantErr(t, "DeleteProfile twice", st.DeleteProfile(ctx, "prf_a"), storage.ErrNotFound)
	pfDiff(t, "other profile", pfGet(t, st, "prf_b"), pfFull("prf_b"))

	// The id may be used again, and the new profile starts clean.
	pfCreate(t, st, pfFull("prf_a"))
	if _, err := st.Avatar(ctx, "prf_a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Avatar of re-created profile: got %v, want ErrNotFound", err)
	}
	pr, err := st.Progress(ctx, "prf_a")
	if err != nil || pr.Points != 0 {
		t.Errorf("Progress of re-created profile: got %+v, %v; want zero", pr, err)
	}
}

func testProfileNotFound(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	const id = "prf_missing"
	_, err := st.Profile(ctx, id)
	wantErr(t, "Profile", err, storage.ErrNotFound)
	wantErr(t, "UpdateProfile", st.UpdateProfile(ctx, pfFull(id)), storage.ErrNotFound)
	wantErr(t, "DeleteProfile", st.DeleteProfile(ctx, id), storage.ErrNotFound)
	wantErr(t, "SetAvatar", st.SetAvatar(ctx, id, pfAvatar([]byte("x"))), storage.ErrNotFound)
	wantErr(t, "DeleteAvatar", st.DeleteAvatar(ctx, id), storage.ErrNotFound)
	_, err = st.Avatar(ctx, id)
	wantErr(t, "Avatar", err, storage.ErrNotFound)
	_, err = st.Progress(ctx, id)
	wantErr(t, "Progress", err, storage.ErrNotFound)
	wantErr(t, "SaveProgress", st.SaveProgress(ctx, id, profile.Progress{Points: 1}), storage.ErrNotFound)
	if _, err := st.Profile(ctx, id); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("failed writes created the profile: %v", err)
	}
}

func testProfileConflict(t *testing.T, st ProfileStore) {
	first := pfFull("prf_a")
	pfCreate(t, st, first)
	second := profile.Profile{ID: "prf_a", Name: "Other", CreatedAt: pfNow, UpdatedAt: pfNow}
	err := st.CreateProfile(context.Background(), second)
	wantErr(t, "CreateProfile with a taken id", err, storage.ErrConflict)
	pfDiff(t, "profile after conflict", pfGet(t, st, "prf_a"), first)
}

func testProfileCopies(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	in := pfFull("prf_a")
	pfCreate(t, st, in)
	in.Skills[0], in.Industries[0] = "changed", "changed"
	got := pfGet(t, st, "prf_a")
	pfDiff(t, "after changing the input", got, pfFull("prf_a"))
	got.Skills[0], got.Industries[0] = "changed", "changed"
	pfDiff(t, "after changing the output", pfGet(t, st, "prf_a"), pfFull("prf_a"))

	upd := pfFull("prf_a")
	if err := st.UpdateProfile(ctx, upd); err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	upd.Skills[1] = "changed"
	pfDiff(t, "after changing the update input", pfGet(t, st, "prf_a"), pfFull("prf_a"))

	data := []byte("avatar bytes")
	pfSetAvatar(t, st, "prf_a", data)
	data[0] = 'X'
	a, err := st.Avatar(ctx, "prf_a")
	if err != nil || string(a.Data) != "avatar bytes" {
		t.Fatalf("Avatar after changing the input: got %q, %v", a.Data, err)
	}
	a.Data[0] = 'X'
	if a, _ = st.Avatar(ctx, "prf_a"); string(a.Data) != "avatar bytes" {
		t.Errorf("Avatar after changing the output: got %q", a.Data)
	}

	pr := pfProgress()
	if err := st.SaveProgress(ctx, "prf_a", pr); err != nil {
		t.Fatalf("SaveProgress: %v", err)
	}
	pr.Achievements[0].Name = "changed"
	gotPr, _ := st.Progress(ctx, "prf_a")
	pfDiff(t, "progress after changing the input", gotPr, pfSortedProgress())
	gotPr.Academy[0].Percent = 1
	gotPr, _ = st.Progress(ctx, "prf_a")
	pfDiff(t, "progress after changing the output", gotPr, pfSortedProgress())
}

func pfAvatar(data []byte) profile.Avatar {
	return profile.Avatar{
		AvatarInfo: profile.AvatarInfo{
			ContentType: "image/png", Size: len(data), Width: 32, Height: 16,
			Digest: "digest-of-" + string(data),
		},
		Data: data,
	}
}

// pfSetAvatar stores an avatar with the bytes and returns its info.
func pfSetAvatar(t *testing.T, st ProfileStore, id string, data []byte) profile.AvatarInfo {
	t.Helper()
	a := pfAvatar(data)
	if err := st.SetAvatar(context.Background(), id, a); err != nil {
		t.Fatalf("SetAvatar(%s): %v", id, err)
	}
	return a.AvatarInfo
}

func testProfileAvatar(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	pfCreate(t, st, pfFull("prf_a"))
	if _, err := st.Avatar(ctx, "prf_a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Avatar before SetAvatar: got %v, want ErrNotFound", err)
	}
	if err := st.DeleteAvatar(ctx, "prf_a"); err != nil {
		t.Errorf("DeleteAvatar without avatar: got %v, want nil", err)
	}
	for _, data := range []string{"first image", "second image"} {
		info := pfSetAvatar(t, st, "prf_a", []byte(data))
		got, err := st.Avatar(ctx, "prf_a")
		if err != nil {
			t.Fatalf("Avatar: %v", err)
		}
		pfDiff(t, "avatar", got, profile.Avatar{AvatarInfo: info, Data: []byte(data)})
		pfDiff(t, "Profile.Avatar", pfGet(t, st, "prf_a").Avatar, info)
	}
	if err := st.DeleteAvatar(ctx, "prf_a"); err != nil {
		t.Fatalf("DeleteAvatar: %v", err)
	}
	if _, err := st.Avatar(ctx, "prf_a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Avatar after DeleteAvatar: got %v, want ErrNotFound", err)
	}
	if got := pfGet(t, st, "prf_a").Avatar; !got.IsZero() {
		t.Errorf("Profile.Avatar after DeleteAvatar: got %+v, want zero", got)
	}
	pfDiff(t, "profile after avatar changes", pfGet(t, st, "prf_a"), pfFull("prf_a"))
}

// pfProgress returns progress with lists out of ID order.
func pfProgress() profile.Progress {
	return profile.Progress{
		Points: 1234,
		Achievements: []profile.Achievement{
			{ID: "ach_b", Name: "Helper", AwardedAt: pfNow.Add(48 * time.Hour)},
			{ID: "ach_a", Name: "First post", AwardedAt: pfNow},
		},
		Certifications: []profile.Certification{
			{ID: "crt_z", Name: "Expert", ValidUntil: pfNow.AddDate(2, 0, 0)},
			{ID: "crt_a", Name: "Rapid", ValidUntil: pfNow.AddDate(1, 0, 0)},
		},
		Academy: []profile.CourseProgress{
			{CourseID: "crs_2", Title: "Advanced", Percent: 40},
			{CourseID: "crs_1", Title: "Basics", Percent: 100, Completed: true},
		},
	}
}

// pfSortedProgress is pfProgress with its lists ordered by ID.
func pfSortedProgress() profile.Progress {
	p := pfProgress()
	p.Achievements[0], p.Achievements[1] = p.Achievements[1], p.Achievements[0]
	p.Certifications[0], p.Certifications[1] = p.Certifications[1], p.Certifications[0]
	p.Academy[0], p.Academy[1] = p.Academy[1], p.Academy[0]
	return p
}

func testProfileProgress(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	pfCreate(t, st, pfFull("prf_a"))
	pfCreate(t, st, pfFull("prf_b"))
	got, err := st.Progress(ctx, "prf_a")
	if err != nil {
		t.Fatalf("Progress of a new profile: %v", err)
	}
	pfDiff(t, "progress of a new profile", got, profile.Progress{})

	if err := st.SaveProgress(ctx, "prf_a", pfProgress()); err != nil {
		t.Fatalf("SaveProgress: %v", err)
	}
	got, _ = st.Progress(ctx, "prf_a")
	pfDiff(t, "saved progress (ordered by ID)", got, pfSortedProgress())

	smaller := profile.Progress{Points: 7, Academy: []profile.CourseProgress{{CourseID: "crs_9", Title: "New"}}}
	if err := st.SaveProgress(ctx, "prf_a", smaller); err != nil {
		t.Fatalf("SaveProgress again: %v", err)
	}
	got, _ = st.Progress(ctx, "prf_a")
	pfDiff(t, "replaced progress", got, smaller)
	got, _ = st.Progress(ctx, "prf_b")
	pfDiff(t, "other profile's progress", got, profile.Progress{})
}

func testProfileRollback(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	pfCreate(t, st, pfFull("prf_a"))
	pfWrites := func(ctx context.Context) {
		t.Helper()
		changed := pfFull("prf_a")
		changed.Name, changed.Skills = "Changed", []string{"Changed"}
		for _, err := range []error{
			st.CreateProfile(ctx, pfFull("prf_new")),
			st.UpdateProfile(ctx, changed),
			st.SetAvatar(ctx, "prf_a", pfAvatar([]byte("img"))),
			st.SaveProgress(ctx, "prf_a", pfProgress()),
		} {
			if err != nil {
				t.Fatalf("write in transaction: %v", err)
			}
		}
	}
	err := st.InTx(ctx, func(ctx context.Context) error {
		pfWrites(ctx)
		if p, err := st.Profile(ctx, "prf_a"); err != nil || p.Name != "Changed" {
			t.Errorf("read inside the transaction: got %q, %v; want the change", p.Name, err)
		}
		return errPfBoom
	})
	wantErr(t, "InTx", err, errPfBoom)
	pfCheckUntouched(t, st, "after an error")

	err = st.InTx(ctx, func(ctx context.Context) error {
		return st.InTx(ctx, func(ctx context.Context) error {
			pfWrites(ctx)
			return errPfBoom
		})
	})
	wantErr(t, "nested InTx", err, errPfBoom)
	pfCheckUntouched(t, st, "after a nested error")

	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Errorf("InTx swallowed the panic")
			}
		}()
		_ = st.InTx(ctx, func(ctx context.Context) error {
			pfWrites(ctx)
			panic("storagetest: panic in transaction")
		})
	}()
	pfCheckUntouched(t, st, "after a panic")
}

// pfCheckUntouched checks that the writes of testProfileRollback left
// nothing behind.
func pfCheckUntouched(t *testing.T, st ProfileStore, when string) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Profile(ctx, "prf_new"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("%s: created profile remains (err %v)", when, err)
	}
	pfDiff(t, when+": profile", pfGet(t, st, "prf_a"), pfFull("prf_a"))
	if _, err := st.Avatar(ctx, "prf_a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("%s: avatar remains (err %v)", when, err)
	}
	pr, err := st.Progress(ctx, "prf_a")
	if err != nil {
		t.Fatalf("%s: Progress: %v", when, err)
	}
	pfDiff(t, when+": progress", pr, profile.Progress{})
}

func testProfileCanceled(t *testing.T, st ProfileStore) {
	pfCreate(t, st, pfFull("prf_a"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := st.Profile(ctx, "prf_a")
	wantErr(t, "Profile with a canceled context", err, context.Canceled)
	err = st.CreateProfile(ctx, pfFull("prf_b"))
	wantErr(t, "CreateProfile with a canceled context", err, context.Canceled)
	err = st.InTx(ctx, func(context.Context) error { return nil })
	wantErr(t, "InTx with a canceled context", err, context.Canceled)
}

func testProfileCreateRace(t *testing.T, st ProfileStore) {
	const n = 16
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		ok, conflicts    int
		start            = make(chan struct{})
		unexpectedErrors []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := pfFull("prf_race")
			p.Name = string(rune('A' + i))
			<-start
			err := st.CreateProfile(context.Background(), p)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, storage.ErrConflict):
				conflicts++
			default:
				unexpectedErrors = append(unexpectedErrors, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok != 1 || conflicts != n-1 || len(unexpectedErrors) > 0 {
		t.Errorf("%d goroutines creating one id: got %d created, %d conflicts, errors %v; want 1, %d, none",
			n, ok, conflicts, unexpectedErrors, n-1)
	}
}

// testProfilesByRecoveryEmail checks that only a verified recovery email
// finds a profile, case-insensitively, oldest first.
func testProfilesByRecoveryEmail(t *testing.T, st ProfileStore) {
	ctx := context.Background()
	mk := func(id, recovery, pending string, at time.Time) {
		p := profile.Profile{ID: id, RecoveryEmail: recovery, PendingRecoveryEmail: pending, CreatedAt: at, UpdatedAt: at}
		pfCreate(t, st, p)
	}
	mk("prf_b", "Home@Example.org", "", pfNow)
	mk("prf_a", "home@example.org", "", pfNow.Add(time.Hour))
	mk("prf_c", "", "home@example.org", pfNow)
	mk("prf_d", "other@example.org", "", pfNow)
	mk("prf_e", "", "", pfNow)
	for _, tt := range []struct {
		email string
		want  []string
	}{
		{"home@example.org", []string{"prf_b", "prf_a"}},
		{"HOME@EXAMPLE.ORG", []string{"prf_b", "prf_a"}},
		{"nobody@example.org", nil},
		{"", nil},
	} {
		got, err := st.ProfilesByRecoveryEmail(ctx, tt.email)
		if err != nil {
			t.Fatalf("ProfilesByRecoveryEmail(%q): %v", tt.email, err)
		}
		if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("ProfilesByRecoveryEmail(%q) (-want +got):\n%s", tt.email, d)
		}
	}
}
