package web_test

// How many store reads each page makes, counted by a wrapper around the
// memory store: no page reads one thing twice, and no count grows with the
// length of the lists the page shows.

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/web"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// countingStore counts the read methods of the memory store, by
// "store.Method".
type countingStore struct {
	*memory.Store
	mu sync.Mutex
	n  map[string]int
}

func (s *countingStore) hit(m string) {
	s.mu.Lock()
	s.n[m]++
	s.mu.Unlock()
}

// take returns the counts since the last call and starts again.
func (s *countingStore) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.n
	s.n = map[string]int{}
	return n
}

func (s *countingStore) Profile(ctx context.Context, id string) (profile.Profile, error) {
	s.hit("profile.Profile")
	return s.Store.Profile(ctx, id)
}

func (s *countingStore) Avatar(ctx context.Context, id string) (profile.Avatar, error) {
	s.hit("profile.Avatar")
	return s.Store.Avatar(ctx, id)
}

func (s *countingStore) Progress(ctx context.Context, id string) (profile.Progress, error) {
	s.hit("profile.Progress")
	return s.Store.Progress(ctx, id)
}

func (s *countingStore) Account(ctx context.Context, id string) (account.Account, error) {
	s.hit("account.Account")
	return s.Store.Account(ctx, id)
}

func (s *countingStore) AccountByEmail(ctx context.Context, email string) (account.Account, error) {
	s.hit("account.AccountByEmail")
	return s.Store.AccountByEmail(ctx, email)
}

func (s *countingStore) AccountsOfProfile(ctx context.Context, id string) ([]account.Account, error) {
	s.hit("account.AccountsOfProfile")
	return s.Store.AccountsOfProfile(ctx, id)
}

func (s *countingStore) SessionByDigest(ctx context.Context, d session.Digest) (session.Session, error) {
	s.hit("session.SessionByDigest")
	return s.Store.SessionByDigest(ctx, d)
}

func (s *countingStore) SessionsOfAccount(ctx context.Context, id string) ([]session.Session, error) {
	s.hit("session.SessionsOfAccount")
	return s.Store.SessionsOfAccount(ctx, id)
}

func (s *countingStore) TokensOfAccount(ctx context.Context, id string) ([]token.Token, error) {
	s.hit("token.TokensOfAccount")
	return s.Store.TokensOfAccount(ctx, id)
}

func (s *countingStore) APIKeysOfAccount(ctx context.Context, id string) ([]token.APIKey, error) {
	s.hit("token.APIKeysOfAccount")
	return s.Store.APIKeysOfAccount(ctx, id)
}

func (s *countingStore) Token(ctx context.Context, accountID, id string) (token.Token, error) {
	s.hit("token.Token")
	return s.Store.Token(ctx, accountID, id)
}

func (s *countingStore) TwoFactor(ctx context.Context, id string) (twofactor.Record, error) {
	s.hit("twofactor.TwoFactor")
	return s.Store.TwoFactor(ctx, id)
}

func (s *countingStore) RecoveryCodesLeft(ctx context.Context, id string) (int, error) {
	s.hit("twofactor.RecoveryCodesLeft")
	return s.Store.RecoveryCodesLeft(ctx, id)
}

func (s *countingStore) NotificationSettings(ctx context.Context, id string) (notify.Settings, bool, error) {
	s.hit("notify.NotificationSettings")
	return s.Store.NotificationSettings(ctx, id)
}

func (s *countingStore) WatchedApps(ctx context.Context, id string) ([]notify.WatchedApp, error) {
	s.hit("notify.WatchedApps")
	return s.Store.WatchedApps(ctx, id)
}

func (s *countingStore) History(ctx context.Context, id string, offset, limit int) ([]history.Entry, error) {
	s.hit("history.History")
	return s.Store.History(ctx, id, offset, limit)
}

func (s *countingStore) EachHistory(ctx context.Context, id string, fn func(history.Entry) error) error {
	s.hit("history.EachHistory")
	return s.Store.EachHistory(ctx, id, fn)
}

