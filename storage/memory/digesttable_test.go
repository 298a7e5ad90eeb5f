package memory

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/token"
)

// TestDigestTableMatchesAMap runs random sets and deletes on a digestTable
// and on a Go map side by side. Digests share their first bytes in small
// groups, so records collide on their home slot, probe past the end of
// the array and are shifted back by deletions, and the table grows from
// its first size to thousands of slots.
func TestDigestTableMatchesAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	digest := func() token.Digest {
		var d token.Digest
		d[0] = byte(r.IntN(256)) // home slots collide often in a small table
		if r.IntN(4) == 0 {
			d[0] = 0xFF // and crowd the end of the array
		}
		d[1] = byte(r.IntN(4))
		d[8] = byte(r.IntN(8))
		return d
	}
	var dt digestTable
	want := map[token.Digest]hotToken{}
	for i := range 20000 {
		d := digest()
		if r.IntN(3) == 0 {
			_, had := dt.delete(d)
			_, wantHad := want[d]
			if had != wantHad {
				t.Fatalf("step %d: delete had = %v, want %v", i, had, wantHad)
			}
			delete(want, d)
		} else {
			h := hotToken{d: d, ids: strings.Repeat("x", i%7), lastUsed: int64(i)}
			dt.set(h)
			h.used = true
			want[d] = h
		}
		if dt.n != len(want) {
			t.Fatalf("step %d: %d records, want %d", i, dt.n, len(want))
		}
		if i%2000 == 0 || i > 19990 {
			for d, w := range want {
				if got, ok := dt.get(d); !ok || *got != w {
					t.Fatalf("step %d: get(%x) = %+v, %v; want %+v", i, d[:9], got, ok, w)
				}
			}
		}
	}
	if _, ok := dt.get(token.Digest{1, 2, 3}); ok {
		t.Error("get of a digest never stored found a record")
	}
}

// TestDigestTableUndo shows that a failed transaction leaves the hot
// records as they were: TokenByDigest answers as before the writes.
func TestDigestTableUndo(t *testing.T) {
	ctx := context.Background()
	s := New()
	if err := s.CreateProfile(ctx, profile.Profile{ID: "prf_1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(ctx, account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "a@example.com", Status: account.StatusActive}); err != nil {
		t.Fatal(err)
	}
	d := func(i int) token.Digest { return token.Digest{byte(i), 0, 0, 0, 0, 0, 0, 0, 1} }
	for i := range 3 {
		tok := token.Token{ID: "tok_" + string(rune('a'+i)), AccountID: "acc_1", Name: string(rune('a' + i))}
		if err := s.CreateToken(ctx, tok, d(i)); err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("boom")
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.DeleteToken(ctx, "acc_1", "tok_a"); err != nil {
			return err
		}
		if err := s.CreateToken(ctx, token.Token{ID: "tok_z", AccountID: "acc_1", Name: "z"}, d(9)); err != nil {
			return err
		}
		if _, err := s.TouchToken(ctx, "tok_b", time.Unix(100, 0), time.Unix(100, 0)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	for i, id := range []string{"tok_a", "tok_b", "tok_c"} {
		got, err := s.TokenByDigest(ctx, d(i))
		if err != nil || got.TokenID != id || !got.LastUsedAt.IsZero() {
			t.Errorf("TokenByDigest(%d) = %+v, %v; want %s, never used", i, got, err, id)
		}
	}
	if _, err := s.TokenByDigest(ctx, d(9)); err == nil {
		t.Error("the token created in the failed transaction is found")
	}
}

// TestTokenByDigestSlowPath covers the records that cannot hold their
// account's state: ids longer than 255 bytes, and the tokens of a
// deactivated account, which answer from the rows instead.
func TestTokenByDigestSlowPath(t *testing.T) {
	ctx := context.Background()
	s := New()
	long := "acc_" + strings.Repeat("x", 300)
	if err := s.CreateProfile(ctx, profile.Profile{ID: "prf_1"}); err != nil {
		t.Fatal(err)
	}
	a := account.Account{ID: long, ProfileID: "prf_1", Email: "a@example.com", Status: account.StatusActive}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	d := token.Digest{7}
	if err := s.CreateToken(ctx, token.Token{ID: "tok_1", AccountID: long, Name: "n", Scopes: []string{"s"}}, d); err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenByDigest(ctx, d)
	if err != nil || got.AccountID != long || got.TokenID != "tok_1" || got.ProfileID != "prf_1" || got.AccountStatus != account.StatusActive || len(got.Scopes) != 1 {
		t.Fatalf("TokenByDigest = %+v, %v", got, err)
	}
	if h, _ := s.tokens.hot.get(d); !h.slow {
		t.Error("a token of a 304-byte account id has a fast record")
	}
	a.Status = account.StatusDeactivated
	if err := s.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TokenByDigest(ctx, d); err != nil || got.AccountStatus != account.StatusDeactivated {
		t.Errorf("after deactivation: %+v, %v", got, err)
	}
}
