package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
)

// A host connects with its DSN, creates the Store and migrates at
// start-up; the SDK's tables (us_accounts, …) go next to the host's. This
// example needs a server, so it is compiled but not run.
func ExampleOpen() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	st := sqlstore.New(db, sqlstore.Postgres)
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
}
