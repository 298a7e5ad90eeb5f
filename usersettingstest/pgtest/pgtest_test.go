package pgtest_test

import (
	"context"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

func TestWithSearchPath(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?search_path=s&sslmode=disable"},
		{"postgresql://u@h/db", "postgresql://u@h/db?search_path=s"},
		{"host=h dbname=db", "host=h dbname=db search_path=s"},
	}
	for _, tt := range tests {
		if got := pgtest.WithSearchPath(tt.dsn, "s"); got != tt.want {
			t.Errorf("WithSearchPath(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}

// A pool on the DSN of Schema works in the new, empty schema.
func TestSchema(t *testing.T) {
	dsn, schema := pgtest.Schema(t, "pgtest")
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var got string
	if err := db.QueryRowContext(context.Background(), "SELECT current_schema()").Scan(&got); err != nil {
		t.Fatalf("current_schema: %v", err)
	}
	if got != schema {
		t.Errorf("current_schema() = %q, want %q", got, schema)
	}
}
