package notify

import (
	"context"
	"fmt"
	"log/slog"
)

// Notifier sends security notices after the change they report has
// committed. With a *Courier as its Mailer (as usersettings.New wires
// it) Send queues each notice durably in the outbox before it returns,
// and the courier delivers it; the services call Send after the commit
// and not inside the transaction, because on PostgreSQL a failed write
// aborts the whole transaction, which would let a notice undo its change.
// It is the SDK's one failure policy for notices: a notice that cannot
// be built or queued never undoes or fails the change, and the failure
// is always reported, to Failed when it is set and otherwise as a
// warning through slog.Default. It is never dropped silently.
//
// A nil *Notifier, or one without a Mailer, sends nothing.
type Notifier struct {
	// Mailer sends the notices.
	Mailer Mailer
	// Failed is called once for each notice that could not be sent.
	Failed func(ctx context.Context, err *NoticeError)
}

// NoticeError reports a security notice that could not be sent. It names
// the kind of notice but not the address, which is personal data.
type NoticeError struct {
	Kind NoticeKind
	Err  error
}

// Error describes the failure.
func (e *NoticeError) Error() string {
	return fmt.Sprintf("notify: %s notice not sent: %v", e.Kind, e.Err)
}

// Unwrap returns the mailer's error.
func (e *NoticeError) Unwrap() error { return e.Err }

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
		m, err := NoticeMessage(addr, notice)
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
