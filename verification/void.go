package verification

import (
	"context"
	"errors"
	"fmt"
	"io"

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
// not the digest of any code). When the Mailer is a notify.Rehearser
// (a *notify.Courier), the mail is rehearsed where Issue would queue it.
// Checking a code of the flow then costs
// what it costs for a real code, counts the attempt, and always fails
// with errs.ErrInvalidCode. Like Issue, it returns a *errs.RetryError and
// changes nothing when the address is throttled, and it lets a flow
// whose code expired or was used have a new one over the limits, so a
// decoy flow's resends are throttled exactly as a real flow's. It never
// mails.
func (s *Service) IssueVoid(ctx context.Context, purpose Purpose, flowID, address string) error {
	code, c, err := s.draft(purpose, flowID, address)
	if err != nil {
		return err
	}
	// The language is read as Issue reads it, so both cost the same.
	lang, err := s.language.For(ctx, address)
	if err != nil {
		return fmt.Errorf("verification: composing mail: %w", err)
	}
	msg, err := notify.CodeMail{To: voidMailTo, Purpose: string(purpose), Code: code, TTL: s.ttl, Language: lang}.Message()
	if err != nil {
		return fmt.Errorf("verification: composing mail: %w", err)
	}
	rehearser, rehearse := s.mailer.(notify.Rehearser)
	// The work of a real digest is done; it is replaced by one that no
	// code matches.
	if _, err := io.ReadFull(s.rand, c.Digest); err != nil {
		return fmt.Errorf("verification: reading randomness: %w", err)
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.admit(ctx, c); err != nil {
			return err
		}
		if err := s.store.PutCode(ctx, c); err != nil {
			return err
		}
		if rehearse {
			// The work of queueing the mail (Issue's Enqueue), dropped.
			return rehearser.Rehearse(ctx, msg)
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrThrottled):
		return err
	case err != nil:
		return fmt.Errorf("verification: storing code: %w", err)
	}
	return nil
}
