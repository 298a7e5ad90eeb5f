package account_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

func TestDeleteRefusals(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.addAccount(ada.ID, "bob@example.com")
	eve := e.signUp("eve@example.com")
	stale := e.as(eve.ID)
	stale.AuthenticatedAt = e.clock.Now().Add(-auth.DefaultFreshFor)
	tok := e.as(eve.ID)
	tok.Method = auth.MethodToken
	wantErr(t, "Delete(another person's account)", e.svc.Delete(e.ctx, e.as(eve.ID), bob.ID), account.ErrNotFound)
	wantErr(t, "Delete(unknown)", e.svc.Delete(e.ctx, e.as(eve.ID), "acc_nope"), account.ErrNotFound)
	wantErr(t, "Delete(unknown caller)", e.svc.Delete(e.ctx, e.as("acc_nope"), "acc_nope"), auth.ErrForbidden)
	wantErr(t, "Delete(stale)", e.svc.Delete(e.ctx, stale, eve.ID), auth.ErrReauthenticationRequired)
	wantErr(t, "Delete(token)", e.svc.Delete(e.ctx, tok, eve.ID), auth.ErrForbidden)
	wantErr(t, "AdminDelete(no reason)", e.svc.AdminDelete(e.ctx, auth.Admin{ID: "x"}, bob.ID), auth.ErrInvalidCaller)
	for _, id := range []string{bob.ID, eve.ID} {
		if _, err := e.st.Account(e.ctx, id); err != nil {
			t.Errorf("account after a refused delete: %v", err)
		}
	}
	if len(e.eraser.calls) != 0 {
		t.Errorf("erasers ran for a refused delete: %v", e.eraser.calls)
	}
}

func TestDeleteSibling(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.addAccount(ada.ID, "bob@example.com")
	if err := e.svc.Delete(e.ctx, e.as(ada.ID), bob.ID); err != nil {
		t.Fatalf("Delete(sibling): %v", err)
	}
	if _, err := e.st.Account(e.ctx, bob.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("sibling after delete: %v, want ErrNotFound", err)
	}
	h, _ := e.st.History(e.ctx, ada.ProfileID, 0, 1)
	if len(h) != 1 || h[0].AccountID != ada.ID || h[0].Detail != bob.ID {
		t.Errorf("newest history = %+v, want bob removed by ada", h)
	}
}

func TestAdminDelete(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.addAccount(ada.ID, "bob@example.com")
	e.clock.Advance(time.Minute)
	if err := e.svc.AdminDelete(e.ctx, support, bob.ID); err != nil {
		t.Fatalf("AdminDelete: %v", err)
	}
	if _, err := e.st.Account(e.ctx, bob.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("account after AdminDelete: %v, want ErrNotFound", err)
	}
	h, _ := e.st.History(e.ctx, ada.ProfileID, 0, 1)
	if len(h) != 1 || h[0].AccountID != "" || h[0].Detail != "deleted "+bob.ID+" by "+support.String() {
		t.Errorf("newest history = %+v, want the admin deletion", h)
	}
}

