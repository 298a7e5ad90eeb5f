package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

type failingMailer struct{ err error }

func (f failingMailer) Send(context.Context, notify.Message) error { return f.err }

func TestNotifierSends(t *testing.T) {
	out := &notify.Outbox{}
	n := &notify.Notifier{Mailer: out}
	n.Send(context.Background(), notify.Notice{Kind: notify.NoticePasswordChanged, At: time.Unix(0, 0)}, "a@example.com", "", "b@example.com")
	if got := len(out.Messages()); got != 2 {
		t.Fatalf("sent %d messages, want 2 (empty address skipped)", got)
	}
	var nilNotifier *notify.Notifier
	nilNotifier.Send(context.Background(), notify.Notice{Kind: notify.NoticePasswordChanged}, "a@example.com")
}

func TestNotifierReportsFailures(t *testing.T) {
	down := errors.New("relay down")
	var got []*notify.NoticeError
	n := &notify.Notifier{Mailer: failingMailer{down}, Failed: func(_ context.Context, err *notify.NoticeError) { got = append(got, err) }}
	n.Send(context.Background(), notify.Notice{Kind: notify.NoticeTokenCreated}, "a@example.com", "b@example.com")
	if len(got) != 2 || got[0].Kind != notify.NoticeTokenCreated || !errors.Is(got[0], down) {
		t.Fatalf("Failed got %v, want two NoticeErrors wrapping the mail error", got)
	}
	if strings.Contains(got[0].Error(), "a@example.com") {
		t.Errorf("NoticeError names the address: %q", got[0].Error())
	}
	// An unknown kind fails to build and is reported, not dropped.
	got = nil
	n.Send(context.Background(), notify.Notice{Kind: "no_such_kind"}, "a@example.com")
	if len(got) != 1 || !errors.Is(got[0], notify.ErrUnknownNotice) {
		t.Fatalf("unknown kind: Failed got %v, want ErrUnknownNotice", got)
	}
}

func TestNotifierLogsWithoutHook(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(prev)
	n := &notify.Notifier{Mailer: failingMailer{errors.New("relay down")}}
	n.Send(context.Background(), notify.Notice{Kind: notify.NoticeAccountAdded}, "a@example.com")
	if !strings.Contains(buf.String(), "security notice not sent") || strings.Contains(buf.String(), "a@example.com") {
		t.Errorf("log = %q, want a warning without the address", buf.String())
	}
}
