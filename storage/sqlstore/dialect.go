package sqlstore

import (
	"strconv"
	"strings"
	"time"
)

// Dialect selects the SQL flavour of the database behind a Store: how
// placeholders are written, how times are stored, which errors may be
// retried and how concurrent writers are kept apart.
type Dialect int

// The dialects the Store speaks.
const (
	// SQLite is SQLite 3.35 or later, as provided by modernc.org/sqlite.
	// Times are stored as INTEGER microseconds since the Unix epoch (UTC).
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL 12 or later (or a server speaking its
	// protocol), as provided by github.com/jackc/pgx/v5/stdlib. Times are
	// stored as timestamptz.
	Postgres
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// valid reports whether d is one of the known dialects.
func (d Dialect) valid() bool { return d == SQLite || d == Postgres }

// Rebind rewrites the ? placeholders of a query written for SQLite into
// PostgreSQL's $1, $2, … on Postgres, and returns it as it is on SQLite:
// for a host that writes its own queries once for both. Every ? is taken
// for a placeholder, so the query must hold none in a literal.
func (d Dialect) Rebind(query string) string { return d.rebind(query) }

// rebind is Rebind. The queries of this package never hold a ? in a
// literal, so every ? is a placeholder.
func (d Dialect) rebind(query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// micro truncates t to the microsecond in UTC: the precision both
// dialects store.
func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// timeArg is the query argument for a time stored in a NOT NULL column:
// microseconds since the epoch on SQLite, a UTC time.Time on PostgreSQL.
// The zero time is stored as itself (year 1), so it round-trips.
func (d Dialect) timeArg(t time.Time) any {
	if d == SQLite {
		return micro(t).UnixMicro()
	}
	return micro(t)
}

// nullTimeArg is timeArg for a nullable column: the zero time is NULL.
func (d Dialect) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.timeArg(t)
}

// dbTime scans a time stored by timeArg or nullTimeArg; NULL scans as the
// zero time.
type dbTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = time.UnixMicro(v).UTC()
	case time.Time:
		*s.t = micro(v)
	default:
		return errBadTime
	}
	if s.t.Equal(time.Time{}) {
		*s.t = time.Time{}
	}
	return nil
}

// nullString maps "" to NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// dbString scans a nullable text column; NULL scans as "".
type dbString struct{ s *string }

// Scan implements sql.Scanner.
func (d dbString) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.s = ""
	case string:
		*d.s = v
	case []byte:
		*d.s = string(v)
	default:
		return errBadString
	}
	return nil
}
