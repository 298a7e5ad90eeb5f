package personaldata_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestHistoryPaging(t *testing.T) {
	pd, st := newExampleService()
	ctx := context.Background()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 120 {
		e := history.Entry{ID: fmt.Sprintf("his_x%03d", i), ProfileID: "prf_1", Item: "about_you", Action: history.ActionSet, At: at.Add(time.Duration(i) * time.Second)}
		if err := st.AppendHistory(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		page, size        int
		wantLen, wantSize int
		wantFirst         string
		wantMore          bool
		wantPage          int
	}{
		{page: 1, size: 0, wantLen: 50, wantSize: personaldata.DefaultPageSize, wantFirst: "his_x119", wantMore: true, wantPage: 1},
		{page: 0, size: 10, wantLen: 10, wantSize: 10, wantFirst: "his_x119", wantMore: true, wantPage: 1},
		{page: 3, size: 50, wantLen: 22, wantSize: 50, wantFirst: "his_x019", wantMore: false, wantPage: 3},
		{page: 1, size: 10000, wantLen: 122, wantSize: personaldata.MaxPageSize, wantFirst: "his_x119", wantMore: false, wantPage: 1},
		{page: 9, size: 50, wantLen: 0, wantSize: 50, wantMore: false, wantPage: 9},
	}
	for _, tt := range tests {
		got, err := pd.History(ctx, ada, tt.page, tt.size)
		if err != nil {
			t.Fatalf("History(%d, %d): %v", tt.page, tt.size, err)
		}
		first := ""
		if len(got.Entries) > 0 {
			first = got.Entries[0].ID
		}
		if len(got.Entries) != tt.wantLen || got.PageSize != tt.wantSize || first != tt.wantFirst || got.More != tt.wantMore || got.Page != tt.wantPage {
			t.Errorf("History(%d, %d) = %d entries, size %d, first %q, more %v, page %d; want %d, %d, %q, %v, %d",
				tt.page, tt.size, len(got.Entries), got.PageSize, first, got.More, got.Page,
				tt.wantLen, tt.wantSize, tt.wantFirst, tt.wantMore, tt.wantPage)
		}
	}
}

func TestExportJSONDocument(t *testing.T) {
	pd, st := newExampleService()
	ctx := context.Background()
	if err := st.DeleteHistoryOfProfile(ctx, "prf_1"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pd.ExportJSON(ctx, ada, &buf); err != nil {
		t.Fatalf("ExportJSON: %v", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.Bytes())
	}
	want := []string{"accounts", "api_keys", "community_progress", "exported_at", "history", "mail", "merges", "notifications",
		"passkeys", "personal_access_tokens", "profile", "schema_version", "security_log", "sessions", "tracking_since", "two_factor",
		"verification_codes_sent"}
	var got []string
	for k := range doc {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	for _, k := range []string{"history", "api_keys", "personal_access_tokens", "two_factor", "passkeys", "merges", "sessions", "mail", "security_log"} {
		if string(doc[k]) != "[]" {
			t.Errorf("%s = %s, want []", k, doc[k])
		}
	}
	if !strings.Contains(buf.String(), `"has_password": true`) || strings.Contains(buf.String(), "argon2id") {
		t.Errorf("the export must say an account has a password and never show its hash:\n%s", buf.String())
	}
}

// failWriter fails every write.
type failWriter struct{}

var errWrite = errors.New("write failed")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestExportWriteError(t *testing.T) {
	pd, _ := newExampleService()
	for name, export := range map[string]func(context.Context, auth.Caller, io.Writer) error{
		"json": pd.ExportJSON,
		"zip":  pd.ExportZIP,
	} {
		if err := export(context.Background(), ada, failWriter{}); !errors.Is(err, errWrite) {
			t.Errorf("%s export to a failing writer = %v, want the write error", name, err)
		}
	}
}

func TestTrackingSince(t *testing.T) {
	st := memory.New()
	since := time.Date(2020, 2, 3, 0, 0, 0, 0, time.UTC)
	pd := personaldata.NewService(personaldata.Config{
		Tx: st, Profiles: st, Accounts: st, History: st, TrackingSince: since,
		Sources: []personaldata.Source{personaldata.HistorySource(st)},
	})
	if !pd.TrackingSince().Equal(since) {
		t.Errorf("TrackingSince = %v, want %v", pd.TrackingSince(), since)
	}
}

func TestNewServicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("NewService without sources did not panic")
		}
	}()
	st := memory.New()
	personaldata.NewService(personaldata.Config{Tx: st, Profiles: st, Accounts: st, History: st})
}

// TestSourcesCoverEveryStore lists the sources of DefaultSources with a
// full World, so a source dropped from it shows here and in the
// adapters' coverage tests.
func TestSourcesCoverEveryStore(t *testing.T) {
	w := storagetest.NewWorld(t, memory.New())
	var names []string
	for _, s := range w.PersonalData.Sources() {
		names = append(names, s.Name())
	}
	want := []string{"accounts", "verification", "mail", "tokens", "two_factor", "passkeys", "sessions", "merges", "notifications", "history", "security_log", "profile"}
	if !slices.Equal(names, want) {
		t.Errorf("DefaultSources = %v, want %v", names, want)
	}
}
