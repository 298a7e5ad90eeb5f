package securitylog

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
)

// Page sizes of Reader.Page.
const (
	// DefaultPageSize is the page size when the caller asks for none.
	DefaultPageSize = 50
	// MaxPageSize is the largest page; larger requests get this many.
	MaxPageSize = 200
)

// ErrInvalidCursor means a cursor given to Reader.Page was not one that
// Reader.Page returned: it was cut, edited or made up.
var ErrInvalidCursor = errs.New(errs.Malformed, "invalid_cursor", "securitylog: invalid cursor")

// Events is the part of Store a Reader uses.
type Events interface {
	// SecurityEvents returns up to limit events of the profile older
	// than after, newest first (see Store).
	SecurityEvents(ctx context.Context, profileID string, after Position, limit int) ([]Event, error)
}

// Reader shows people their own security log, a page at a time, newest
// first. It is safe for concurrent use.
type Reader struct {
	store  Events
	owners auth.Owners
}

// NewReader returns a Reader of the log in store that resolves each
// caller's profile through owners (account.NewOwners). It panics when
// either is nil, a programming error.
func NewReader(store Events, owners auth.Owners) *Reader {
	if store == nil || owners == nil {
		panic("securitylog: NewReader needs a store and owners")
	}
	return &Reader{store: store, owners: owners}
}

// Page is one page of the security log, newest first.
type Page struct {
	Events []Event
	// Next is the cursor of the next, older page; empty when this page
	// holds the oldest event.
	Next string
}

// Page returns the page of the caller's own security log that starts at
// cursor (empty for the newest events), with up to limit events: 0 or
// less means DefaultPageSize, more than MaxPageSize means MaxPageSize.
// Only a person sees the log, never a token or API key
// (auth.ErrForbidden), and only the log of the profile the caller's
// account belongs to (auth.Profile). A cursor that Page did not return is
// ErrInvalidCursor.
func (r *Reader) Page(ctx context.Context, c auth.Caller, cursor string, limit int) (Page, error) {
	profileID, err := auth.Profile(ctx, r.owners, c)
	if err != nil {
		return Page{}, err
	}
	after, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	limit = clampLimit(limit)
	events, err := r.store.SecurityEvents(ctx, profileID, after, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("securitylog: reading: %w", err)
	}
	p := Page{Events: events}
	if len(events) > limit {
		p.Events = events[:limit]
		last := p.Events[limit-1]
		p.Next = encodeCursor(Position{At: last.At, ID: last.ID})
	}
	if p.Events == nil {
		p.Events = []Event{}
	}
	return p, nil
}

func clampLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}

// maxCursorID bounds the event id inside a cursor.
const maxCursorID = 128

// encodeCursor returns the opaque cursor of the page that starts after
// pos; the zero Position is the empty cursor.
func encodeCursor(pos Position) string {
	if pos.At.IsZero() && pos.ID == "" {
		return ""
	}
	raw := strconv.FormatInt(pos.At.Unix(), 10) + "." + strconv.Itoa(pos.At.Nanosecond()) + "." + pos.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor returns the Position a cursor of encodeCursor holds; the
// empty cursor is the zero Position. Anything else is ErrInvalidCursor.
func decodeCursor(cursor string) (Position, error) {
	if cursor == "" {
		return Position{}, nil
	}
	if len(cursor) > 2*maxCursorID {
		return Position{}, ErrInvalidCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return Position{}, ErrInvalidCursor
	}
	parts := strings.SplitN(string(raw), ".", 3)
	if len(parts) != 3 || parts[2] == "" || len(parts[2]) > maxCursorID {
		return Position{}, ErrInvalidCursor
	}
	sec, err1 := strconv.ParseInt(parts[0], 10, 64)
	nsec, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || nsec < 0 || nsec > 999_999_999 || sec <= 0 {
		return Position{}, ErrInvalidCursor
	}
	return Position{At: time.Unix(sec, int64(nsec)).UTC(), ID: parts[2]}, nil
}
