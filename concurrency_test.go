package usersettings_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/token"
)

// Tokens created at once for one account on PostgreSQL all succeed: a
// transaction that lost a serialization race is run again whole, never
// continued after its failed statement (which PostgreSQL refuses with
// 25P02, once answered 500 under load).
func TestConcurrentTokensOnPostgres(t *testing.T) {
	st := openPostgresStore(t)
	s, err := usersettings.New(st, usersettings.Options{Dev: true, Hasher: fastHasher(),
		Scopes: []token.Scope{{Name: "read", Description: "Read"}}})
	if err != nil {
		t.Fatal(err)
	}
	a := signUp(t, s, "ada@example.com")
	me := auth.New(a.ID, auth.MethodPassword, s.Now(), "")
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = s.Tokens.Create(context.Background(), me, fmt.Sprintf("token %d", i), []string{"read"})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Create(token %d): %v", i, err)
		}
	}
	list, err := s.Tokens.List(context.Background(), me)
	if err != nil || len(list) != n {
		t.Errorf("List = %d tokens, %v; want %d", len(list), err, n)
	}
}
