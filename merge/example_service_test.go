package merge_test

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// The whole flow on the in-memory store: Ada, signed in, merges her old
// profile after confirming a code mailed to its recovery address.
func ExampleService() {
	ctx := context.Background()
	st := memory.New()
	outbox := notify.NewOutbox()
	now := func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: outbox, Now: now})
	svc := merge.NewService(merge.Config{
		Accounts: st, Profiles: st, ProfileData: st, History: st, Notify: st, Flows: st, Expired: st, Tx: st,
		Codes: codes, Notices: &notify.Notifier{Mailer: outbox}, Now: now,
	})

	// Two profiles of one person (normally made by account sign-up).
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_new", Name: "Ada Lovelace", Skills: []string{"Go"}})
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_old", Name: "A. Lovelace", Country: "GB",
		Skills: []string{"SQL"}, RecoveryEmail: "ada@example.net"})
	_ = st.SaveProgress(ctx, "prf_new", profile.Progress{Points: 120})
	_ = st.SaveProgress(ctx, "prf_old", profile.Progress{Points: 30})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_new", ProfileID: "prf_new", Email: "ada@example.com", Status: account.StatusActive})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_old", ProfileID: "prf_old", Email: "ada@old.example.org", Status: account.StatusActive})

	// Ada signed in just now: starting and committing a merge need a
	// recent sign-in.
	ada := auth.New("acc_new", auth.MethodPassword, now(), "")
	flow, err := svc.Start(ctx, ada, "ada@old.example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("send the code to:", flow.Addresses)
	if err := svc.SendCode(ctx, ada, flow.ID, merge.ChoiceRecovery); err != nil {
		fmt.Println(err)
		return
	}
	mail, _ := outbox.Last("ada@example.net")
	code := regexp.MustCompile(`\b[0-9]{6}\b`).FindString(mail.Body)

	preview, err := svc.Verify(ctx, ada, flow.ID, code)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range preview.Fields {
		fmt.Printf("%s: keep %q from %s", f.Name, f.Kept, f.Origin)
		if f.Conflict {
			fmt.Printf(", discard %q", f.Discarded)
		}
		fmt.Println()
	}
	fmt.Println("points after the merge:", preview.Combined.Points)
	fmt.Println("not merged:", preview.NotMerged)

	merged, err := svc.Commit(ctx, ada, flow.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	accts, _ := st.AccountsOfProfile(ctx, merged.ID)
	fmt.Println("merged:", merged.Name, merged.Country, merged.Skills, len(accts), "accounts")
	_, err = st.Profile(ctx, "prf_old")
	fmt.Println("old profile:", err)
	// Output:
	// send the code to: [a***@old.example.org the verified recovery email of that profile]
	// name: keep "Ada Lovelace" from signed_in, discard "A. Lovelace"
	// country: keep "GB" from other
	// recovery_email: keep "ada@example.net" from other
	// points after the merge: 150
	// not merged: [credits]
	// merged: Ada Lovelace GB [Go SQL] 2 accounts
	// old profile: memory: profile "prf_old": storage: not found
}
