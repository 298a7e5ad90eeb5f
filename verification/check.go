package verification

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Errors of the Service.
var (
	// ErrThrottled is the refusal of Issue and Allow when an address got
	// a code too recently or too often. It is returned in an
	// *errs.RetryError that says how long to wait.
	ErrThrottled = errs.New(errs.Throttled, "rate_limited", "verification: too many codes sent")
	// ErrMissingArgument means Issue was called without a purpose, flow
	// or address, a programming error.
	ErrMissingArgument = errs.New(errs.Internal, "missing_argument", "verification: missing argument")
)

// Dead-code errors. Each wraps errs.ErrInvalidCode (errors.Is), so a
// caller that only needs "invalid" checks that; the owner of a flow may
// tell these apart, for instance to offer a new code.
var (
	// ErrCodeExpired means the code's TTL has passed.
	ErrCodeExpired error = &deadError{"verification: code expired"}
	// ErrTooManyAttempts means the code's attempts are used up.
	ErrTooManyAttempts error = &deadError{"verification: too many attempts"}
	// ErrCodeUsed means the code was already consumed.
	ErrCodeUsed error = &deadError{"verification: code already used"}
)

// deadError is a dead code: it wraps errs.ErrInvalidCode, whose kind and
// code it has, under a message of its own.
type deadError struct{ msg string }

func (e *deadError) Error() string { return e.msg }
func (e *deadError) Unwrap() error { return errs.ErrInvalidCode }

// Check tells whether code is the live code of the purpose and flow and,
// if so, returns the code's id for Consume. It does not consume the code.
//
// The attempt is counted in the store before the comparison, so Check
// must be called with a context that carries no transaction: if the
// caller's transaction rolled back, the attempt would be forgotten and the
// attempt cap would not hold. Use Redeem, which gets this right.
//
// Only exactly CodeLen ASCII digits can match: surrounding space, a line
// break, full-width digits or a seventh digit make a wrong code, which
// counts as an attempt like any other. Every failure matches
// errs.ErrInvalidCode.
//
// For a Keyed purpose, code may also be the key that the mail carries
// (KeyLen base32 characters, dashes, spaces and case ignored): it is
// checked without the attempt counter, so a code killed by a stranger's
// guesses still leaves its owner the key.
func (s *Service) Check(ctx context.Context, purpose Purpose, flowID, code string) (codeID string, err error) {
	c, err := s.store.CodeOfFlow(ctx, purpose, flowID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", errs.ErrInvalidCode
	}
	if err != nil {
		return "", fmt.Errorf("verification: loading code: %w", err)
	}
	if key, ok := parseKey(code); ok && purpose.Keyed() {
		return s.checkKey(c, key)
	}
	if err := s.alive(c); err != nil {
		return "", err
	}
	n, err := s.store.AddCodeAttempt(ctx, c.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", errs.ErrInvalidCode // replaced meanwhile
	}
	if err != nil {
		return "", fmt.Errorf("verification: counting attempt: %w", err)
	}
	if n > s.maxAttempts {
		return "", ErrTooManyAttempts
	}
	if !wellFormed(code) || !s.matches(c.Digest, purpose, flowID, code) {
		return "", errs.ErrInvalidCode
	}
	return c.ID, nil
}

// checkKey is Check for the key of a code of a Keyed purpose: the
// code's attempts do not matter and are not counted.
func (s *Service) checkKey(c Code, key string) (string, error) {
	switch {
	case !c.UsedAt.IsZero():
		return "", ErrCodeUsed
	case !s.now().Before(c.ExpiresAt):
		return "", ErrCodeExpired
	case !s.keyMatches(key, c):
		return "", errs.ErrInvalidCode
	}
	return c.ID, nil
}

// alive reports why a stored code can no longer be used, or nil.
func (s *Service) alive(c Code) error {
	switch {
	case !c.UsedAt.IsZero():
		return ErrCodeUsed
	case !s.now().Before(c.ExpiresAt):
		return ErrCodeExpired
	case c.Attempts >= s.maxAttempts:
		return ErrTooManyAttempts
	}
	return nil
}

// wellFormed reports whether code is exactly CodeLen ASCII digits.
func wellFormed(code string) bool {
	if len(code) != CodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// Consume marks the code used. Call it inside the transaction of the
// action the code authorises, so that the code is spent if and only if
// the action happens. Of several concurrent calls for one code exactly one
// succeeds; the others, and calls for an unknown or used code, get
// ErrCodeUsed or errs.ErrInvalidCode.
func (s *Service) Consume(ctx context.Context, codeID string) error {
	err := s.store.ConsumeCode(ctx, codeID, s.now())
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrConflict):
		return ErrCodeUsed
	case errors.Is(err, storage.ErrNotFound):
		return errs.ErrInvalidCode
	}
	return fmt.Errorf("verification: consuming code: %w", err)
}

// Redeem checks code (outside any transaction, see Check) and then, in
// one transaction, consumes it and runs fn. fn's error is returned as is,
// and then the code stays unused. Call Redeem with a context that carries
// no transaction.
func (s *Service) Redeem(ctx context.Context, purpose Purpose, flowID, code string, fn func(ctx context.Context) error) error {
	codeID, err := s.Check(ctx, purpose, flowID, code)
	if err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Consume(ctx, codeID); err != nil {
			return err
		}
		return fn(ctx)
	})
}

// Cancel deletes the code of the purpose and flow, if any, for a flow that
// ends without it (a cancelled merge). It joins ctx's transaction.
func (s *Service) Cancel(ctx context.Context, purpose Purpose, flowID string) error {
	if err := s.store.DeleteCodesOfFlow(ctx, purpose, flowID); err != nil {
		return fmt.Errorf("verification: cancelling code: %w", err)
	}
	return nil
}

// Forget deletes every code sent to the address and its send log. The
// account service calls it, in its transaction, when it erases the account
// of the address, so no copy of the address stays behind.
func (s *Service) Forget(ctx context.Context, address string) error {
	if err := s.store.ForgetAddress(ctx, address); err != nil {
		return fmt.Errorf("verification: forgetting address: %w", err)
	}
	return nil
}

// DeleteExpired deletes the codes that expired longer ago than the send
// log remembers (an hour, or the Window when longer) and the sends that
// no longer count for throttling, and returns how many codes it deleted.
// An expired code is kept that long because it lets its flow get a new
// code over the send limits (see Issue); it holds only a digest. Run it
// periodically.
func (s *Service) DeleteExpired(ctx context.Context) (int, error) {
	now := s.now()
	window := max(time.Hour, s.window)
	n, err := s.store.DeleteCodesBefore(ctx, now.Add(-window))
	if err != nil {
		return n, fmt.Errorf("verification: deleting expired codes: %w", err)
	}
	if err := s.store.DeleteSendsBefore(ctx, now.Add(-window)); err != nil {
		return n, fmt.Errorf("verification: deleting old sends: %w", err)
	}
	return n, nil
}
