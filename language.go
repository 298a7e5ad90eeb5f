package usersettings

import (
	"context"
	"errors"

	"golang.org/x/text/language"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// languageStore is what profileLanguage reads.
type languageStore interface {
	AccountByEmail(ctx context.Context, email string) (account.Account, error)
	Profile(ctx context.Context, id string) (profile.Profile, error)
	ProfilesByRecoveryEmail(ctx context.Context, email string) ([]string, error)
}

// profileLanguage returns the notify.LanguageFunc of the mails: the
// language chosen in the profile of the account whose login email is the
// address, else of the (oldest) profile whose recovery email it is;
// language.Und when neither exists or the profile chose none.
func profileLanguage(st languageStore) notify.LanguageFunc {
	return func(ctx context.Context, address string) (language.Tag, error) {
		var profileID string
		a, err := st.AccountByEmail(ctx, address)
		switch {
		case err == nil:
			profileID = a.ProfileID
		case !errors.Is(err, storage.ErrNotFound):
			return language.Und, err
		default:
			ids, err := st.ProfilesByRecoveryEmail(ctx, address)
			if err != nil || len(ids) == 0 {
				return language.Und, err
			}
			profileID = ids[0]
		}
		p, err := st.Profile(ctx, profileID)
		if errors.Is(err, storage.ErrNotFound) || err == nil && p.Language == "" {
			return language.Und, nil
		}
		if err != nil {
			return language.Und, err
		}
		return language.Make(p.Language), nil
	}
}
