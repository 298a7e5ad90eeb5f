package verification_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
	"golang.org/x/text/language"
)

// A note written through IssueNoteFunc is in the recipient's language,
// as the rest of the mail is, whatever the language of the caller: a
// Dutch recipient of an English-speaking caller's request reads it in
// Dutch, and an English one in English.
func TestIssueNoteFuncInTheRecipientsLanguage(t *testing.T) {
	st, out := memory.New(), notify.NewOutbox()
	svc := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: out,
		Language: func(_ context.Context, addr string) (language.Tag, error) {
			if addr == "nl@example.com" {
				return language.Dutch, nil
			}
			return language.Und, nil
		}})
	const key = "The code resets the password of one of these accounts; name it with the code:"
	note := func(ctx context.Context) string { return notify.Sprintf(ctx, key) }
	ctx := notify.WithLanguage(context.Background(), language.English)
	for addr, want := range map[string]string{
		"nl@example.com": "De code stelt het wachtwoord van een van deze accounts opnieuw in",
		"en@example.com": key,
	} {
		if err := svc.IssueNoteFunc(ctx, verification.PurposeRecoveryReset, "flow-"+addr, addr, note); err != nil {
			t.Fatalf("IssueNoteFunc(%s): %v", addr, err)
		}
		m, _ := out.Last(addr)
		if !strings.Contains(m.Body, want) {
			t.Errorf("the mail to %s lacks %q:\n%s", addr, want, m.Body)
		}
	}
}
