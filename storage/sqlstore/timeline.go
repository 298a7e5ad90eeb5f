package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// timelinePage is how many records eachOldestFirst reads per query.
const timelinePage = 256

// timelineQueries read one profile's records of a timeline table (the
// history, the security log) oldest first: first takes (profile id,
// limit), after takes (profile id, at, id, limit) and starts after that
// record, on the (profile_id, at, id) index.
type timelineQueries struct {
	what, first, after string
}

// eachOldestFirst calls fn with every record of the profile, oldest
// first. It reads them in pages of timelinePage, each starting after the
// last record of the one before (keyset paging), and calls fn between
// queries, so fn may call the Store, even inside a transaction. scan reads
// a row; key returns a record's time and id.
func eachOldestFirst[E any](ctx context.Context, s *Store, q timelineQueries, profileID string,
	scan func(interface{ Scan(...any) error }, *E) error, key func(E) (time.Time, string), fn func(E) error) error {
	var page []E
	query, args := q.first, []any{profileID, timelinePage}
	for {
		page = page[:0]
		err := s.query(ctx, q.what, query, args, func(r *sql.Rows) error {
			var e E
			err := scan(r, &e)
			page = append(page, e)
			return err
		})
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < timelinePage {
			return nil
		}
		at, id := key(page[len(page)-1])
		query, args = q.after, []any{profileID, s.d.timeArg(at), id, timelinePage}
	}
}
