package securitylog_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// A person reads their own security log, a page at a time, following
// Page.Next until it is empty.
func ExampleReader_Page() {
	ctx := context.Background()
	st := memory.New()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_1", CreatedAt: at, UpdatedAt: at})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "ada@example.com", Status: account.StatusActive, CreatedAt: at})

	minute := 0
	log := securitylog.New(st, nil, func() time.Time { minute++; return at.Add(time.Duration(minute) * time.Minute) }, nil)
	c := auth.New("acc_1", auth.MethodPassword, at, "")
	c.Client = auth.Client{IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"}
	for _, k := range []securitylog.Kind{securitylog.SignedIn, securitylog.PasswordChanged, securitylog.TokenCreated} {
		_ = log.Record(ctx, securitylog.FromCaller(k, "prf_1", c))
	}

	r := securitylog.NewReader(st, account.NewOwners(st))
	cursor := ""
	for {
		p, err := r.Page(ctx, c, cursor, 2)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range p.Events {
			fmt.Println(e.At.Format(time.TimeOnly), e.Kind, e.IP, e.Device)
		}
		if p.Next == "" {
			break
		}
		fmt.Println("-- older --")
		cursor = p.Next
	}
	// Output:
	// 09:03:00 token_created 192.0.2.7 Firefox on Linux
	// 09:02:00 password_changed 192.0.2.7 Firefox on Linux
	// -- older --
	// 09:01:00 signed_in 192.0.2.7 Firefox on Linux
}
