package token

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

// notice mails a security notice after a token or key was created. It is
// called after the transaction committed; a failure is reported through
// Config.NoticeFailed and does not undo the creation.
func (s *Service) notice(ctx context.Context, to string, kind notify.NoticeKind, detail string, at time.Time) {
	if s.mailer == nil || to == "" {
		return
	}
	m, err := notify.NoticeMessage(to, notify.Notice{Kind: kind, Detail: detail, At: at})
	if err == nil {
		err = s.mailer.Send(ctx, m)
	}
	if err != nil && s.noticeFailed != nil {
		s.noticeFailed(ctx, err)
	}
}
