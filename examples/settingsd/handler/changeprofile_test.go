package handler_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// progressDown is a memory store whose progress reads fail as a database
// that went away does, while down is set.
type progressDown struct {
	*memory.Store
	down *atomic.Bool
}

func (s progressDown) Progress(ctx context.Context, profileID string) (profile.Progress, error) {
	if s.down.Load() {
		return profile.Progress{}, errs.ErrUnavailable
	}
	return s.Store.Progress(ctx, profileID)
}

// TestProfileChangeNotWrittenWhenUnanswerable checks that a change of the
// profile whose answer the store cannot complete (its progress read
// fails) answers 503 unavailable with nothing written, not 503 for a
// change it committed, which a client would send again.
func TestProfileChangeNotWrittenWhenUnanswerable(t *testing.T) {
	var down atomic.Bool
	c := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	outbox := &notify.Outbox{Now: c.Now}
	s, err := usersettings.New(progressDown{memory.New(), &down}, usersettings.Options{
		Mailer: outbox, Now: c.Now, Dev: true, Scopes: handler.SampleScopes,
		Hasher: password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: httptest.NewServer(contract(t, handler.New(s, handler.WithDevOutbox(outbox)))), clock: c, settings: s}
	t.Cleanup(e.srv.Close)
	ada := e.signUp("ada@example.com")

	down.Store(true)
	want(t, "PATCH while progress cannot be read", e.do("PATCH", "/v1/me/profile", map[string]any{"about_you": "written while away"}, ada.auth()...), 503, "unavailable")
	down.Store(false)

	r := e.do("GET", "/v1/me/profile", nil, ada.auth()...)
	want(t, "GET profile", r, 200, "")
	if got := r.obj(t)["about_you"]; got != "" && got != nil {
		t.Errorf("about_you = %q after a change answered 503, want nothing written", got)
	}
	want(t, "PATCH once the store answers", e.do("PATCH", "/v1/me/profile", map[string]any{"about_you": "written"}, ada.auth()...), 200, "")

	// Every change of the profile reads first: making it private too.
	down.Store(true)
	want(t, "make private while progress cannot be read", e.do("POST", "/v1/me/profile/private", nil, ada.auth()...), 503, "unavailable")
}
