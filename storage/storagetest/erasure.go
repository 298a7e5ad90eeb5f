package storagetest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Dumper may be implemented by the store given to TestErasure: Dump
// returns everything the adapter holds, as bytes to search (rows of
// every table as text with byte values in lower-case hex, raw database
// files, a database dump). Without it TestErasure checks through the
// Store methods only.
type Dumper interface {
	Dump(ctx context.Context) ([]byte, error)
}

// World is the SDK's services over one store, wired as a host would wire
// them, for the personal-data suites and examples.
type World struct {
	Store        ErasureStore
	Outbox       *notify.Outbox
	Codes        *verification.Service
	Tokens       *token.Service
	TwoFactor    *twofactor.Service
	Sessions     *session.Service
	Accounts     *account.Service
	PersonalData *personaldata.Service
	// owners resolves the callers of PersonalData.
	owners *memoOwners
}

// memoOwners resolves callers through the accounts and, once remember
// is set, keeps each answer, so CoverageProblems can export a person
// while it hides the accounts themselves.
type memoOwners struct {
	live     *account.Owners
	mu       sync.Mutex
	remember bool
	known    map[string]string
}

func (o *memoOwners) OwnerProfile(ctx context.Context, accountID string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if p, ok := o.known[accountID]; ok && o.remember {
		return p, nil
	}
	p, err := o.live.OwnerProfile(ctx, accountID)
	if err == nil && o.remember {
		o.known[accountID] = p
	}
	return p, err
}

// wdCompanies says the "corp-*" domains belong to companies.
type wdCompanies struct{}

func (wdCompanies) Company(_ context.Context, email string) (account.Company, bool, error) {
	if i := bytes.IndexByte([]byte(email), '@'); i >= 0 && bytes.HasPrefix([]byte(email[i+1:]), []byte("corp-")) {
		return account.Company{Name: "Company of " + email[i+1:]}, true, nil
	}
	return account.Company{}, false, nil
}

// worldSignIns gives the passkey service the world's account service,
// built after it.
type worldSignIns struct{ w *World }

func (s worldSignIns) BeginCredentialSignIn(ctx context.Context, l account.CredentialLogin) (*account.HostAttempt, error) {
	return s.w.Accounts.BeginCredentialSignIn(ctx, l)
}

// NewWorld returns the services over st. extra sources are appended to
// the SDK's.
func NewWorld(t testing.TB, st ErasureStore, extra ...personaldata.Source) *World {
	t.Helper()
	w := &World{Store: st, Outbox: notify.NewOutbox(), owners: &memoOwners{live: account.NewOwners(st), known: map[string]string{}}}
	w.Codes = verification.NewService(verification.Config{Store: st, Tx: st, Mailer: w.Outbox})
	w.Tokens = token.NewService(token.Config{
		Store: st, Accounts: st, Tx: st, History: st,
		Scopes: token.NewRegistry(token.Scope{Name: "mx:app:read", Description: "read apps"}),
	})
	w.TwoFactor = twofactor.NewService(twofactor.Config{
		Store: st, Accounts: st, Tx: st, History: st, Key: bytes.Repeat([]byte{7}, twofactor.KeySize),
	})
	w.Sessions = session.NewService(session.Config{Store: st, Accounts: st})
	pk, err := passkey.NewService(passkey.Config{Store: st, Accounts: st, Tx: st, SignIns: worldSignIns{w}})
	if err != nil {
		t.Fatal(err)
	}
	w.PersonalData = personaldata.NewService(personaldata.Config{
		Tx: st, Profiles: st, Accounts: st, History: st, Owners: w.owners,
		Sources: personaldata.DefaultSources(personaldata.Deps{
			Profiles: st, Accounts: st, Codes: st, History: st, Notify: st,
			Tokens: w.Tokens, TwoFactor: w.TwoFactor, Passkeys: pk, Sessions: w.Sessions, Merges: st, Mail: st, SecurityLog: st,
			Companies: wdCompanies{}, Extra: extra,
		}),
	})
	w.Accounts = account.NewService(account.Config{
		Accounts: st, Profiles: st, History: st, Tx: st, Codes: w.Codes,
		Companies: wdCompanies{}, Erasure: w.PersonalData,
	})
	return w
}

