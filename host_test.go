package usersettings_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// hostHook is a host's revocation hook: it records every revocation and
// ends the host's own sessions that each names.
type hostHook struct {
	mu       sync.Mutex
	heard    []account.Revocation
	sessions map[string]string // the host's sessions: ID → account
}

func (h *hostHook) RevokeAccount(_ context.Context, r account.Revocation) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.heard = append(h.heard, r)
	for id, acct := range h.sessions {
		if acct == r.AccountID && r.Ends(id) {
			delete(h.sessions, id)
		}
	}
	return nil
}

func (h *hostHook) has(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.sessions[id]
	return ok
}

// A host's own sessions are first-class: started, touched, listed and in
// the security log; an enrolment of a second factor through one of them
// ends the others (the SDK's record and, through the hook, the host's
// own) and keeps it; signing out of one tells the hook which.
func TestHostSessionsAndRevocationHook(t *testing.T) {
	ctx := context.Background()
	hook := &hostHook{sessions: map[string]string{}}
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, Revoker: hook})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Accounts.Provision(ctx, account.ProvisionInput{Email: "ada@host.example"})
	if err != nil {
		t.Fatal(err)
	}
	acct := p.Account.ID
	laptop := auth.Client{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
	for _, id := range []string{"host-laptop", "host-phone"} {
		if _, err := s.Sessions.StartHost(ctx, session.HostBegin{ID: id, AccountID: acct, Method: auth.MethodPassword, Client: laptop}); err != nil {
			t.Fatalf("StartHost(%s): %v", id, err)
		}
		hook.sessions[id] = acct
	}
	if _, err := s.Sessions.StartHost(ctx, session.HostBegin{ID: "bad id", AccountID: acct, Method: auth.MethodPassword}); !errors.Is(err, session.ErrInvalidHostSession) {
		t.Errorf("StartHost(bad id) = %v, want ErrInvalidHostSession", err)
	}
	phone := auth.Client{IP: "198.51.100.7", UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"}
	ses, err := s.Sessions.TouchHost(ctx, "host-phone", phone)
	if err != nil || ses.IP != phone.IP {
		t.Fatalf("TouchHost = %+v, %v; want the phone's client", ses, err)
	}
	ses, err = s.Sessions.TouchHost(ctx, "host-laptop", laptop)
	if err != nil {
		t.Fatal(err)
	}
	me := ses.Caller()
	list, err := s.Sessions.List(ctx, me)
	if err != nil || len(list) != 2 || !slices.ContainsFunc(list, func(x session.Session) bool { return x.ID == "host-laptop" && x.Current }) {
		t.Fatalf("List = %+v, %v; want both host sessions, the laptop's current", list, err)
	}
	evs, err := s.SecurityEvents.Page(ctx, me, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs.Events, func(e securitylog.Event) bool {
		return e.Kind == securitylog.SignedIn && e.SessionID == "host-phone" && e.IP == laptop.IP
	}) {
		t.Errorf("the security log has no sign-in of the host session: %+v", evs.Events)
	}

	// A host's caller made with auth.New and its session ID works alike.
	me = auth.New(acct, auth.MethodPassword, s.Now(), "host-laptop")
	enr, err := s.TwoFactor.BeginAuthenticator(ctx, me, "Host", "ada@host.example")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(enr.Secret.Reveal(), s.Now())
	if _, err := s.TwoFactor.ConfirmAuthenticator(ctx, me, code); err != nil {
		t.Fatal(err)
	}
	if hook.has("host-phone") || !hook.has("host-laptop") {
		t.Errorf("after the enrolment the host keeps %v, want the laptop's session only", hook.sessions)
	}
	if _, err := s.Sessions.TouchHost(ctx, "host-phone", phone); !errors.Is(err, session.ErrInvalidSession) {
		t.Errorf("TouchHost(ended) = %v, want ErrInvalidSession", err)
	}
	last := hook.heard[len(hook.heard)-1]
	if last.Change != account.ChangeSecondFactor || last.KeepSession != "host-laptop" || last.AccountID != acct {
		t.Errorf("the hook heard %+v, want the second factor keeping host-laptop", last)
	}
	if err := s.Sessions.End(ctx, me, "host-laptop"); err != nil {
		t.Fatal(err)
	}
	last = hook.heard[len(hook.heard)-1]
	if last.Change != account.ChangeSignedOut || !slices.Equal(last.Sessions, []string{"host-laptop"}) || hook.has("host-laptop") {
		t.Errorf("signing out: the hook heard %+v (host keeps %v)", last, hook.sessions)
	}
	_ = time.Second
}
