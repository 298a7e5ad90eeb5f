package usersettings

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// TestNoticeFailedGoesToOnEvent checks that a failed notice reaches
// Options.OnEvent as a notice_failed event naming only the notice kind,
// and that without OnEvent the Notifier keeps its slog default.
func TestNoticeFailedGoesToOnEvent(t *testing.T) {
	if noticeFailed(Options{}) != nil {
		t.Error("without OnEvent, failed notices must keep the Notifier's default (a slog warning)")
	}
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var got []securitylog.Event
	o := Options{Now: func() time.Time { return now }, OnEvent: func(_ context.Context, e securitylog.Event) { got = append(got, e) }}
	n := &notify.Notifier{Mailer: failingMailer{}, Failed: noticeFailed(o)}
	n.Send(context.Background(), notify.Notice{Kind: notify.NoticePasswordChanged}, "ada@example.com")
	want := securitylog.Event{Kind: securitylog.NoticeFailed, At: now, Detail: string(notify.NoticePasswordChanged)}
	if len(got) != 1 || got[0] != want {
		t.Errorf("OnEvent got %+v, want [%+v]", got, want)
	}
}

type failingMailer struct{}

func (failingMailer) Send(context.Context, notify.Message) error {
	return errors.New("ada@example.com: mailbox unavailable")
}
