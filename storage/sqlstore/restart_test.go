package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// rsNow has a sub-microsecond part on purpose: stored times are truncated
// to the microsecond.
var rsNow = time.Date(2024, 6, 7, 8, 9, 10, 123456789, time.FixedZone("CEST", 2*3600))

// rsData is one of everything, written before the restart and compared
// after it.
type rsData struct {
	Profile  profile.Profile
	Avatar   profile.Avatar
	Progress profile.Progress
	Account  account.Account
	Pending  account.Pending
	Code     verification.Code
	Sends    []time.Time
	History  []history.Entry
	Settings notify.Settings
	Watched  []notify.WatchedApp
}

func rsSample() rsData {
	at := rsNow.UTC().Truncate(time.Microsecond)
	return rsData{
		Profile: profile.Profile{
			ID: "prf_1", Name: "Ada", JobTitle: "Engineer", Country: "GB", AboutYou: "✓",
			Skills: []string{"Go"}, Industries: []string{"Finance"}, Public: true,
			CreatedAt: at, UpdatedAt: at,
		},
		Avatar: profile.Avatar{
			AvatarInfo: profile.AvatarInfo{ContentType: "image/png", Size: 3, Width: 1, Height: 1, Digest: "abc"},
			Data:       []byte{1, 2, 3},
		},
		Progress: profile.Progress{
			Points:       10,
			Achievements: []profile.Achievement{{ID: "ach_1", Name: "First", AwardedAt: at}},
			Academy:      []profile.CourseProgress{{CourseID: "crs_1", Title: "Basics", Percent: 50}},
		},
		Account: account.Account{
			ID: "acc_1", ProfileID: "prf_1", Email: "ada@example.com", PasswordHash: "$argon2id$x",
			PasswordChangedAt: at, Status: account.StatusActive, Credits: 3, CreatedAt: at,
		},
		Pending: account.Pending{
			ID: "pnd_1", Kind: account.PendingAddAccount, Email: "ada2@example.com",
			ProfileID: "prf_1", RequestedBy: "acc_1", CreatedAt: at, ExpiresAt: at.Add(time.Hour),
		},
		Code: verification.Code{
			ID: "vc_1", Purpose: verification.PurposeMerge, FlowID: "mrg_1", Address: "ada@example.com",
			Digest: []byte{9, 9}, Attempts: 1, CreatedAt: at, ExpiresAt: at.Add(time.Hour), UsedAt: at,
		},
		Sends: []time.Time{at},
		History: []history.Entry{{
			ID: "his_1", ProfileID: "prf_1", AccountID: "acc_1", Item: "job_title",
			Action: history.ActionSet, At: at,
		}},
		Settings: notify.Settings{ProfileID: "prf_1", DailyDigest: true},
		Watched:  []notify.WatchedApp{{ProfileID: "prf_1", AppID: "app_1", AppName: "App", Since: at}},
	}
}

// rsWrite stores the sample with the original, untruncated times.
func rsWrite(t *testing.T, st *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	in := rsSample()
	in.Profile.CreatedAt, in.Account.CreatedAt, in.Code.UsedAt = rsNow, rsNow, rsNow
	steps := []error{
		st.CreateProfile(ctx, in.Profile),
		st.SetAvatar(ctx, "prf_1", in.Avatar),
		st.SaveProgress(ctx, "prf_1", in.Progress),
		st.CreateAccount(ctx, in.Account),
		st.CreatePending(ctx, in.Pending),
		st.PutCode(ctx, in.Code),
		st.RecordSend(ctx, "ada@example.com", verification.PurposeSignUp, rsNow),
		st.AppendHistory(ctx, in.History...),
		st.SaveNotificationSettings(ctx, in.Settings),
	}
	_, err := st.WatchApp(ctx, in.Watched[0])
	steps = append(steps, err)
	for i, err := range steps {
		if err != nil {
			t.Fatalf("write step %d: %v", i, err)
		}
	}
}

// rsRead reads back everything rsWrite stored.
func rsRead(t *testing.T, st *sqlstore.Store) rsData {
	t.Helper()
	ctx := context.Background()
	var (
		got  rsData
		errs [10]error
	)
	got.Profile, errs[0] = st.Profile(ctx, "prf_1")
	got.Avatar, errs[1] = st.Avatar(ctx, "prf_1")
	got.Progress, errs[2] = st.Progress(ctx, "prf_1")
	got.Account, errs[3] = st.AccountByEmail(ctx, "ADA@example.com")
	got.Pending, errs[4] = st.Pending(ctx, "pnd_1")
	got.Code, errs[5] = st.CodeOfFlow(ctx, verification.PurposeMerge, "mrg_1")
	got.Sends, errs[6] = st.SendsSince(ctx, "ada@example.com", time.Time{})
	got.History, errs[7] = st.History(ctx, "prf_1", 0, 10)
	got.Settings, _, errs[8] = st.NotificationSettings(ctx, "prf_1")
	got.Watched, errs[9] = st.WatchedApps(ctx, "prf_1")
	for i, err := range errs {
		if err != nil {
			t.Fatalf("read step %d: %v", i, err)
		}
	}
	return got
}

// TestRestart writes through one *sql.DB, closes it, opens the database
// again and reads everything back: on SQLite from the file, on PostgreSQL
// from the same schema.
func TestRestart(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			open := reopener(t, c)
			db, d := open()
			st := migrated(t, db, d)
			rsWrite(t, st)
			if err := st.Close(); err != nil {
				t.Errorf("Store.Close: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatalf("DB.Close: %v", err)
			}

			db, d = open()
			st = migrated(t, db, d)
			got := rsRead(t, st)
			want := rsSample()
			want.Profile.Avatar = want.Avatar.AvatarInfo
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("read back after reopening (-want +got):\n%s", diff)
			}
			if loc := got.Profile.CreatedAt.Location(); loc != time.UTC {
				t.Errorf("times come back in %v, want UTC", loc)
			}
		})
	}
}

// reopener returns a function that opens the same database each time.
func reopener(t *testing.T, c dbCase) func() (*sql.DB, sqlstore.Dialect) {
	t.Helper()
	if c.name == "sqlite" {
		file := filepath.Join(t.TempDir(), "restart.db")
		return func() (*sql.DB, sqlstore.Dialect) { return openSQLiteFile(t, file), sqlstore.SQLite }
	}
	schema := newSchema(t)
	return func() (*sql.DB, sqlstore.Dialect) { return openPostgresSchema(t, schema), sqlstore.Postgres }
}
