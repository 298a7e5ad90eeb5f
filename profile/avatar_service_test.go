package profile_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/profile"
)

func TestAvatar(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	if _, err := svc.SetAvatar(ctx, me(acc, p.ID), []byte("garbage")); !errors.Is(err, profile.ErrInvalid) {
		t.Fatalf("SetAvatar(garbage): got %v, want ErrInvalid", err)
	}
	data := pngBytes(t)
	got, err := svc.SetAvatar(ctx, me(acc, p.ID), data)
	if err != nil || got.Avatar.ContentType != profile.TypePNG || got.Avatar.Width != 32 {
		t.Fatalf("SetAvatar: got %+v, %v", got.Avatar, err)
	}
	// What is stored is a re-encoding of the upload, which the profile
	// describes.
	a, err := svc.Avatar(ctx, me(acc, p.ID))
	if sum := sha256.Sum256(a.Data); err != nil || a.AvatarInfo != got.Avatar ||
		a.Digest != hex.EncodeToString(sum[:]) || a.Size != len(a.Data) {
		t.Errorf("Avatar: got %+v, %v", a.AvatarInfo, err)
	}
	if _, err := svc.PublicAvatar(ctx, p.ID); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("PublicAvatar of a private profile: got %v, want ErrNotFound", err)
	}
	if got, err = svc.DeleteAvatar(ctx, me(acc, p.ID)); err != nil || !got.Avatar.IsZero() {
		t.Fatalf("DeleteAvatar: got %+v, %v", got.Avatar, err)
	}
	if _, err := svc.Avatar(ctx, me(acc, p.ID)); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("Avatar after delete: got %v, want ErrNotFound", err)
	}
	var items []string
	for _, e := range entries(t, st, p.ID) {
		items = append(items, e.Item+" "+string(e.Action))
	}
	if want := []string{"avatar set", "avatar cleared"}; !cmp.Equal(items, want) {
		t.Errorf("history: got %q, want %q", items, want)
	}
}

func TestDeleteAvatarOfPublicProfile(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p := publicProfile(t, svc)
	if a, err := svc.PublicAvatar(ctx, p.ID); err != nil || a.Digest != p.Avatar.Digest {
		t.Errorf("PublicAvatar: got %+v, %v", a.AvatarInfo, err)
	}
	_, err := svc.DeleteAvatar(ctx, me(acc, p.ID))
	wantMissing(t, err, "avatar")
	if _, err := svc.Avatar(ctx, me(acc, p.ID)); err != nil {
		t.Errorf("refused DeleteAvatar removed the avatar: %v", err)
	}
	if _, err := svc.MakePrivate(ctx, me(acc, p.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeleteAvatar(ctx, me(acc, p.ID)); err != nil {
		t.Errorf("DeleteAvatar of a private profile: %v", err)
	}
}

func TestSaveProgress(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	p := create(t, svc)
	bad := profile.Progress{
		Points:         -1,
		Achievements:   []profile.Achievement{{ID: " "}},
		Certifications: []profile.Certification{{ID: "c"}, {ID: "c"}},
		Academy:        []profile.CourseProgress{{CourseID: "a", Percent: 101}},
	}
	var verr *profile.ValidationError
	if err := svc.SaveProgress(ctx, p.ID, bad); !errors.As(err, &verr) {
		t.Fatalf("got %v, want *ValidationError", err)
	}
	want := map[string]string{"points": "out_of_range", "achievements": "missing_id", "certifications": "duplicate_id", "academy": "out_of_range"}
	if d := cmp.Diff(want, verr.Fields); d != "" {
		t.Errorf("Fields mismatch (-want +got):\n%s", d)
	}
	good := profile.Progress{Points: 3, Academy: []profile.CourseProgress{{CourseID: "b", Percent: 100}, {CourseID: "a"}}}
	if err := svc.SaveProgress(ctx, p.ID, good); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Progress(ctx, p.ID)
	if err != nil || got.Points != 3 || got.Academy[0].CourseID != "a" {
		t.Errorf("Progress: got %+v, %v", got, err)
	}
	// The change history records the saved progress (and not the refused
	// one), as reported by the host: no acting account.
	var progress []history.Entry
	for _, e := range entries(t, st, p.ID) {
		if e.Item == "progress" {
			progress = append(progress, e)
		}
	}
	if len(progress) != 1 || progress[0].Action != history.ActionSet || progress[0].AccountID != "" ||
		progress[0].Detail != "points 3, 0 achievements, 0 certifications, 2 academy courses" {
		t.Errorf("progress history = %+v, want one entry of the saved progress", progress)
	}
}

func TestDelete(t *testing.T) {
	svc, st := newService(t)
	ctx := context.Background()
	p := publicProfile(t, svc)
	if err := svc.Delete(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, me(acc, p.ID)); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if e := entries(t, st, p.ID); len(e) != 0 {
		t.Errorf("history remains after Delete: %d entries", len(e))
	}
}
