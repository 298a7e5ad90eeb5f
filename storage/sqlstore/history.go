package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/history"
)

var _ history.Store = (*Store)(nil)

const historyColumns = `id, profile_id, account_id, item, action, detail, at`

// Queries of the history pages, newest first (History) and oldest first
// after a given entry (EachHistory).
const (
	queryHistoryPage = `SELECT ` + historyColumns + ` FROM us_history WHERE profile_id = ?
	ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`
	queryHistoryFirst = `SELECT ` + historyColumns + ` FROM us_history WHERE profile_id = ?
	ORDER BY at, id LIMIT ?`
	queryHistoryAfter = `SELECT ` + historyColumns + ` FROM us_history WHERE profile_id = ?
	AND (at, id) > (?, ?) ORDER BY at, id LIMIT ?`
)

func scanEntry(row interface{ Scan(...any) error }, e *history.Entry) error {
	var action string
	err := row.Scan(&e.ID, &e.ProfileID, &e.AccountID, &e.Item, &action, &e.Detail, dbTime{&e.At})
	e.Action = history.Action(action)
	return err
}

// AppendHistory implements history.Store. The entries are inserted in one
// transaction, so a taken id refuses the whole batch. An entry of a
// profile that does not exist is storage.ErrConflict (foreign key).
func (s *Store) AppendHistory(ctx context.Context, entries ...history.Entry) error {
	if len(entries) == 0 {
		return ctx.Err()
	}
	write := s.writeTx
	if len(entries) == 1 {
		write = s.writeOne
	}
	return write(ctx, func(ctx context.Context) error {
		for _, e := range entries {
			n, err := s.exec(ctx, "append history", `INSERT INTO us_history (`+historyColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				e.ID, e.ProfileID, e.AccountID, e.Item, string(e.Action), e.Detail, s.d.timeArg(e.At))
			if err != nil {
				return err
			}
			if n == 0 {
				return conflict("append history: id taken")
			}
		}
		return nil
	})
}

// History implements history.Store.
func (s *Store) History(ctx context.Context, profileID string, offset, limit int) ([]history.Entry, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	var out []history.Entry
	err := s.query(ctx, "history", queryHistoryPage, []any{profileID, limit, max(offset, 0)},
		func(r *sql.Rows) error {
			var e history.Entry
			err := scanEntry(r, &e)
			out = append(out, e)
			return err
		})
	return out, err
}

// EachHistory implements history.Store. It reads the entries in pages,
// keyset-paged on the (profile_id, at, id) index, and calls fn between
// queries, so fn may call the Store, even inside a transaction.
func (s *Store) EachHistory(ctx context.Context, profileID string, fn func(history.Entry) error) error {
	return eachOldestFirst(ctx, s, timelineQueries{"each history", queryHistoryFirst, queryHistoryAfter}, profileID,
		scanEntry, func(e history.Entry) (time.Time, string) { return e.At, e.ID }, fn)
}

// MoveHistory implements history.Store.
func (s *Store) MoveHistory(ctx context.Context, from, to string) error {
	if from == to {
		return ctx.Err()
	}
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "move history", `UPDATE us_history SET profile_id = ? WHERE profile_id = ?`, to, from)
		return err
	})
}

// DeleteHistoryOfProfile implements history.Store.
func (s *Store) DeleteHistoryOfProfile(ctx context.Context, profileID string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "delete history", `DELETE FROM us_history WHERE profile_id = ?`, profileID)
		return err
	})
}
