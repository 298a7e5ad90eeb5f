package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// SSOStore is what TestSSOStore needs: single-sign-on connections and
// flows, and accounts bound to identities (which belong to profiles).
type SSOStore interface {
	storage.Transactor
	Fixture
	sso.Store
}

// TestSSOStore checks an adapter's sso.Store: connections with their
// domains (create, read by id and by domain, list, update, delete), one
// connection per domain and per id, flows used once (also by 16
// concurrent takers), expiry, accounts found by identity and unique per
// identity, unbinding accounts when their connection goes, and
// transaction rollback.
func TestSSOStore(t *testing.T, newStore func(t *testing.T) SSOStore) {
	t.Run("CreateGet", func(t *testing.T) { testSSOCreateGet(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testSSOConflict(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testSSONotFound(t, newStore(t)) })
	t.Run("Update", func(t *testing.T) { testSSOUpdate(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testSSODelete(t, newStore(t)) })
	t.Run("Flows", func(t *testing.T) { testSSOFlows(t, newStore(t)) })
	t.Run("TakeFlowRace", func(t *testing.T) { testSSOTakeRace(t, newStore(t)) })
	t.Run("AccountBySubject", func(t *testing.T) { testSSOAccountBySubject(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testSSORollback(t, newStore(t)) })
}

var ssoNow = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

// ssoCmp compares records: the clear secret is never stored.
var ssoCmp = []cmp.Option{cmpopts.IgnoreFields(sso.Connection{}, "ClientSecret"), cmpopts.EquateEmpty()}

func ssoRecord(id string, domains ...string) sso.Record {
	return sso.Record{
		Connection: sso.Connection{
			ID: id, Name: "Company " + id, Domains: domains, Issuer: "https://idp.example/" + id,
			ClientID: "client-" + id, Scopes: []string{"openid", "email", "profile"},
			Claims: sso.DefaultClaims(), Link: sso.LinkVerifiedEmail, CreatedAt: ssoNow, UpdatedAt: ssoNow.Add(time.Minute),
		},
		SealedSecret: []byte{1, 2, 3, 0, 255},
	}
}

func ssoCreate(t *testing.T, st SSOStore, r sso.Record) {
	t.Helper()
	if err := st.CreateConnection(context.Background(), r); err != nil {
		t.Fatalf("CreateConnection(%s): %v", r.ID, err)
	}
}

func ssoGet(t *testing.T, st SSOStore, id string) sso.Record {
	t.Helper()
	r, err := st.Connection(context.Background(), id)
	if err != nil {
		t.Fatalf("Connection(%s): %v", id, err)
	}
	return r
}

func ssoDiff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got, ssoCmp...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// ssoAccounts creates one profile with the accounts, each bound to the
// identity given as "connection/subject" (or none for "").
func ssoAccounts(t *testing.T, st SSOStore, accounts map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_sso", CreatedAt: ssoNow, UpdatedAt: ssoNow}); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	for id, ident := range accounts {
		a := acAccount(id, "prf_sso", id+"@acme.example")
		if ident != "" {
			a.PasswordHash = ""
			a.SSOConnection, a.SSOSubject = ssoSplit(ident)
		}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatalf("CreateAccount(%s): %v", id, err)
		}
	}
}

func ssoSplit(ident string) (string, string) {
	for i := range len(ident) {
		if ident[i] == '/' {
			return ident[:i], ident[i+1:]
		}
	}
	return ident, ""
}

func testSSOCreateGet(t *testing.T, st SSOStore) {
	ctx := context.Background()
	acme := ssoRecord("acme", "acme.example", "acme.test")
	public := ssoRecord("public", "public.example")
	public.SealedSecret, public.Scopes, public.Link = nil, []string{"openid"}, sso.LinkNever
	public.Claims = sso.Claims{Email: "mail", EmailVerified: "mail_ok", Name: "display"}
	ssoCreate(t, st, public)
	ssoCreate(t, st, acme)
	ssoDiff(t, "Connection(acme)", ssoGet(t, st, "acme"), acme)
	ssoDiff(t, "Connection(public)", ssoGet(t, st, "public"), public)
	for _, d := range acme.Domains {
		got, err := st.ConnectionByDomain(ctx, d)
		if err != nil {
			t.Fatalf("ConnectionByDomain(%s): %v", d, err)
		}
		ssoDiff(t, "ConnectionByDomain("+d+")", got, acme)
	}
	all, err := st.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ssoDiff(t, "Connections", all, []sso.Record{acme, public})
	// Returned records are copies.
	got := ssoGet(t, st, "acme")
	got.Domains[0], got.SealedSecret[0], got.Scopes[0] = "evil.example", 9, "evil"
	ssoDiff(t, "Connection(acme) after changing a copy", ssoGet(t, st, "acme"), acme)
}

func testSSOConflict(t *testing.T, st SSOStore) {
	ctx := context.Background()
	acme := ssoRecord("acme", "acme.example")
	ssoCreate(t, st, acme)
	wantErr(t, "CreateConnection(same id)", st.CreateConnection(ctx, ssoRecord("acme", "other.example")), storage.ErrConflict)
	wantErr(t, "CreateConnection(taken domain)", st.CreateConnection(ctx, ssoRecord("rival", "new.example", "acme.example")), storage.ErrConflict)
	if _, err := st.Connection(ctx, "rival"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Connection(rival) after a refused create: %v, want ErrNotFound", err)
	}
	if _, err := st.ConnectionByDomain(ctx, "new.example"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused create kept its other domain: %v", err)
	}
	if _, err := st.ConnectionByDomain(ctx, "other.example"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused create (same id) kept its domain: %v", err)
	}
	ssoDiff(t, "Connection(acme)", ssoGet(t, st, "acme"), acme)
}

func testSSONotFound(t *testing.T, st SSOStore) {
	ctx := context.Background()
	_, err := st.Connection(ctx, "nope")
	wantErr(t, "Connection", err, storage.ErrNotFound)
	_, err = st.ConnectionByDomain(ctx, "nope.example")
	wantErr(t, "ConnectionByDomain", err, storage.ErrNotFound)
	wantErr(t, "UpdateConnection", st.UpdateConnection(ctx, ssoRecord("nope", "nope.example")), storage.ErrNotFound)
	wantErr(t, "DeleteConnection", st.DeleteConnection(ctx, "nope"), storage.ErrNotFound)
	wantErr(t, "CreateFlow(unknown connection)", st.CreateFlow(ctx, ssoFlow("s", "nope", 0)), storage.ErrNotFound)
	_, err = st.TakeFlow(ctx, sso.DigestOf("s"))
	wantErr(t, "TakeFlow", err, storage.ErrNotFound)
	_, err = st.AccountBySubject(ctx, "nope", "sub")
	wantErr(t, "AccountBySubject", err, storage.ErrNotFound)
	if list, err := st.Connections(ctx); err != nil || len(list) != 0 {
		t.Errorf("Connections of an empty store = %v, %v; want none", list, err)
	}
}

func testSSOUpdate(t *testing.T, st SSOStore) {
	ctx := context.Background()
	ssoCreate(t, st, ssoRecord("acme", "acme.example", "old.example"))
	ssoCreate(t, st, ssoRecord("rival", "rival.example"))
	up := ssoRecord("acme", "acme.example", "new.example")
	up.Name, up.Issuer, up.ClientID, up.SealedSecret = "Acme Corp", "https://login.acme.example", "c2", []byte{7}
	up.Scopes, up.Link, up.Claims.Name = []string{"openid", "email"}, sso.LinkDomain, "preferred_username"
	up.CreatedAt, up.UpdatedAt = ssoNow.Add(time.Hour), ssoNow.Add(2*time.Hour) // CreatedAt is kept
	if err := st.UpdateConnection(ctx, up); err != nil {
		t.Fatal(err)
	}
	want := up
	want.CreatedAt = ssoNow
	ssoDiff(t, "Connection after update", ssoGet(t, st, "acme"), want)
	if _, err := st.ConnectionByDomain(ctx, "old.example"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a released domain still resolves: %v", err)
	}
	if r, err := st.ConnectionByDomain(ctx, "new.example"); err != nil || r.ID != "acme" {
		t.Errorf("ConnectionByDomain(new.example) = %s, %v; want acme", r.ID, err)
	}
	bad := want
	bad.Domains, bad.Name = []string{"acme.example", "rival.example"}, "Thief"
	wantErr(t, "UpdateConnection(taking another's domain)", st.UpdateConnection(ctx, bad), storage.ErrConflict)
	ssoDiff(t, "Connection after a refused update", ssoGet(t, st, "acme"), want)
	if r, err := st.ConnectionByDomain(ctx, "rival.example"); err != nil || r.ID != "rival" {
		t.Errorf("ConnectionByDomain(rival.example) = %s, %v; want rival", r.ID, err)
	}
}

func ssoFlow(state, connectionID string, minutes int) sso.Flow {
	at := ssoNow.Add(time.Duration(minutes) * time.Minute)
	return sso.Flow{State: sso.DigestOf(state), ConnectionID: connectionID, Nonce: sso.DigestOf("nonce " + state),
		Verifier: []byte("sealed " + state), ReturnTo: "/back/" + state, CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute)}
}

func testSSODelete(t *testing.T, st SSOStore) {
	ctx := context.Background()
	ssoCreate(t, st, ssoRecord("acme", "acme.example"))
	ssoCreate(t, st, ssoRecord("other", "other.example"))
	ssoAccounts(t, st, map[string]string{"acc_a": "acme/sub-a", "acc_b": "other/sub-b", "acc_c": ""})
	for _, f := range []sso.Flow{ssoFlow("a", "acme", 0), ssoFlow("b", "other", 0)} {
		if err := st.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DeleteConnection(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Connection(ctx, "acme"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Connection after delete: %v", err)
	}
	if _, err := st.ConnectionByDomain(ctx, "acme.example"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the deleted connection's domain still resolves: %v", err)
	}
	if _, err := st.TakeFlow(ctx, sso.DigestOf("a")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the deleted connection's flow survived: %v", err)
	}
	if _, err := st.TakeFlow(ctx, sso.DigestOf("b")); err != nil {
		t.Errorf("another connection's flow went: %v", err)
	}
	a, err := st.AccountByEmail(ctx, "acc_a@acme.example")
	if err != nil || a.SSOConnection != "" || a.SSOSubject != "" || a.PasswordHash != "" {
		t.Errorf("account of the deleted connection = %+v (%s/%s), %v; want it unbound, still without password", a, a.SSOConnection, a.SSOSubject, err)
	}
	if _, err := st.AccountBySubject(ctx, "acme", "sub-a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("AccountBySubject of the deleted connection: %v", err)
	}
	if b, err := st.AccountBySubject(ctx, "other", "sub-b"); err != nil || b.ID != "acc_b" {
		t.Errorf("AccountBySubject(other) = %s, %v; want acc_b untouched", b.ID, err)
	}
	// The identity is free again.
	ssoCreate(t, st, ssoRecord("acme", "acme.example"))
	a.SSOConnection, a.SSOSubject = "acme", "sub-a"
	if err := st.UpdateAccount(ctx, a); err != nil {
		t.Errorf("binding the identity again: %v", err)
	}
}

func testSSOFlows(t *testing.T, st SSOStore) {
	ctx := context.Background()
	ssoCreate(t, st, ssoRecord("acme", "acme.example"))
	f := ssoFlow("s1", "acme", 0)
	if err := st.CreateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "CreateFlow(same state)", st.CreateFlow(ctx, ssoFlow("s1", "acme", 1)), storage.ErrConflict)
	got, err := st.TakeFlow(ctx, f.State)
	if err != nil {
		t.Fatal(err)
	}
	ssoDiff(t, "TakeFlow", got, f)
	_, err = st.TakeFlow(ctx, f.State)
	wantErr(t, "TakeFlow(again)", err, storage.ErrNotFound)

	for i, s := range []string{"old1", "old2", "new"} {
		minutes := -30
		if s == "new" {
			minutes = 0
		}
		if err := st.CreateFlow(ctx, ssoFlow(s, "acme", minutes+i)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.DeleteFlowsBefore(ctx, ssoNow)
	if err != nil || n != 2 {
		t.Errorf("DeleteFlowsBefore = %d, %v; want 2", n, err)
	}
	if _, err := st.TakeFlow(ctx, sso.DigestOf("new")); err != nil {
		t.Errorf("a live flow went: %v", err)
	}
}

func testSSOTakeRace(t *testing.T, st SSOStore) {
	ctx := context.Background()
	ssoCreate(t, st, ssoRecord("acme", "acme.example"))
	f := ssoFlow("race", "acme", 0)
	if err := st.CreateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		won  int
		errs []error
	)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			_, err := st.TakeFlow(ctx, f.State)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case !errors.Is(err, storage.ErrNotFound):
				errs = append(errs, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if won != 1 || len(errs) > 0 {
		t.Errorf("%d of %d concurrent TakeFlow calls got the flow (errors %v); want exactly 1", won, n, errs)
	}
}

func testSSOAccountBySubject(t *testing.T, st SSOStore) {
	ctx := context.Background()
	ssoCreate(t, st, ssoRecord("acme", "acme.example"))
	ssoAccounts(t, st, map[string]string{"acc_a": "acme/sub-a", "acc_p": "", "acc_q": ""})
	a, err := st.AccountBySubject(ctx, "acme", "sub-a")
	if err != nil || a.ID != "acc_a" || a.SSOConnection != "acme" || a.SSOSubject != "sub-a" {
		t.Errorf("AccountBySubject = %+v, %v; want acc_a with its identity", a, err)
	}
	if _, err := st.AccountBySubject(ctx, "acme", "sub-b"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("AccountBySubject(unknown subject): %v", err)
	}
	if _, err := st.AccountBySubject(ctx, "", ""); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("AccountBySubject of no identity matched a password account: %v", err)
	}
	dup := acAccount("acc_dup", "prf_sso", "dup@acme.example")
	dup.SSOConnection, dup.SSOSubject = "acme", "sub-a"
	wantErr(t, "CreateAccount(taken identity)", st.CreateAccount(ctx, dup), storage.ErrConflict)
	p, err := st.AccountByEmail(ctx, "acc_p@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	p.SSOConnection, p.SSOSubject = "acme", "sub-a"
	wantErr(t, "UpdateAccount(taking an identity)", st.UpdateAccount(ctx, p), storage.ErrConflict)
	p.SSOSubject = "sub-p"
	if err := st.UpdateAccount(ctx, p); err != nil {
		t.Errorf("UpdateAccount(binding a free identity): %v", err)
	}
	if got, err := st.AccountBySubject(ctx, "acme", "sub-p"); err != nil || got.ID != "acc_p" {
		t.Errorf("AccountBySubject(sub-p) = %s, %v; want acc_p", got.ID, err)
	}
	// Unbinding frees the identity; an account keeps its own on update.
	p.SSOConnection, p.SSOSubject, p.Credits = "", "", 7
	if err := st.UpdateAccount(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AccountBySubject(ctx, "acme", "sub-p"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an unbound identity still finds its account: %v", err)
	}
	a.Credits = 9
	if err := st.UpdateAccount(ctx, a); err != nil {
		t.Errorf("UpdateAccount of a bound account keeping its identity: %v", err)
	}
	if err := st.DeleteAccount(ctx, "acc_a"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AccountBySubject(ctx, "acme", "sub-a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a deleted account is still found by identity: %v", err)
	}
}

func testSSORollback(t *testing.T, st SSOStore) {
	ctx := context.Background()
	boom := errors.New("storagetest: boom")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.CreateConnection(ctx, ssoRecord("acme", "acme.example")); err != nil {
			return err
		}
		if err := st.CreateFlow(ctx, ssoFlow("s", "acme", 0)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if _, err := st.Connection(ctx, "acme"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a rolled-back connection exists: %v", err)
	}
	if _, err := st.ConnectionByDomain(ctx, "acme.example"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a rolled-back domain resolves: %v", err)
	}
	ssoCreate(t, st, ssoRecord("acme", "acme.example"))
	if _, err := st.TakeFlow(ctx, sso.DigestOf("s")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a rolled-back flow exists: %v", err)
	}
}
