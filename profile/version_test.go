package profile_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
)

func TestVersion(t *testing.T) {
	base := profile.Profile{ID: "prf_a", Name: "Ada", Skills: []string{"Go"}, CreatedAt: testNow, UpdatedAt: testNow}
	v := profile.Version(base)
	if len(v) != 32 {
		t.Fatalf("Version = %q, want 32 hex digits", v)
	}
	same := base
	same.CreatedAt, same.UpdatedAt = testNow.UTC().Truncate(time.Second), time.Time{}
	if got := profile.Version(same); got != v {
		t.Errorf("Version with other times = %s, want %s", got, v)
	}
	noSkills, emptySkills := base, base
	noSkills.Skills, emptySkills.Skills = nil, []string{}
	if profile.Version(noSkills) != profile.Version(emptySkills) {
		t.Error("nil and empty skills give different versions")
	}
	for name, change := range map[string]func(*profile.Profile){
		"name":   func(p *profile.Profile) { p.Name = "Bob" },
		"skills": func(p *profile.Profile) { p.Skills = []string{"Go", "SQL"} },
		"public": func(p *profile.Profile) { p.Public = true },
		"avatar": func(p *profile.Profile) { p.Avatar.Digest = "ab" },
	} {
		p := base
		p.Skills = append([]string(nil), base.Skills...)
		change(&p)
		if profile.Version(p) == v {
			t.Errorf("changing the %s keeps the version", name)
		}
	}
}

func TestUpdateIfVersion(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	p := create(t, svc)
	read := profile.Version(p)

	// The first editor wins; the second, holding the same version, is refused.
	first, err := svc.UpdateIfVersion(ctx, me(acc, p.ID), read, profile.Update{Skills: &[]string{"Go"}})
	if err != nil {
		t.Fatalf("first UpdateIfVersion: %v", err)
	}
	_, err = svc.UpdateIfVersion(ctx, me(acc, p.ID), read, profile.Update{Skills: &[]string{"SQL"}})
	if !errors.Is(err, profile.ErrChanged) {
		t.Fatalf("stale UpdateIfVersion = %v, want ErrChanged", err)
	}
	got, err := svc.Get(ctx, me(acc, p.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Skills) != 1 || got.Skills[0] != "Go" || profile.Version(got) != profile.Version(first) {
		t.Errorf("after a stale update: skills %v, version %s; want [Go], %s", got.Skills, profile.Version(got), profile.Version(first))
	}
	if _, err := svc.UpdateIfVersion(ctx, me(acc, p.ID), profile.Version(got), profile.Update{Skills: &[]string{"SQL"}}); err != nil {
		t.Errorf("UpdateIfVersion with the current version: %v", err)
	}
	if _, err := svc.UpdateIfVersion(ctx, me("acc_ghost", "prf_missing"), read, profile.Update{}); !errors.Is(err, profile.ErrNotFound) {
		t.Errorf("UpdateIfVersion of a missing profile = %v, want ErrNotFound", err)
	}
}
