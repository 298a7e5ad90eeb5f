package notify

import (
	"context"
	"fmt"
	"log/slog"

	"golang.org/x/text/language"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// Notifier sends security notices. With a *Courier as its Mailer (as
// usersettings.New wires it) Queue writes each notice to the durable
// outbox inside the transaction of the change it reports, so both commit
// or neither, and the courier delivers it; Send queues it on its own,
// after the change committed (a crash in between loses it). It is the
// SDK's one failure policy for notices: a notice that cannot be built
// (an address no mailer accepts) never undoes or fails the change, and
// the failure is always reported, to Failed when it is set and otherwise
// as a warning through slog.Default. It is never dropped silently. Only
// a failed write of the outbox itself fails the change (Queue).
//
// A nil *Notifier, or one without a Mailer, sends nothing.
type Notifier struct {
	// Mailer sends the notices.
	Mailer Mailer
	// Failed is called once for each notice that could not be sent.
	Failed func(ctx context.Context, err *NoticeError)
	// Language, when set, gives the recipient's profile language; a
	// notice without a Language of its own is written in it, else in
	// the language of ctx (LanguageFrom).
	Language LanguageFunc
}

// ErrNoticeNotSent is wrapped by every *NoticeError.
var ErrNoticeNotSent = errs.New(errs.Unavailable, "notice_not_sent", "notify: notice not sent")

// NoticeError reports a security notice that could not be sent. It names
// the kind of notice but not the address, which is personal data. It
// wraps the mailer's (or the outbox's) error and ErrNoticeNotSent, in
// that order: the kind and code it answers with (errs.KindOf, errs.CodeOf)
// are the cause's when the cause has them, so that a notice the outbox
// could not store because the database is away answers 503
// "unavailable" like every other write then, and ErrNoticeNotSent's
// otherwise.
type NoticeError struct {
	Kind NoticeKind
	Err  error
}

// Error describes the failure.
func (e *NoticeError) Error() string {
	return fmt.Sprintf("notify: %s notice not sent: %v", e.Kind, e.Err)
}

// Unwrap returns the mailer's error and ErrNoticeNotSent.
func (e *NoticeError) Unwrap() []error { return []error{e.Err, ErrNoticeNotSent} }

// Send mails the notice to each address, skipping empty ones, and reports
// every failure by the policy of Notifier.
func (n *Notifier) Send(ctx context.Context, notice Notice, to ...string) {
	if n == nil || n.Mailer == nil {
		return
	}
	for _, addr := range to {
		if addr == "" {
			continue
		}
		m, err := n.message(ctx, addr, notice)
		if err == nil {
			err = n.Mailer.Send(ctx, m)
		}
		if err != nil {
			n.report(ctx, &NoticeError{Kind: notice.Kind, Err: err})
		}
	}
}

func (n *Notifier) report(ctx context.Context, err *NoticeError) {
	if n.Failed != nil {
		n.Failed(ctx, err)
		return
	}
	slog.Default().WarnContext(ctx, "security notice not sent", "kind", string(err.Kind), "err", err.Err.Error())
}

// Queue writes the notice to each address (skipping empty ones) into the
// durable outbox in the transaction ctx carries, when the Mailer is an
// Enqueuer (a *Courier, as usersettings.New wires it): the notice is then
// kept exactly when the change it reports commits, and a crash between
// the commit and the queueing cannot lose it. A notice that cannot be
// built (an address no mailer accepts) is checked before anything is
// written, reported by the policy of Notifier and skipped. An error of
// the outbox itself is returned, and the caller returns it from its
// transaction: a failed write aborts a PostgreSQL transaction anyway, and
// the change must not commit without its notice. With a Mailer that is
// not an Enqueuer, Queue sends like Send (call it after the commit then).
func (n *Notifier) Queue(ctx context.Context, notice Notice, to ...string) error {
	if n == nil || n.Mailer == nil {
		return nil
	}
	queue, ok := n.Mailer.(Enqueuer)
	if !ok {
		n.Send(ctx, notice, to...)
		return nil
	}
	for _, addr := range to {
		if addr == "" {
			continue
		}
		m, err := n.message(ctx, addr, notice)
		if err == nil {
			err = checkHeaders(m)
		}
		if err == nil {
			_, err = parseAddress(m.To)
		}
		if err != nil {
			n.report(ctx, &NoticeError{Kind: notice.Kind, Err: err})
			continue
		}
		if err := queue.Enqueue(ctx, m); err != nil {
			return &NoticeError{Kind: notice.Kind, Err: err}
		}
	}
	return nil
}

// message writes the notice to addr in its language: its own Language,
// else the recipient's profile language (Notifier.Language), else the
// language of ctx.
func (n *Notifier) message(ctx context.Context, addr string, notice Notice) (Message, error) {
	if notice.Language == language.Und {
		lang, err := n.Language.For(ctx, addr)
		if err != nil {
			return Message{}, err
		}
		notice.Language = lang
	}
	return NoticeMessage(addr, notice)
}
