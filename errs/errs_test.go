package errs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
)

var (
	errTaken = errs.New(errs.Conflict, "name_taken", "test: name taken")
	errSlow  = errs.New(errs.Throttled, "too_soon", "test: too soon")
)

// detailed is a typed error with details that wraps a sentinel.
type detailed struct{ field string }

func (e *detailed) Error() string           { return "test: bad " + e.field }
func (e *detailed) Unwrap() error           { return errTaken }
func (e *detailed) Details() map[string]any { return map[string]any{"field": e.field} }

func TestKindCodeDetails(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		kind    errs.Kind
		code    string
		details map[string]any
	}{
		{"nil", nil, errs.Internal, "internal", nil},
		{"plain error", errors.New("boom"), errs.Internal, "internal", nil},
		{"sentinel", errTaken, errs.Conflict, "name_taken", nil},
		{"wrapped", fmt.Errorf("test: creating: %w", errTaken), errs.Conflict, "name_taken", nil},
		{"typed", fmt.Errorf("test: x: %w", &detailed{"name"}), errs.Conflict, "name_taken", map[string]any{"field": "name"}},
		{"retry", errs.Retry(errSlow, 1500*time.Millisecond), errs.Throttled, "too_soon", map[string]any{"retry_after": 2}},
		{"no code", errs.Wrap(errs.NotFound, "", "test: gone", nil), errs.NotFound, "not_found", nil},
		{"cancelled", fmt.Errorf("test: %w", context.Canceled), errs.Unavailable, "unavailable", nil},
		{"invalid code", errs.ErrInvalidCode, errs.Invalid, "invalid_code", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.KindOf(tt.err); got != tt.kind {
				t.Errorf("KindOf = %v, want %v", got, tt.kind)
			}
			if got := errs.CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := errs.DetailsOf(tt.err); fmt.Sprint(got) != fmt.Sprint(tt.details) {
				t.Errorf("DetailsOf = %v, want %v", got, tt.details)
			}
		})
	}
}

func TestIsMatchesTheKindAndTheSentinel(t *testing.T) {
	err := fmt.Errorf("test: saving: %w", errTaken)
	if !errors.Is(err, errTaken) || !errors.Is(err, errs.Conflict) {
		t.Errorf("errors.Is(%v): want errTaken and errs.Conflict", err)
	}
	for _, k := range errs.Kinds {
		if k != errs.Conflict && errors.Is(err, k) {
			t.Errorf("errors.Is(%v, %v) = true, want only Conflict", err, k)
		}
	}
	if errors.Is(err, errs.New(errs.Conflict, "name_taken", "test: name taken")) {
		t.Error("an equal sentinel matched: sentinels must match by identity")
	}
}

func TestRetry(t *testing.T) {
	err := fmt.Errorf("test: sending: %w", errs.Retry(errSlow, 90*time.Second))
	d, ok := errs.RetryAfter(err)
	if !ok || d != 90*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 1m30s, true", d, ok)
	}
	if !errors.Is(err, errSlow) || errs.KindOf(err) != errs.Throttled {
		t.Errorf("%v: want errSlow of kind Throttled", err)
	}
	if _, ok := errs.RetryAfter(errSlow); ok {
		t.Error("RetryAfter(sentinel) reports a wait")
	}
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, time.Minute: 60} {
		if got := errs.RetrySeconds(d); got != want {
			t.Errorf("RetrySeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestKindNamesAndCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range errs.Kinds {
		if k.String() == "" || k.Code() == "" {
			t.Errorf("kind %d has no name or code", k)
		}
		if seen[k.Code()] {
			t.Errorf("code %q of kind %v is not unique", k.Code(), k)
		}
		seen[k.Code()] = true
	}
	if got := errs.Kind(200).String(); got != "internal" {
		t.Errorf("unknown kind String = %q, want internal", got)
	}
}

func ExampleKindOf() {
	var ErrNameTaken = errs.New(errs.Conflict, "name_taken", "token: name already used")
	err := fmt.Errorf("token: creating: %w", ErrNameTaken)
	fmt.Println(errs.KindOf(err).String(), errs.CodeOf(err), errors.Is(err, errs.Conflict))
	// Output: conflict name_taken true
}

func ExampleRetry() {
	var ErrTooSoon = errs.New(errs.Throttled, "too_soon", "twofactor: sms code sent too recently")
	err := errs.Retry(ErrTooSoon, 42*time.Second)
	d, _ := errs.RetryAfter(err)
	fmt.Println(errs.CodeOf(err), d, errs.DetailsOf(err))
	// Output: too_soon 42s map[retry_after:42]
}
