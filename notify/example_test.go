package notify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// A one-time code goes out through any Mailer; the Outbox keeps it so a
// test or a development server can read it back.
func ExampleCodeMessage() {
	m, err := notify.CodeMessage("ann@example.com", "signup", "042137", 10*time.Minute)
	if err != nil {
		panic(err)
	}
	outbox := notify.NewOutbox()
	if err := outbox.Send(context.Background(), m); err != nil {
		panic(err)
	}
	got, _ := outbox.Last("ann@example.com")
	fmt.Println(got.Subject)
	fmt.Println(strings.Contains(got.Body, "042137"), strings.Contains(got.Body, "expires in 10 minutes"))
	// Output:
	// Confirm your email address
	// true true
}

// Security notices are not settings: hosts send them after every such
// change.
func ExampleNoticeMessage() {
	m, err := notify.NoticeMessage("ann@example.com", notify.Notice{
		Kind: notify.NoticeTokenCreated, Detail: "ci deploy",
		At: time.Date(2024, 3, 4, 5, 6, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Subject)
	fmt.Println(strings.Split(m.Body, "\n")[2])
	// Output:
	// A personal access token was created
	// A new personal access token was created for your account: ci deploy.
}

// No address can smuggle in a header.
func ExampleErrHeaderInjection() {
	err := notify.NewOutbox().Send(context.Background(), notify.Message{
		To: "ann@example.com\r\nBcc: eve@example.com", Subject: "Hi",
	})
	fmt.Println(errors.Is(err, notify.ErrHeaderInjection))
	// Output: true
}

// A profile that never saved settings reads the defaults; saving one
// toggle leaves the other as it was.
func ExampleService_Settings() {
	ctx := context.Background()
	st := memory.New()
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_ann"})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_ann", ProfileID: "prf_ann", Email: "ann@example.com", Status: account.StatusActive})
	svc := notify.NewService(notify.Config{Store: st, Tx: st, History: st, Owners: account.NewOwners(st)})
	ann := auth.New("acc_ann", auth.MethodPassword, time.Now(), "") // from the host's sign-in

	s, _ := svc.Settings(ctx, ann)
	fmt.Printf("digest %v, thread updates %v\n", s.DailyDigest, s.ThreadUpdates)

	on := true
	s, _ = svc.Update(ctx, ann, notify.Update{DailyDigest: &on})
	fmt.Printf("digest %v, thread updates %v\n", s.DailyDigest, s.ThreadUpdates)
	// Output:
	// digest false, thread updates true
	// digest true, thread updates true
}

// The host walks the digest subscribers with a range loop; the store is
// read as the loop goes.
func ExampleService_DigestSubscribers() {
	ctx := context.Background()
	st := memory.New()
	svc := notify.NewService(notify.Config{Store: st, Tx: st, Owners: account.NewOwners(st)})
	on := true
	for _, id := range []string{"prf_b", "prf_a", "prf_c"} {
		_ = st.CreateProfile(ctx, profile.Profile{ID: id})
		_ = st.CreateAccount(ctx, account.Account{ID: "acc_" + id, ProfileID: id, Email: id + "@example.com", Status: account.StatusActive})
		if id != "prf_c" {
			_, _ = svc.Update(ctx, auth.New("acc_"+id, auth.MethodPassword, time.Now(), ""), notify.Update{DailyDigest: &on})
		}
	}
	for id, err := range svc.DigestSubscribers(ctx) {
		if err != nil {
			panic(err)
		}
		fmt.Println(id)
	}
	// Output:
	// prf_a
	// prf_b
}

// Watching is idempotent both ways; watching again after stopping starts
// a new watch.
func ExampleService_Watch() {
	ctx := context.Background()
	st := memory.New()
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_ann"})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_ann", ProfileID: "prf_ann", Email: "ann@example.com", Status: account.StatusActive})
	svc := notify.NewService(notify.Config{Store: st, Tx: st, History: st, Owners: account.NewOwners(st)})
	ann := auth.New("acc_ann", auth.MethodPassword, time.Now(), "") // from the host's sign-in

	_ = svc.Watch(ctx, ann, "app_1", "Expense Tracker")
	_ = svc.Watch(ctx, ann, "app_1", "Expense Tracker")
	apps, _ := svc.WatchedApps(ctx, ann)
	fmt.Println(len(apps), apps[0].AppName)

	_ = svc.StopWatching(ctx, ann, "app_1")
	_ = svc.StopWatching(ctx, ann, "app_1")
	apps, _ = svc.WatchedApps(ctx, ann)
	fmt.Println(len(apps))
	// Output:
	// 1 Expense Tracker
	// 0
}
