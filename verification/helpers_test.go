package verification_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// clock is the shared fake clock of the tests.
type clock = fakeclock.Clock

// env is a verification service on a fresh memory store with a fake clock
// and an outbox.
type env struct {
	t     *testing.T
	ctx   context.Context
	st    *memory.Store
	clock *clock
	out   *notify.Outbox
	svc   *verification.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{
		t: t, ctx: context.Background(), st: memory.New(),
		clock: fakeclock.New(time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)), out: notify.NewOutbox(),
	}
	e.out.Now = e.clock.Now
	e.svc = verification.NewService(verification.Config{
		Store: e.st, Tx: e.st, Mailer: e.out, Key: []byte("test key, 32 bytes long........"), Now: e.clock.Now,
	})
	return e
}

// issue issues a code and returns it, read from the outbox.
func (e *env) issue(purpose verification.Purpose, flow, addr string) string {
	e.t.Helper()
	if err := e.svc.Issue(e.ctx, purpose, flow, addr); err != nil {
		e.t.Fatalf("Issue(%s, %s, %s): %v", purpose, flow, addr, err)
	}
	return e.lastCode(addr)
}

// lastCode returns the code in the newest mail to addr.
func (e *env) lastCode(addr string) string {
	e.t.Helper()
	m, ok := e.out.Last(addr)
	if !ok {
		e.t.Fatalf("no mail to %s", addr)
	}
	return usersettingstest.MailCode(e.t, "mail to "+addr, m.Body)
}

// wrong returns a well-formed code different from code.
func wrong(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
