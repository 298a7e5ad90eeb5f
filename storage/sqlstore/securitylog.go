package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

var _ securitylog.Store = (*Store)(nil)

const securityColumns = `id, profile_id, account_id, kind, at, ip, device, admin, detail, session_id`

// Queries of the security log: pages newest first (first page, then
// keyset after a Position) on the (profile_id, at DESC, id DESC) index,
// and oldest first for EachSecurityEvent.
const (
	querySecurityFirst = `SELECT ` + securityColumns + ` FROM us_security_events WHERE profile_id = ?
	ORDER BY at DESC, id DESC LIMIT ?`
	querySecurityBefore = `SELECT ` + securityColumns + ` FROM us_security_events WHERE profile_id = ?
	AND (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?`
	querySecurityOldest = `SELECT ` + securityColumns + ` FROM us_security_events WHERE profile_id = ?
	ORDER BY at, id LIMIT ?`
	querySecurityAfter = `SELECT ` + securityColumns + ` FROM us_security_events WHERE profile_id = ?
	AND (at, id) > (?, ?) ORDER BY at, id LIMIT ?`
	// querySecurityRetention deletes the oldest events, up to a limit,
	// through the index on at.
	querySecurityRetention = `DELETE FROM us_security_events WHERE id IN
	(SELECT id FROM us_security_events WHERE at < ? ORDER BY at LIMIT ?)`
)

func scanSecurityEvent(row interface{ Scan(...any) error }, e *securitylog.Event) error {
	var kind string
	err := row.Scan(&e.ID, &e.ProfileID, &e.AccountID, &kind, dbTime{&e.At}, &e.IP, &e.Device, &e.Admin, &e.Detail, &e.SessionID)
	e.Kind = securitylog.Kind(kind)
	return err
}

// AppendSecurityEvents implements securitylog.Store. The events are
// inserted in one transaction, so a taken id refuses the whole batch. An
// event of a profile that does not exist is storage.ErrConflict (foreign
// key).
func (s *Store) AppendSecurityEvents(ctx context.Context, events ...securitylog.Event) error {
	if len(events) == 0 {
		return ctx.Err()
	}
	write := s.writeTx
	if len(events) == 1 {
		write = s.writeOne
	}
	return write(ctx, func(ctx context.Context) error {
		for _, e := range events {
			n, err := s.exec(ctx, "append security event", `INSERT INTO us_security_events (`+securityColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				e.ID, e.ProfileID, e.AccountID, string(e.Kind), s.d.timeArg(e.At), e.IP, e.Device, e.Admin, e.Detail, e.SessionID)
			if err != nil {
				return err
			}
			if n == 0 {
				return conflict("append security event: id taken")
			}
		}
		return nil
	})
}

// SecurityEvents implements securitylog.Store with keyset paging on the
// (profile_id, at DESC, id DESC) index.
func (s *Store) SecurityEvents(ctx context.Context, profileID string, after securitylog.Position, limit int) ([]securitylog.Event, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	query, args := querySecurityFirst, []any{profileID, limit}
	if !after.At.IsZero() {
		query, args = querySecurityBefore, []any{profileID, s.d.timeArg(after.At), after.ID, limit}
	}
	var out []securitylog.Event
	err := s.query(ctx, "security events", query, args, func(r *sql.Rows) error {
		var e securitylog.Event
		err := scanSecurityEvent(r, &e)
		out = append(out, e)
		return err
	})
	return out, err
}

// EachSecurityEvent implements securitylog.Store. It reads the events in
// pages, keyset-paged, and calls fn between queries, so fn may call the
// Store, even inside a transaction.
func (s *Store) EachSecurityEvent(ctx context.Context, profileID string, fn func(securitylog.Event) error) error {
	return eachOldestFirst(ctx, s, timelineQueries{"each security event", querySecurityOldest, querySecurityAfter}, profileID,
		scanSecurityEvent, func(e securitylog.Event) (time.Time, string) { return e.At, e.ID }, fn)
}

// MoveSecurityEvents implements securitylog.Store.
func (s *Store) MoveSecurityEvents(ctx context.Context, from, to string) error {
	if from == to {
		return ctx.Err()
	}
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "move security events", `UPDATE us_security_events SET profile_id = ? WHERE profile_id = ?`, to, from)
		return err
	})
}

// DeleteSecurityEventsOfProfile implements securitylog.Store.
func (s *Store) DeleteSecurityEventsOfProfile(ctx context.Context, profileID string) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		_, err := s.exec(ctx, "delete security events", `DELETE FROM us_security_events WHERE profile_id = ?`, profileID)
		return err
	})
}

// DeleteSecurityEventsBefore implements securitylog.Store: one statement
// deletes the oldest events, up to limit, through the index on at.
func (s *Store) DeleteSecurityEventsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, ctx.Err()
	}
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "delete old security events", querySecurityRetention, s.d.timeArg(before), limit)
		return err
	})
	return int(n), err
}
