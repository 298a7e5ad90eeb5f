package personaldata_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// ada is the person of acc_1, signed in with a password just now.
var ada = auth.New("acc_1", auth.MethodPassword, time.Now(), "")

// newExampleService returns a Service over a memory store holding one
// profile with an account, a skill and two history entries.
func newExampleService() (*personaldata.Service, *memory.Store) {
	ctx := context.Background()
	st := memory.New()
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_1", Name: "Ada Lovelace", Skills: []string{"Go"}, CreatedAt: at, UpdatedAt: at})
	_ = st.CreateAccount(ctx, account.Account{
		ID: "acc_1", ProfileID: "prf_1", Email: "ada@example.com", PasswordHash: "$argon2id$…",
		PasswordChangedAt: at, Status: account.StatusActive, Credits: 10, CreatedAt: at,
	})
	_ = st.AppendHistory(ctx,
		history.Entry{ID: "his_1", ProfileID: "prf_1", AccountID: "acc_1", Item: "name", Action: history.ActionSet, At: at},
		history.Entry{ID: "his_2", ProfileID: "prf_1", AccountID: "acc_1", Item: "skills", Action: history.ActionAdded, Detail: "Go", At: at.Add(time.Minute)},
	)
	pd := personaldata.NewService(personaldata.Config{
		Tx: st, Profiles: st, Accounts: st, History: st, Owners: account.NewOwners(st),
		Sources: personaldata.DefaultSources(personaldata.Deps{
			Profiles: st, Accounts: st, Codes: st, History: st, Notify: st,
			// Tokens and TwoFactor take the token and twofactor services.
		}),
	})
	return pd, st
}

func ExampleService_Collect() {
	pd, _ := newExampleService()
	v, err := pd.Collect(context.Background(), ada)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Profile.Name, v.Profile.Skills)
	for _, a := range v.Accounts {
		fmt.Println(a.Email, a.Status, "credits:", a.Credits, "password:", a.HasPassword)
	}
	fmt.Println("tracking since:", v.TrackingSince.Format("January 2006"))
	for _, e := range v.History {
		fmt.Println(strings.TrimSpace(e.At.Format(time.DateOnly) + " " + e.Item + " " + e.Action + " " + e.Detail))
	}
	// Output:
	// Ada Lovelace [Go]
	// ada@example.com active credits: 10 password: true
	// tracking since: November 2018
	// 2024-03-01 name set
	// 2024-03-01 skills added Go
}

func ExampleService_ExportZIP() {
	pd, _ := newExampleService()
	var buf bytes.Buffer
	if err := pd.ExportZIP(context.Background(), ada, &buf); err != nil {
		fmt.Println(err)
		return
	}
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	for _, f := range zr.File {
		fmt.Println(f.Name)
	}
	// Output:
	// personal-data.json
}

func ExampleService_History() {
	pd, _ := newExampleService()
	page, _ := pd.History(context.Background(), ada, 1, 1)
	fmt.Println(page.Entries[0].Item, page.Entries[0].Action, "more:", page.More)
	// Output:
	// skills added more: true
}

func ExampleService_Erase() {
	pd, st := newExampleService()
	ctx := context.Background()
	fmt.Println(pd.Erase(ctx, ada))
	_, err := st.AccountByEmail(ctx, "ada@example.com")
	fmt.Println(err != nil)
	_, err = pd.Collect(ctx, ada)
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// account: unknown account: auth: forbidden
}
