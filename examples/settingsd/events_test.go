package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// TestLogEvents checks the security-log hook of settingsd: one JSON line
// per event, at info level, a failed notice as a warning.
func TestLogEvents(t *testing.T) {
	var buf bytes.Buffer
	hook := logEvents(slog.New(slog.NewJSONHandler(&buf, nil)))
	hook(context.Background(), securitylog.Event{ID: "sev_1", ProfileID: "prf_1", AccountID: "acc_1", Kind: securitylog.SignedIn,
		IP: "192.0.2.1", Device: "Firefox on Linux", Detail: "ada@example.com"})
	hook(context.Background(), securitylog.Event{Kind: securitylog.NoticeFailed, Detail: "password_changed"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %d lines, want 2:\n%s", len(lines), buf.String())
	}
	want := []map[string]string{
		{"level": "INFO", "msg": "security event", "kind": "signed_in", "id": "sev_1", "account_id": "acc_1"},
		{"level": "WARN", "msg": "security event", "kind": "notice_failed", "notice": "password_changed"},
	}
	for _, personal := range []string{"192.0.2.1", "Firefox", "ada@example.com"} {
		if strings.Contains(buf.String(), personal) {
			t.Errorf("the log holds the personal value %q:\n%s", personal, buf.String())
		}
	}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("line %d: %s = %v, want %q", i, k, got[k], v)
			}
		}
	}
}
