package merge_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// BenchmarkStartAndSend times Start and SendCode for an address of a
// profile with a verified recovery email (both choices mail a code) and
// for an address of nobody (neither does), alternating, on the memory
// store, each time with addresses never seen before. It reports the time of each and ratio = nobody / registered,
// which should stay near 1: the time must not tell whether an address is
// registered.
//
//	go test -run '^$' -bench BenchmarkStartAndSend ./merge/
func BenchmarkStartAndSend(b *testing.B) {
	ctx := context.Background()
	st := memory.New()
	now := func() time.Time { return testNow }
	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: notify.NewOutbox(),
		Burst: -1, MaxPerHour: -1, Now: now})
	svc := merge.NewService(merge.Config{
		Accounts: st, Profiles: st, ProfileData: st, History: st, Notify: st, Flows: st, Expired: st, Tx: st,
		Codes: codes, Now: now, StartLimit: merge.DefaultStartLimit,
	})
	if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_a"}); err != nil {
		b.Fatal(err)
	}
	if err := st.CreateAccount(ctx, account.Account{ID: "acc_a", ProfileID: "prf_a", Email: "a@example.com", Status: account.StatusActive}); err != nil {
		b.Fatal(err)
	}
	// One registered profile per iteration, so that both paths send to
	// addresses never seen before.
	for i := range b.N {
		p := profile.Profile{ID: fmt.Sprintf("prf_b%d", i), RecoveryEmail: fmt.Sprintf("r%d@home.example", i)}
		if err := st.CreateProfile(ctx, p); err != nil {
			b.Fatal(err)
		}
		a := account.Account{ID: fmt.Sprintf("acc_b%d", i), ProfileID: p.ID, Email: fmt.Sprintf("b%d@example.com", i), Status: account.StatusActive}
		if err := st.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	me := auth.New("acc_a", auth.MethodPassword, testNow, "")
	run := func(addr string) time.Duration {
		start := time.Now()
		f, err := svc.Start(ctx, me, addr)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []int{merge.ChoiceTyped, merge.ChoiceRecovery} {
			if err := svc.SendCode(ctx, me, f.ID, c); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var known, nobody time.Duration
	b.ResetTimer()
	for i := range b.N {
		known += run(fmt.Sprintf("b%d@example.com", i))
		nobody += run(fmt.Sprintf("n%d@example.com", i))
	}
	b.ReportMetric(float64(known.Nanoseconds())/float64(b.N), "registered-ns/op")
	b.ReportMetric(float64(nobody.Nanoseconds())/float64(b.N), "nobody-ns/op")
	b.ReportMetric(float64(nobody)/float64(known), "ratio")
}
