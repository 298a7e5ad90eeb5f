package storagetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
)

// TokenStore is what TestTokenStore needs: tokens and API keys, and the
// accounts and profiles they belong to (adapters enforce tokens →
// accounts → profiles).
type TokenStore interface {
	storage.Transactor
	Fixture
	token.Store
}

var tokT0 = time.Date(2025, 4, 1, 9, 30, 0, 0, time.UTC)

type tokenFixture struct {
	ctx context.Context
	st  TokenStore
}

func (f tokenFixture) account(t *testing.T, id string) account.Account {
	t.Helper()
	a := account.Account{ID: id, ProfileID: "prf_" + id, Email: id + "@example.com",
		Status: account.StatusActive, CreatedAt: tokT0}
	if err := f.st.CreateProfile(f.ctx, profile.Profile{ID: a.ProfileID, CreatedAt: tokT0, UpdatedAt: tokT0}); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	if err := f.st.CreateAccount(f.ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a
}

func digest(s string) token.Digest { return sha256.Sum256([]byte(s)) }

func newToken(id, accountID, name string, at time.Time) token.Token {
	return token.Token{ID: id, AccountID: accountID, Name: name, Scopes: []string{"a", "b:c"},
		Last4: "wxyz", CreatedAt: at}
}

func (f tokenFixture) createToken(t *testing.T, tok token.Token) {
	t.Helper()
	if err := f.st.CreateToken(f.ctx, tok, digest(tok.ID)); err != nil {
		t.Fatalf("CreateToken(%s): %v", tok.ID, err)
	}
}

// TestTokenStore checks an adapter's token.Store: CRUD, uniqueness of
// digests and of names per account, the lookup joined with the account,
// the conditional last-used update, deletion per account, copies,
// transaction rollback and a 16-goroutine race on the last-used update.
func TestTokenStore(t *testing.T, newStore func(t *testing.T) TokenStore) {
	run := func(name string, fn func(t *testing.T, f tokenFixture)) {
		t.Run(name, func(t *testing.T) {
			fn(t, tokenFixture{ctx: context.Background(), st: newStore(t)})
		})
	}
	run("OK", testTokenCRUD)
	run("ErrConflict", testTokenConflicts)
	run("ErrNotFound", testTokenNotFound)
	run("ByDigest", testTokenByDigest)
	run("Touch", testTokenTouch)
	run("DeleteOfAccount", testTokenDeleteOfAccount)
	run("APIKeys", testAPIKeys)
	run("Copies", testTokenCopies)
	run("Rollback", testTokenRollback)
	run("ConcurrentTouch", testTokenConcurrentTouch)
}

func testTokenCRUD(t *testing.T, f tokenFixture) {
	a := f.account(t, "acc_a")
	t2 := newToken("tok_2", a.ID, "second", tokT0.Add(time.Second))
	t1 := newToken("tok_1", a.ID, "first", tokT0)
	t1.ExpiresAt = tokT0.Add(24 * time.Hour)
	t3 := newToken("tok_0", a.ID, "same time as second", tokT0.Add(time.Second))
	for _, tok := range []token.Token{t2, t1, t3} {
		f.createToken(t, tok)
	}
	got, err := f.st.Token(f.ctx, a.ID, t1.ID)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if diff := cmp.Diff(t1, got); diff != "" {
		t.Errorf("Token (-want +got):\n%s", diff)
	}
	list, err := f.st.TokensOfAccount(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("TokensOfAccount: %v", err)
	}
	if diff := cmp.Diff([]token.Token{t1, t3, t2}, list); diff != "" {
		t.Errorf("TokensOfAccount, oldest first, ties by id (-want +got):\n%s", diff)
	}
	if list, _ := f.st.TokensOfAccount(f.ctx, "acc_none"); len(list) != 0 {
		t.Errorf("TokensOfAccount(unknown) = %v, want none", list)
	}
	if err := f.st.DeleteToken(f.ctx, a.ID, t1.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	if _, err := f.st.Token(f.ctx, a.ID, t1.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Token after delete = %v, want ErrNotFound", err)
	}
	if _, err := f.st.TokenByDigest(f.ctx, digest(t1.ID)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("TokenByDigest after delete = %v, want ErrNotFound", err)
	}
	again := newToken("tok_9", a.ID, "first", tokT0)
	if err := f.st.CreateToken(f.ctx, again, digest("other")); err != nil {
		t.Errorf("reusing a deleted token's name: %v", err)
	}
}

func testTokenConflicts(t *testing.T, f tokenFixture) {
	a, b := f.account(t, "acc_a"), f.account(t, "acc_b")
	f.createToken(t, newToken("tok_1", a.ID, "n", tokT0))
	tests := []struct {
		name string
		tok  token.Token
		d    token.Digest
	}{
		{"same id", newToken("tok_1", a.ID, "other", tokT0), digest("x1")},
		{"same digest", newToken("tok_2", b.ID, "other", tokT0), digest("tok_1")},
		{"same name, same account", newToken("tok_3", a.ID, "n", tokT0), digest("x3")},
	}
	for _, tt := range tests {
		if err := f.st.CreateToken(f.ctx, tt.tok, tt.d); !errors.Is(err, storage.ErrConflict) {
			t.Errorf("%s: CreateToken = %v, want ErrConflict", tt.name, err)
		}
	}
	if err := f.st.CreateToken(f.ctx, newToken("tok_4", b.ID, "n", tokT0), digest("x4")); err != nil {
		t.Errorf("same name, other account: %v", err)
	}
	if list, _ := f.st.TokensOfAccount(f.ctx, a.ID); len(list) != 1 {
		t.Errorf("account a has %d tokens after conflicts, want 1", len(list))
	}
}

func testTokenNotFound(t *testing.T, f tokenFixture) {
	a, b := f.account(t, "acc_a"), f.account(t, "acc_b")
	f.createToken(t, newToken("tok_1", a.ID, "n", tokT0))
	if _, err := f.st.Token(f.ctx, b.ID, "tok_1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Token of another account = %v, want ErrNotFound", err)
	}
	if err := f.st.DeleteToken(f.ctx, b.ID, "tok_1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteToken of another account = %v, want ErrNotFound", err)
	}
	if err := f.st.DeleteToken(f.ctx, a.ID, "tok_x"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteToken(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := f.st.TokenByDigest(f.ctx, digest("nope")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("TokenByDigest(unknown) = %v, want ErrNotFound", err)
	}
	if err := f.st.DeleteAPIKey(f.ctx, a.ID, "key_x"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteAPIKey(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := f.st.APIKeyByDigest(f.ctx, digest("nope")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("APIKeyByDigest(unknown) = %v, want ErrNotFound", err)
	}
}

func testTokenByDigest(t *testing.T, f tokenFixture) {
	a := f.account(t, "acc_a")
	tok := newToken("tok_1", a.ID, "n", tokT0)
	tok.ExpiresAt = tokT0.Add(time.Hour)
	f.createToken(t, tok)
	if _, err := f.st.TouchToken(f.ctx, tok.ID, tokT0.Add(time.Minute), tokT0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.TokenByDigest(f.ctx, digest("tok_1"))
	want := token.TokenWithAccount{TokenID: tok.ID, AccountID: a.ID, Scopes: tok.Scopes,
		LastUsedAt: tokT0.Add(time.Minute), ExpiresAt: tok.ExpiresAt, AccountStatus: account.StatusActive, ProfileID: a.ProfileID}
	if err != nil || !cmp.Equal(want, got) {
		t.Fatalf("TokenByDigest = %+v, %v; want %+v", got, err, want)
	}
	a.Status = account.StatusDeactivated
	if err := f.st.UpdateAccount(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := f.st.TokenByDigest(f.ctx, digest("tok_1")); err != nil || got.AccountStatus != account.StatusDeactivated {
		t.Errorf("after deactivation: status %q, %v; want deactivated", got.AccountStatus, err)
	}
	if err := f.st.DeleteAccount(f.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.TokenByDigest(f.ctx, digest("tok_1")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("after account deletion = %v, want ErrNotFound", err)
	}
}

func testTokenTouch(t *testing.T, f tokenFixture) {
	a := f.account(t, "acc_a")
	f.createToken(t, newToken("tok_1", a.ID, "n", tokT0))
	steps := []struct {
		at, ifBefore time.Time
		want         bool
		wantUsed     time.Time
	}{
		{tokT0, tokT0.Add(-time.Minute), true, tokT0},
		{tokT0.Add(30 * time.Second), tokT0.Add(-30 * time.Second), false, tokT0},
		{tokT0.Add(time.Minute), tokT0, true, tokT0.Add(time.Minute)},
	}
	for i, st := range steps {
		changed, err := f.st.TouchToken(f.ctx, "tok_1", st.at, st.ifBefore)
		if err != nil || changed != st.want {
			t.Errorf("step %d: TouchToken = %v, %v; want %v", i, changed, err, st.want)
		}
		got, _ := f.st.Token(f.ctx, a.ID, "tok_1")
		if !got.LastUsedAt.Equal(st.wantUsed) {
			t.Errorf("step %d: LastUsedAt = %v, want %v", i, got.LastUsedAt, st.wantUsed)
		}
	}
	if changed, err := f.st.TouchToken(f.ctx, "tok_x", tokT0, tokT0); changed || err != nil {
		t.Errorf("TouchToken(unknown) = %v, %v; want false, nil", changed, err)
	}
}

func testTokenDeleteOfAccount(t *testing.T, f tokenFixture) {
	a, b := f.account(t, "acc_a"), f.account(t, "acc_b")
	for i := range 3 {
		f.createToken(t, newToken(fmt.Sprint("tok_a", i), a.ID, fmt.Sprint("n", i), tokT0))
	}
	f.createToken(t, newToken("tok_b", b.ID, "n0", tokT0))
	n, err := f.st.DeleteTokensOfAccount(f.ctx, a.ID)
	if err != nil || n != 3 {
		t.Errorf("DeleteTokensOfAccount = %d, %v; want 3", n, err)
	}
	if list, _ := f.st.TokensOfAccount(f.ctx, a.ID); len(list) != 0 {
		t.Errorf("account a still has %d tokens", len(list))
	}
	if _, err := f.st.TokenByDigest(f.ctx, digest("tok_a1")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("TokenByDigest of a deleted token = %v, want ErrNotFound", err)
	}
	if list, _ := f.st.TokensOfAccount(f.ctx, b.ID); len(list) != 1 {
		t.Errorf("account b has %d tokens, want 1", len(list))
	}
	if n, err := f.st.DeleteTokensOfAccount(f.ctx, a.ID); n != 0 || err != nil {
		t.Errorf("second DeleteTokensOfAccount = %d, %v; want 0, nil", n, err)
	}
}

func testAPIKeys(t *testing.T, f tokenFixture) {
	a, b := f.account(t, "acc_a"), f.account(t, "acc_b")
	k2 := token.APIKey{ID: "key_2", AccountID: a.ID, Description: "two", Last4: "2222", CreatedAt: tokT0.Add(time.Second)}
	k1 := token.APIKey{ID: "key_1", AccountID: a.ID, Description: "one", Last4: "1111", CreatedAt: tokT0}
	kb := token.APIKey{ID: "key_b", AccountID: b.ID, Description: "b", Last4: "bbbb", CreatedAt: tokT0}
	for _, k := range []token.APIKey{k2, k1, kb} {
		if err := f.st.CreateAPIKey(f.ctx, k, digest(k.ID)); err != nil {
			t.Fatalf("CreateAPIKey(%s): %v", k.ID, err)
		}
	}
	if err := f.st.CreateAPIKey(f.ctx, token.APIKey{ID: "key_1", AccountID: a.ID, CreatedAt: tokT0}, digest("x")); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("same id = %v, want ErrConflict", err)
	}
	if err := f.st.CreateAPIKey(f.ctx, token.APIKey{ID: "key_3", AccountID: a.ID, CreatedAt: tokT0}, digest("key_1")); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("same digest = %v, want ErrConflict", err)
	}
	list, err := f.st.APIKeysOfAccount(f.ctx, a.ID)
	if err != nil || !cmp.Equal([]token.APIKey{k1, k2}, list) {
		t.Errorf("APIKeysOfAccount = %+v, %v; want [k1 k2]", list, err)
	}
	got, err := f.st.APIKeyByDigest(f.ctx, digest("key_1"))
	want := token.APIKeyWithAccount{Key: k1, AccountEmail: a.Email, AccountStatus: account.StatusActive, ProfileID: a.ProfileID}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("APIKeyByDigest = %+v, %v; want %+v", got, err, want)
	}
	if err := f.st.DeleteAPIKey(f.ctx, b.ID, "key_1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteAPIKey by another account = %v, want ErrNotFound", err)
	}
	if err := f.st.DeleteAPIKey(f.ctx, a.ID, "key_1"); err != nil {
		t.Errorf("DeleteAPIKey: %v", err)
	}
	if _, err := f.st.APIKeyByDigest(f.ctx, digest("key_1")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("APIKeyByDigest after delete = %v, want ErrNotFound", err)
	}
	if n, err := f.st.DeleteAPIKeysOfAccount(f.ctx, a.ID); n != 1 || err != nil {
		t.Errorf("DeleteAPIKeysOfAccount = %d, %v; want 1", n, err)
	}
	if list, _ := f.st.APIKeysOfAccount(f.ctx, b.ID); len(list) != 1 {
		t.Errorf("account b has %d keys, want 1", len(list))
	}
	if err := f.st.DeleteAccount(f.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.APIKeyByDigest(f.ctx, digest("key_b")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("APIKeyByDigest after account deletion = %v, want ErrNotFound", err)
	}
}

func testTokenCopies(t *testing.T, f tokenFixture) {
	a := f.account(t, "acc_a")
	tok := newToken("tok_1", a.ID, "n", tokT0)
	f.createToken(t, tok)
	tok.Scopes[0] = "changed-after-create"
	got, _ := f.st.Token(f.ctx, a.ID, "tok_1")
	got.Scopes[0] = "changed-after-read"
	joined, _ := f.st.TokenByDigest(f.ctx, digest("tok_1"))
	joined.Scopes[1] = "changed-after-lookup"
	list, _ := f.st.TokensOfAccount(f.ctx, a.ID)
	list[0].Scopes[0] = "changed-in-list"
	final, err := f.st.Token(f.ctx, a.ID, "tok_1")
	if err != nil || !cmp.Equal(final.Scopes, []string{"a", "b:c"}) {
		t.Errorf("stored scopes = %q, %v; want [a b:c] whatever callers did", final.Scopes, err)
	}
}

func testTokenRollback(t *testing.T, f tokenFixture) {
	a := f.account(t, "acc_a")
	f.createToken(t, newToken("tok_1", a.ID, "kept", tokT0))
	errBoom := errors.New("boom")
	err := f.st.InTx(f.ctx, func(ctx context.Context) error {
		if err := f.st.CreateToken(ctx, newToken("tok_2", a.ID, "n", tokT0), digest("tok_2")); err != nil {
			return err
		}
		if err := f.st.CreateAPIKey(ctx, token.APIKey{ID: "key_1", AccountID: a.ID, CreatedAt: tokT0}, digest("key_1")); err != nil {
			return err
		}
		if _, err := f.st.TouchToken(ctx, "tok_1", tokT0, tokT0); err != nil {
			return err
		}
		if err := f.st.DeleteToken(ctx, a.ID, "tok_1"); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	list, _ := f.st.TokensOfAccount(f.ctx, a.ID)
	if len(list) != 1 || list[0].ID != "tok_1" || !list[0].LastUsedAt.IsZero() {
		t.Errorf("after rollback tokens = %+v, want only tok_1, never used", list)
	}
	if _, err := f.st.TokenByDigest(f.ctx, digest("tok_1")); err != nil {
		t.Errorf("TokenByDigest(tok_1) after rollback: %v", err)
	}
	if keys, _ := f.st.APIKeysOfAccount(f.ctx, a.ID); len(keys) != 0 {
		t.Errorf("after rollback keys = %+v, want none", keys)
	}
}

func testTokenConcurrentTouch(t *testing.T, f tokenFixture) {
	a := f.account(t, "acc_a")
	f.createToken(t, newToken("tok_1", a.ID, "n", tokT0))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, fails := 0, 0
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			changed, err := f.st.TouchToken(f.ctx, "tok_1", tokT0.Add(time.Duration(i+1)*time.Millisecond), tokT0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				fails++
			} else if changed {
				wins++
			}
		}()
	}
	wg.Wait()
	if wins != 1 || fails != 0 {
		t.Errorf("16 concurrent TouchToken: %d changed, %d failed; want exactly 1 changed", wins, fails)
	}
}