// TestErasure fills every store for two people, erases one of them (by
// deleting both of their accounts through account.Service.Delete, and
// through personaldata.Service.Erase) and checks that the other is
// untouched and that none of the erased person's values, ids or secrets
// can be found: through the Store methods and, when the store implements
// Dumper, anywhere in its dump. It also checks that a failing source
// rolls the whole erasure back.
func TestErasure(t *testing.T, newStore func(t *testing.T) ErasureStore) {
	t.Run("AccountDeletion", func(t *testing.T) {
		testErasure(t, newStore(t), func(t *testing.T, w *World, p Person) {
			for _, id := range p.AccountIDs {
				if err := w.Accounts.Delete(context.Background(), auth.New(id, auth.MethodPassword, time.Now(), ""), id); err != nil {
					t.Fatalf("account Delete(%s): %v", id, err)
				}
			}
			if err := w.PersonalData.Scrub(context.Background()); err != nil {
				t.Fatalf("Scrub: %v", err)
			}
		})
	})
	t.Run("Erase", func(t *testing.T) {
		testErasure(t, newStore(t), func(t *testing.T, w *World, p Person) {
			if err := w.PersonalData.Erase(context.Background(), p.Caller()); err != nil {
				t.Fatalf("Erase: %v", err)
			}
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		w := NewWorld(t, newStore(t))
		if err := w.PersonalData.AdminErase(context.Background(), Admin, "prf_nobody"); !errors.Is(err, personaldata.ErrNotFound) {
			t.Errorf("AdminErase(unknown) = %v, want ErrNotFound", err)
		}
		if err := w.PersonalData.Erase(context.Background(), auth.New("acc_nobody", auth.MethodPassword, time.Now(), "")); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("Erase(unknown caller) = %v, want auth.ErrForbidden", err)
		}
	})
	t.Run("Rollback", func(t *testing.T) { testErasureRollback(t, newStore(t)) })
}

// testErasure fills alice and bob, erases alice with erase and checks.
func testErasure(t *testing.T, st ErasureStore, erase func(*testing.T, *World, Person)) {
	w := NewWorld(t, st)
	alice, bob := FillPerson(t, st, "alice"), FillPerson(t, st, "bob")
	bobBefore := snapshot(t, w, bob)
	erase(t, w, alice)
	if diff := cmp.Diff(bobBefore, snapshot(t, w, bob), snapshotOpts...); diff != "" {
		t.Errorf("the other person changed (-before +after):\n%s", diff)
	}
	checkGone(t, w, alice)
	if d, ok := st.(Dumper); ok {
		dump, err := d.Dump(context.Background())
		if err != nil {
			t.Fatalf("Dump: %v", err)
		}
		for _, n := range needles(alice) {
			if i := bytes.Index(dump, n.b); i >= 0 {
				t.Errorf("erased %s %q still found in the store's dump: …%q…", n.what, n.b, context40(dump, i))
			}
		}
		for _, v := range bob.Values {
			if !bytes.Contains(dump, []byte(v)) {
				t.Errorf("the other person's value %q is missing from the dump", v)
			}
		}
	}
}

// testErasureRollback erases with a source that fails last and checks
// that nothing changed.
func testErasureRollback(t *testing.T, st ErasureStore) {
	ctx := context.Background()
	w := NewWorld(t, st, failingSource{})
	alice := FillPerson(t, st, "alice")
	before := snapshot(t, w, alice)
	if err := w.PersonalData.Erase(ctx, alice.Caller()); !errors.Is(err, errFailingSource) {
		t.Fatalf("Erase with a failing source = %v, want errFailingSource", err)
	}
	if err := w.Accounts.Delete(ctx, alice.Caller(), alice.AccountIDs[0]); !errors.Is(err, errFailingSource) {
		t.Fatalf("account Delete with a failing source = %v, want errFailingSource", err)
	}
	if diff := cmp.Diff(before, snapshot(t, w, alice), snapshotOpts...); diff != "" {
		t.Errorf("a failed erasure changed data (-before +after):\n%s", diff)
	}
}

var errFailingSource = errors.New("storagetest: failing source")

// failingSource fails every erasure, after the SDK's sources ran.
type failingSource struct{}

func (failingSource) Name() string { return "failing" }
func (failingSource) Collect(context.Context, personaldata.Person, *personaldata.View) error {
	return nil
}
func (failingSource) EraseAccount(context.Context, string) error { return errFailingSource }
func (failingSource) EraseProfile(context.Context, string) error { return errFailingSource }

// personSnapshot is what the Store methods show of a person, secrets
// included, to compare before and after an erasure.
type personSnapshot struct {
	View      personaldata.View
	Hashes    []string
	TwoFactor []twofactor.Record
	Recovery  []int
	Codes     []verification.Code
	Sends     [][]time.Time
	Pending   account.Pending
	Avatar    []byte
}

var snapshotOpts = []cmp.Option{cmpopts.IgnoreFields(personaldata.View{}, "ExportedAt"), cmpopts.EquateEmpty()}

func snapshot(t *testing.T, w *World, p Person) personSnapshot {
	t.Helper()
	ctx := context.Background()
	var s personSnapshot
	var err error
	if s.View, err = w.PersonalData.Collect(ctx, p.Caller()); err != nil {
		t.Fatalf("Collect(%s): %v", p.ProfileID, err)
	}
	for _, id := range p.AccountIDs {
		a, err := w.Store.Account(ctx, id)
		r, err2 := w.Store.TwoFactor(ctx, id)
		n, err3 := w.Store.RecoveryCodesLeft(ctx, id)
		if err = errors.Join(err, err2, err3); err != nil {
			t.Fatalf("snapshot of account %s: %v", id, err)
		}
		s.Hashes, s.TwoFactor, s.Recovery = append(s.Hashes, a.PasswordHash), append(s.TwoFactor, r), append(s.Recovery, n)
	}
	for i, addr := range []string{s.View.Accounts[0].Email, s.View.Profile.RecoveryEmail} {
		c, err := w.Store.CodeOfFlow(ctx, verification.PurposeMerge, "flow_"+p.Tag+string(rune('a'+i)))
		sends, err2 := w.Store.SendsSince(ctx, addr, time.Time{})
		if err = errors.Join(err, err2); err != nil {
			t.Fatalf("snapshot of codes: %v", err)
		}
		s.Codes, s.Sends = append(s.Codes, c), append(s.Sends, sends)
	}
	if s.Pending, err = w.Store.Pending(ctx, "pnd_"+p.Tag); err != nil {
		t.Fatalf("snapshot of pending: %v", err)
	}
	a, err := w.Store.Avatar(ctx, p.ProfileID)
	if err != nil {
		t.Fatalf("snapshot of avatar: %v", err)
	}
	s.Avatar = a.Data
	return s
}

// checkGone checks through the Store methods that nothing of p is left.
func checkGone(t *testing.T, w *World, p Person) {
	t.Helper()
	ctx := context.Background()
	st := w.Store
	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s after erasure: err = %v, want ErrNotFound", what, err)
		}
	}
	_, err := st.Profile(ctx, p.ProfileID)
	notFound("Profile", err)
	_, err = st.Pending(ctx, "pnd_"+p.Tag)
	notFound("Pending", err)
	for i, id := range p.AccountIDs {
		_, err = st.Account(ctx, id)
		notFound("Account", err)
		_, err = st.TwoFactor(ctx, id)
		notFound("TwoFactor", err)
		toks, err := st.TokensOfAccount(ctx, id)
		keys, err2 := st.APIKeysOfAccount(ctx, id)
		if len(toks)+len(keys) > 0 || err != nil || err2 != nil {
			t.Errorf("account %s keeps %d tokens and %d keys (%v, %v)", id, len(toks), len(keys), err, err2)
		}
		_, err = st.CodeOfFlow(ctx, verification.PurposeMerge, "flow_"+p.Tag+string(rune('a'+i)))
		notFound("CodeOfFlow", err)
		if list, err := st.SessionsOfAccount(ctx, id); len(list) > 0 || err != nil {
			t.Errorf("account %s keeps %d sessions (%v)", id, len(list), err)
		}
	}
	_, err = st.MergeFlow(ctx, "mrg_"+p.Tag)
	notFound("MergeFlow", err)
	hist, err := st.History(ctx, p.ProfileID, 0, 10)
	apps, err2 := st.WatchedApps(ctx, p.ProfileID)
	_, saved, err3 := st.NotificationSettings(ctx, p.ProfileID)
	if len(hist)+len(apps) > 0 || saved || errors.Join(err, err2, err3) != nil {
		t.Errorf("after erasure: %d history entries, %d watched apps, settings saved %v (%v)",
			len(hist), len(apps), saved, errors.Join(err, err2, err3))
	}
	for _, addr := range []string{p.Tag + ".one@corp-" + p.Tag + ".test", "recovery." + p.Tag + "@home-" + p.Tag + ".test"} {
		if sends, err := st.SendsSince(ctx, addr, time.Time{}); len(sends) > 0 || err != nil {
			t.Errorf("SendsSince(%s) after erasure = %d sends, %v", addr, len(sends), err)
		}
	}
}

// needle is a byte string that must not be found.
type needle struct {
	what string
	b    []byte
}

// needles lists p's values, ids and secrets (raw and in lower-case hex).
func needles(p Person) []needle {
	var out []needle
	for _, v := range p.Values {
		out = append(out, needle{"value", []byte(v)})
	}
	for _, v := range p.Hidden {
		out = append(out, needle{"value", []byte(v)})
	}
	for _, v := range p.IDs {
		out = append(out, needle{"id", []byte(v)})
	}
	for _, s := range p.Secrets {
		out = append(out, needle{"secret", s}, needle{"secret (hex)", []byte(hex.EncodeToString(s))})
	}
	return out
}

// context40 returns up to 40 bytes around i.
func context40(b []byte, i int) []byte {
	return b[max(i-20, 0):min(i+40, len(b))]
}