func (s *countingStore) MergeFlow(ctx context.Context, id string) (merge.Record, error) {
	s.hit("merge.MergeFlow")
	return s.Store.MergeFlow(ctx, id)
}

func (s *countingStore) MergeFlowsOfProfile(ctx context.Context, id string) ([]merge.Record, error) {
	s.hit("merge.MergeFlowsOfProfile")
	return s.Store.MergeFlowsOfProfile(ctx, id)
}

func (s *countingStore) SendsSince(ctx context.Context, address string, since time.Time) ([]time.Time, error) {
	s.hit("verification.SendsSince")
	return s.Store.SendsSince(ctx, address, since)
}

func (s *countingStore) SecurityEvents(ctx context.Context, profileID string, after securitylog.Position, limit int) ([]securitylog.Event, error) {
	s.hit("securitylog.SecurityEvents")
	return s.Store.SecurityEvents(ctx, profileID, after, limit)
}

// signInCost is what finding the signed-in person reads on every page:
// session.Validate reads the session and its account (and finds when the
// password expires, for the warning before it), and the page reads the
// account once more for its profile and address (Validate does not
// return it).
var signInCost = map[string]int{"session.SessionByDigest": 1, "account.Account": 2}

// sdkRepeats are repeated reads made inside one SDK call, which the page
// cannot avoid: personaldata.Service.Collect reads the profile to find the
// person and again in its profile source. (Its per-account sources also
// read once per account of the profile; the test keeps one account there.)
// Every self-service call also reads the caller's account once, to check
// that it is active and find its profile (the SDK's trust boundary): the
// notifications page makes two such calls (settings, watched apps) and
// the developer page three (two-factor status, tokens, API keys).
var sdkRepeats = map[string]map[string]int{
	"/personal-data": {"profile.Profile": 2},
	"/notifications": {"account.Account": 2},
	"/developer":     {"account.Account": 3},
	// The security log's Reader resolves the caller's profile from the
	// account (auth.Profile), and the page lists the accounts of the
	// profile to name them, which reads the account once more.
	"/security-log": {"account.Account": 2},
	// The accounts page lists the accounts, and asks which of them sign
	// in without a second factor (twofactor.Service.Unprotected), a second
	// self-service call that reads the caller's account and the profile's
	// accounts once more, whatever their number.
	"/accounts": {"account.Account": 2, "account.AccountsOfProfile": 2},
}

// countingEnv is the pages over a counting memory store.
type countingEnv struct {
	st  *countingStore
	s   *usersettings.Settings
	srv *httptest.Server
	box *notify.Outbox
}

func newCountingEnv(t testing.TB) *countingEnv {
	t.Helper()
	st := &countingStore{Store: memory.New(), n: map[string]int{}}
	c := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	box := &notify.Outbox{Now: c.Now}
	s := testSettings(t, st, usersettings.Options{Mailer: box, Now: c.Now})
	srv := httptest.NewServer(web.New(s))
	t.Cleanup(srv.Close)
	return &countingEnv{st: st, s: s, srv: srv, box: box}
}

