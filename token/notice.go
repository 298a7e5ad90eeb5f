package token

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

type noticeKind int

const (
	noticeToken noticeKind = iota
	noticeAPIKey
)

// notice mails a security notice after a token or key was created. It is
// called after the transaction committed; a failure is reported through
// Config.NoticeFailed and does not undo the creation.
func (s *Service) notice(ctx context.Context, to string, k noticeKind, detail string, at time.Time) {
	if s.mailer == nil || to == "" {
		return
	}
	m, err := noticeMessage(to, k, detail, at)
	if err == nil {
		err = s.mailer.Send(ctx, m)
	}
	if err != nil && s.noticeFailed != nil {
		s.noticeFailed(ctx, err)
	}
}

// noticeMessage builds the notice. TODO(notify): switch to
// notify.NoticeMessage once it lands.
func noticeMessage(to string, k noticeKind, detail string, at time.Time) (notify.Message, error) {
	what := "personal access token"
	if k == noticeAPIKey {
		what = "API key"
	}
	return notify.Message{
		To:      to,
		Subject: "A new " + what + " was created",
		Body: "A new " + what + " (" + detail + ") was created for your account at " +
			at.UTC().Format(time.RFC1123) + ".\nIf this was not you, delete it and change your password.\n",
	}, nil
}
