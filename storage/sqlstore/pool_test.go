package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// TestTransactionNeedsNoSecondConnection runs a transaction whose
// statements are not prepared yet on a pool of one connection. A
// statement prepared on the pool would wait for a second connection
// while the transaction holds the only one: the same wait, with a pool
// of twenty whose other nineteen connections wait for a row the
// transaction has locked, hung the first use of a token under 32
// concurrent requests. The transaction must finish, and leave its
// statements cached for later calls.
func TestTransactionNeedsNoSecondConnection(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			db, d := c.open(t)
			migrated(t, db, d)
			db.SetMaxOpenConns(1)
			st := sqlstore.New(db, d) // an empty statement cache
			t.Cleanup(func() { _ = st.Close() })

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			now := time.Now().UTC().Truncate(time.Second)
			err := st.InTx(ctx, func(ctx context.Context) error {
				if _, err := st.AccountByEmail(ctx, "nobody@example.com"); !errors.Is(err, storage.ErrNotFound) {
					return err
				}
				if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_1", CreatedAt: now, UpdatedAt: now}); err != nil {
					return err
				}
				_, err := st.Profile(ctx, "prf_1")
				return err
			})
			if err != nil {
				t.Fatalf("InTx on a pool of one connection: %v", err)
			}
			if n := sqlstore.CachedStatements(st); n < 3 {
				t.Errorf("after the transaction the cache holds %d statements, want its 3", n)
			}
			if _, err := st.Profile(ctx, "prf_1"); err != nil {
				t.Errorf("Profile after the commit: %v", err)
			}
		})
	}
}