// account makes a confirmed account and returns it.
func (ce *countingEnv) account(t testing.TB, email string) account.Account {
	t.Helper()
	ctx := context.Background()
	id, err := ce.s.Accounts.SignUp(ctx, email, pw, false)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := ce.box.Last(email)
	a, err := ce.s.Accounts.ConfirmSignUp(ctx, id, usersettingstest.MailCode(t, "the mail to "+m.To, m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// addItems gives the account n more of every list a page shows.
func (ce *countingEnv) addItems(t testing.TB, a account.Account, n int) {
	t.Helper()
	ctx := context.Background()
	for k := range n {
		suffix := fmt.Sprintf("%d-%d", time.Now().UnixNano(), k)
		if _, _, err := ce.s.Tokens.Create(ctx, signedIn(ce.s, a.ID), "token "+suffix, []string{"mx:app:read"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ce.s.Tokens.CreateAPIKey(ctx, signedIn(ce.s, a.ID), "key "+suffix); err != nil {
			t.Fatal(err)
		}
		if err := ce.s.Notifications.Watch(ctx, signedIn(ce.s, a.ID), "app-"+suffix, "App "+suffix); err != nil {
			t.Fatal(err)
		}
		ev := securitylog.Event{ProfileID: a.ProfileID, AccountID: a.ID, Kind: securitylog.SignedIn, IP: "192.0.2.1"}
		if err := ce.s.SecurityLog.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
		name := "Name " + suffix
		if _, err := ce.s.Profiles.Update(ctx, auth.New(a.ID, auth.MethodPassword, ce.s.Now(), ""), profile.Update{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
}

// pageReads returns the reads of one GET of the page beyond the sign-in
// check, failing on any other status than 200.
func (ce *countingEnv) pageReads(t *testing.T, c *client, path string) map[string]int {
	t.Helper()
	ce.st.take()
	if res, body := c.do(http.MethodGet, path, nil); res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %.200s", path, res.StatusCode, body)
	}
	n := ce.st.take()
	if !strings.HasPrefix(path, "/people/") {
		for m, k := range signInCost {
			if n[m] < k {
				t.Fatalf("GET %s: %s read %d times, less than the sign-in check's %d: is the counting wrapper stale?", path, m, n[m], k)
			}
			n[m] -= k
			if n[m] == 0 {
				delete(n, m)
			}
		}
	}
	return n
}

// TestQueriesPerPage checks that each page, beyond the sign-in check,
// reads each thing once, whatever the number of items it lists.
func TestQueriesPerPage(t *testing.T) {
	ce := newCountingEnv(t)
	a := ce.account(t, ada)
	ctx := context.Background()
	if _, err := ce.s.Profiles.MakePrivate(ctx, auth.New(a.ID, auth.MethodPassword, ce.s.Now(), "")); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, ce.srv.URL)
	if res := c.signIn(ada, pw, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	pages := []string{"/profile", "/profile/merge", "/accounts", "/accounts/new", "/accounts/delete",
		"/notifications", "/developer", "/personal-data", "/security-log"}
	ce.addItems(t, a, 1)
	small := map[string]map[string]int{}
	for _, p := range pages {
		small[p] = ce.pageReads(t, c, p)
	}
	ce.addItems(t, a, 4)
	for _, p := range pages {
		got := ce.pageReads(t, c, p)
		if !maps.Equal(got, small[p]) {
			t.Errorf("GET %s reads %v with 1 item per list, %v with 5: a read per item", p, small[p], got)
		}
		for m, k := range got {
			if k > 1 && k > sdkRepeats[p][m] {
				t.Errorf("GET %s reads %s %d times, want at most once", p, m, k)
			}
		}
		t.Logf("%-16s %s", p, describeReads(got))
	}
	// The accounts overview reads the accounts once, however many.
	before := small["/accounts"]
	for _, email := range []string{"ada.2@example.com", "ada.3@example.com"} {
		id, err := ce.s.Accounts.AddAccount(ctx, signedIn(ce.s, a.ID), email, pw, false)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := ce.box.Last(email)
		if _, err := ce.s.Accounts.ConfirmAddAccount(ctx, inBrowser(t, ce.s, a.ID), id, usersettingstest.MailCode(t, "the mail to "+m.To, m.Body)); err != nil {
			t.Fatal(err)
		}
	}
	if got := ce.pageReads(t, c, "/accounts"); !maps.Equal(got, before) {
		t.Errorf("GET /accounts reads %v with 1 account, %v with 3", before, got)
	}
}

// describeReads lists reads by store, for the log and docs/performance.md.
func describeReads(n map[string]int) string {
	var out []string
	for _, m := range slices.Sorted(maps.Keys(n)) {
		out = append(out, fmt.Sprintf("%s×%d", m, n[m]))
	}
	if len(out) == 0 {
		return "(nothing beyond the sign-in check)"
	}
	return strings.Join(out, " ")
}
