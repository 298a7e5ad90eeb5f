package usersettings_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// A mail is written in the recipient's profile language, else in the
// language the context carries, else in English.
func TestMailLanguage(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	s, err := usersettings.New(st, usersettings.Options{Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	// Nobody known yet: the context's language (a front end's
	// Accept-Language) writes the sign-up code.
	if _, err := s.Accounts.SignUp(notify.WithLanguage(ctx, language.Dutch), "bo@example.com", pw, false); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Outbox.Last("bo@example.com"); m.Subject != "Bevestig je e-mailadres" {
		t.Errorf("sign-up code with a Dutch context: subject %q", m.Subject)
	}
	a := signUp(t, s, "ada@example.com")
	if err := s.Accounts.RequestPasswordReset(ctx, a.Email); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Outbox.Last(a.Email); m.Subject != "Reset your password" {
		t.Errorf("no language chosen: subject %q, want English", m.Subject)
	}
	chooseLanguage(t, st, a.ProfileID, "nl")
	// The profile's choice wins over the context's.
	if err := s.Accounts.RequestPasswordReset(notify.WithLanguage(ctx, language.English), a.Email); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Outbox.Last(a.Email)
	if m.Subject != "Stel je wachtwoord opnieuw in" || !strings.Contains(m.Body, "Je verificatiecode is:") {
		t.Errorf("profile language nl: %q\n%s", m.Subject, m.Body)
	}
	code := lastCode(t, s.Outbox, a.Email)
	if _, err := s.Accounts.ResetPassword(ctx, a.Email, code, pw+"-new", auth.Client{IP: "192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Outbox.Last(a.Email); m.Subject != "Je wachtwoord is opnieuw ingesteld" {
		t.Errorf("notice to a profile with nl: subject %q", m.Subject)
	}
}

// The note of a merge code's mail (which account asks) is in the
// recipient's language, as the rest of the mail is, not the asking
// caller's.
func TestMergeNoteInTheRecipientsLanguage(t *testing.T) {
	ctx := notify.WithLanguage(context.Background(), language.English)
	st := memory.New()
	s, err := usersettings.New(st, usersettings.Options{Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	ada, bo := signUp(t, s, "ada@example.com"), signUp(t, s, "bo@example.com")
	chooseLanguage(t, st, bo.ProfileID, "nl")
	me := auth.New(ada.ID, auth.MethodPassword, time.Now(), "")
	f, err := s.Merges.Start(ctx, me, bo.Email)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Merges.SendCode(ctx, me, f.ID, merge.ChoiceTyped); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Outbox.Last(bo.Email)
	if !strings.Contains(m.Body, "Het account ada@example.com vraagt om deze samenvoeging") || strings.Contains(m.Body, "asks for this merge") {
		t.Errorf("the merge mail to a Dutch profile, asked in English:\n%s", m.Body)
	}
}

// chooseLanguage sets the language of the profile in the store, as the
// Profile page's choice does.
func chooseLanguage(t *testing.T, st *memory.Store, profileID, lang string) {
	t.Helper()
	ctx := context.Background()
	p, err := st.Profile(ctx, profileID)
	if err != nil {
		t.Fatal(err)
	}
	p.Language = lang
	if err := st.UpdateProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
}
