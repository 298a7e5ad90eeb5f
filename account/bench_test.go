package account_test

import (
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// BenchmarkAuthenticateUnknownEmail reports the time of a sign-in with an
// unknown address relative to one with a wrong password, through the
// whole of Authenticate with the default hasher on the memory store:
// the lookup, the failure counters, the dummy hash and the security log.
// Anti-enumeration wants a ratio within 0.95–1.05. The counters are
// given a budget no run exhausts, so every attempt is checked. Each
// iteration times two of each in the order ABBA and gives one ratio;
// the figure is the median of those ratios, which a burst of load on a
// shared machine moves far less than a ratio of sums (ns/op counts all
// four).
func BenchmarkAuthenticateUnknownEmail(b *testing.B) {
	ctx := context.Background()
	st := memory.New()
	clock := fakeclock.New(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	out := notify.NewOutbox()
	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: out, Now: clock.Now})
	endless := account.Backoff{Free: 1 << 30}
	svc := account.NewService(account.Config{
		Accounts: st, Profiles: st, History: st, Tx: st, Codes: codes, Hasher: password.DefaultHasher(), Now: clock.Now,
		Failures: st, SecurityLog: securitylog.New(st, rand.Reader, clock.Now, nil),
		Limits: account.LoginLimits{Address: endless, Client: endless},
	})
	pid, err := svc.SignUp(ctx, "ada@example.com", goodPW, false)
	if err != nil {
		b.Fatal(err)
	}
	m, _ := out.Last("ada@example.com")
	if _, err := svc.ConfirmSignUp(ctx, pid, usersettingstest.MailCode(b, "the sign-up mail", m.Body)); err != nil {
		b.Fatal(err)
	}
	client := auth.Client{IP: "192.0.2.1", UserAgent: "curl/8.5.0"}
	attempt := func(email string) time.Duration {
		start := time.Now()
		if _, err := svc.Authenticate(ctx, account.Login{Email: email, Password: otherPW, Client: client}); err != account.ErrInvalidCredentials {
			b.Fatalf("Authenticate(%s): %v", email, err)
		}
		return time.Since(start)
	}
	var ratios []float64
	for b.Loop() {
		unknown := attempt("nobody@example.com")
		wrong := attempt("ada@example.com")
		wrong += attempt("ada@example.com")
		unknown += attempt("nobody@example.com")
		ratios = append(ratios, float64(unknown)/float64(wrong))
	}
	slices.Sort(ratios)
	b.ReportMetric((ratios[(len(ratios)-1)/2]+ratios[len(ratios)/2])/2, "unknown/wrong")
}