func TestDeleteKeepsProfileWithOtherAccounts(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.addAccount(ada.ID, "bob@example.com")
	// A pending add-account request of bob, and a live code to bob.
	if _, err := e.svc.AddAccount(e.ctx, e.as(bob.ID), "carol@example.com", goodPW, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestPasswordReset(e.ctx, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, e.as(bob.ID), bob.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if diff := cmp.Diff([]string{"account " + bob.ID}, e.eraser.calls); diff != "" {
		t.Errorf("eraser calls (-want +got):\n%s", diff)
	}
	if _, err := e.st.Account(e.ctx, bob.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleted account: %v, want ErrNotFound", err)
	}
	if _, err := e.st.Profile(e.ctx, ada.ProfileID); err != nil {
		t.Errorf("profile with an account left: %v, want kept", err)
	}
	if _, err := e.st.CodeOfFlow(e.ctx, verification.PurposePasswordReset, bob.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("code sent to the deleted address: %v, want forgotten", err)
	}
	if sends, _ := e.st.SendsSince(e.ctx, "bob@example.com", e.clock.Now().Add(-24*time.Hour)); len(sends) != 0 {
		t.Errorf("send log of the deleted address: %v, want none", sends)
	}
	if n, _ := e.st.DeletePendingRequestedBy(e.ctx, bob.ID); n != 0 {
		t.Errorf("pending requests of the deleted account left: %d, want none", n)
	}
	h, _ := e.st.History(e.ctx, ada.ProfileID, 0, 1)
	if len(h) != 1 || h[0].Item != "account" || h[0].Action != history.ActionRemoved || h[0].Detail != bob.ID {
		t.Errorf("newest history = %+v, want account removed", h)
	}
	if got := e.mails("ada@example.com"); !slices.Contains(got, "An account was deleted from your profile") {
		t.Errorf("mails to ada = %q, want the account-deleted notice", got)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "bob@example.com", Password: goodPW}); err != account.ErrInvalidCredentials {
		t.Errorf("Authenticate(deleted): got %v", err)
	}
}

func TestDeleteLastAccountErasesProfile(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	if err := e.svc.Delete(e.ctx, e.as(ada.ID), ada.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	want := []string{"account " + ada.ID, "profile " + ada.ProfileID}
	if diff := cmp.Diff(want, e.eraser.calls); diff != "" {
		t.Errorf("eraser calls (-want +got):\n%s", diff)
	}
	if _, err := e.st.Profile(e.ctx, ada.ProfileID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("profile after its last account went: %v, want ErrNotFound", err)
	}
	if h, _ := e.st.History(e.ctx, ada.ProfileID, 0, 10); len(h) != 0 {
		t.Errorf("history after erasure: %+v, want none", h)
	}
	// The address is free again.
	e.signUp("ada@example.com")
}

func TestDeleteRollsBackWhenAnEraserFails(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	boom := errors.New("boom")
	e.eraser.failWith = boom
	if err := e.svc.Delete(e.ctx, e.as(ada.ID), ada.ID); !errors.Is(err, boom) {
		t.Fatalf("Delete: got %v, want the eraser's error", err)
	}
	if _, err := e.st.Account(e.ctx, ada.ID); err != nil {
		t.Errorf("account after a failed delete: %v, want kept", err)
	}
	if _, err := e.st.Profile(e.ctx, ada.ProfileID); err != nil {
		t.Errorf("profile after a failed delete: %v, want kept", err)
	}
	if h, _ := e.st.History(e.ctx, ada.ProfileID, 0, 10); len(h) != 1 {
		t.Errorf("history after a failed delete: %d entries, want 1", len(h))
	}
	// The eraser's own write in the same transaction was undone too.
	if _, err := e.st.Pending(e.ctx, "pnd_by_eraser_"+ada.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("eraser's write after rollback: %v, want ErrNotFound", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != nil {
		t.Errorf("Authenticate after a failed delete: %v", err)
	}
}

func TestDeactivateReactivate(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	if err := e.svc.AdminDeactivate(e.ctx, support, ada.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AdminDeactivate(e.ctx, support, ada.ID); err != nil {
		t.Errorf("Deactivate twice: %v", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != account.ErrInvalidCredentials {
		t.Errorf("Authenticate(deactivated): got %v", err)
	}
	if _, err := e.svc.Accounts(e.ctx, e.as(ada.ID)); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("Accounts(deactivated caller) = %v, want auth.ErrForbidden", err)
	}
	e.clock.Advance(time.Minute) // history lists newest first; ties are by random id
	if err := e.svc.AdminReactivate(e.ctx, support, ada.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != nil {
		t.Errorf("Authenticate(reactivated): %v", err)
	}
	h, _ := e.st.History(e.ctx, ada.ProfileID, 0, 10)
	var got []string
	for _, x := range h {
		got = append(got, x.Item+" "+x.Detail+" by "+x.AccountID)
	}
	by := " by " + support.String() + " by "
	want := []string{"account_status active " + ada.ID + by, "account_status deactivated " + ada.ID + by, "account " + ada.ID + " by " + ada.ID}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	wantErr(t, "Deactivate(unknown)", e.svc.AdminDeactivate(e.ctx, support, "acc_nope"), account.ErrNotFound)
	_, err := e.svc.Accounts(e.ctx, e.as("acc_nope"))
	wantErr(t, "Accounts(unknown)", err, auth.ErrForbidden)
}

func TestGetHidesHash(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	a, err := e.svc.Get(e.ctx, ada.ID)
	if err != nil || a.PasswordHash != "" || a.Email != "ada@example.com" {
		t.Errorf("Get = %v (hash %q), %v", a, a.PasswordHash, err)
	}
}
