package profile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// The lines of this example without error checks are the package
// documentation's first steps (TestDocStepsAreTheExample).
func ExampleService() {
	ctx := context.Background()
	accountID := "acc_ada" // authenticated by the host

	st := memory.New() // package storage/memory, or any profile.Store
	svc := profile.NewService(profile.Config{Store: st, Tx: st, History: st, Owners: account.NewOwners(st)})
	p, err := svc.Create(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The account whose profile p is (package account's sign-up does this).
	err = st.CreateAccount(ctx, account.Account{ID: accountID, ProfileID: p.ID, Email: "ada@example.com", Status: account.StatusActive})
	if err != nil {
		fmt.Println(err)
		return
	}
	me := auth.New(accountID, auth.MethodPassword, time.Now(), "") // who acts: the SDK finds its profile
	p, err = svc.Update(ctx, me, profile.Update{JobTitle: new("Engineer")})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.MakePublic(ctx, me) // *IncompleteError until complete
	var incomplete *profile.IncompleteError
	if errors.As(err, &incomplete) {
		fmt.Println(p.JobTitle, "still needs", incomplete.Missing)
	}
	// Output: Engineer still needs [avatar department country about_you skill industry]
}

func TestDocStepsAreTheExample(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_service_test.go")
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for line := range strings.Lines(string(doc)) {
		if step, ok := strings.CutPrefix(line, "//\t"); ok {
			steps++
			if !strings.Contains(string(example), "\t"+step) {
				t.Errorf("the package documentation's %q is not in ExampleService", strings.TrimSpace(step))
			}
		}
	}
	if steps == 0 {
		t.Error("no steps found in the package documentation")
	}
}
