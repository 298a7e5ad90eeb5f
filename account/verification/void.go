package verification

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
)

// voidMailTo is the address the mail that IssueVoid composes and drops
// is addressed to: a reserved domain that no one receives mail for.
const voidMailTo = "nobody@void.invalid"

// IssueVoid does the work of Issue for a flow whose code must go nowhere,
// so that such a path looks like one that sends, in its answer, its
// throttle and its time: it checks and records the send throttle of
// address (which may be a stand-in that is nobody's address), composes a
// mail that it drops, and stores, in place of any earlier code of the
// purpose and flow, a code that no input matches (its digest is random,
// not the digest of any code). Checking a code of the flow then costs
// what it costs for a real code, counts the attempt, and always fails
// with ErrInvalidCode. Like Issue, it returns a *ThrottledError and
// changes nothing when the address is throttled. It never mails.
func (s *Service) IssueVoid(ctx context.Context, purpose Purpose, flowID, address string) error {
	if purpose == "" || flowID == "" || address == "" {
		return fmt.Errorf("verification: issue: %w", ErrMissingArgument)
	}
	code, err := newCode(s.rand)
	if err != nil {
		return err
	}
	cid, err := id.New(s.rand, "vc_")
	if err != nil {
		return fmt.Errorf("verification: issue: %w", err)
	}
	if _, err := notify.CodeMessage(voidMailTo, string(purpose), code, s.ttl); err != nil {
		return fmt.Errorf("verification: composing mail: %w", err)
	}
	digest := s.digest(purpose, flowID, code) // the work of a real digest, then replaced
	if _, err := io.ReadFull(s.rand, digest); err != nil {
		return fmt.Errorf("verification: reading randomness: %w", err)
	}
	now := s.now()
	c := Code{
		ID: cid, Purpose: purpose, FlowID: flowID, Address: address,
		Digest: digest, CreatedAt: now, ExpiresAt: now.Add(s.ttl),
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.throttle(ctx, address, now); err != nil {
			return err
		}
		return s.store.PutCode(ctx, c)
	})
	switch {
	case errors.Is(err, ErrThrottled):
		return err
	case err != nil:
		return fmt.Errorf("verification: storing code: %w", err)
	}
	return nil
}
