package personaldata

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// MailSource covers the durable mail outbox (notify.Courier): the
// messages to the person's addresses, the login email of each account and
// the profile's recovery email, in any state. Collect lists each
// message's address, subject, state and times (never its body, which may
// hold a one-time code); erasure deletes every message to those
// addresses, queued ones included.
func MailSource(mail MailLog, accounts Accounts, profiles Profiles) Source {
	if mail == nil || accounts == nil || profiles == nil {
		panic("personaldata: MailSource needs a MailLog, Accounts and Profiles")
	}
	return mailSource{mail, addressBook{accounts, profiles}}
}

type mailSource struct {
	mail MailLog
	book addressBook
}

func (mailSource) Name() string { return "mail" }

func (s mailSource) Collect(ctx context.Context, p Person, v *View) error {
	addrs, err := s.book.ofPerson(ctx, p, v)
	if err != nil {
		return err
	}
	v.Mail = []MailData{}
	for _, addr := range addrs {
		ms, err := s.mail.MailTo(ctx, addr)
		if err != nil {
			return fmt.Errorf("reading mail: %w", err)
		}
		for _, m := range ms {
			v.Mail = append(v.Mail, MailData{
				ID: m.ID, To: m.To, Subject: m.Subject, State: string(m.State), QueuedAt: m.CreatedAt, SentAt: m.SentAt,
			})
		}
	}
	return nil
}

func (s mailSource) EraseAccount(ctx context.Context, accountID string) error {
	return s.book.eraseAccount(ctx, accountID, s.forget)
}

func (s mailSource) EraseProfile(ctx context.Context, profileID string) error {
	return s.book.eraseProfile(ctx, profileID, s.forget)
}

func (s mailSource) forget(ctx context.Context, addr string) error {
	if err := s.mail.ForgetMailTo(ctx, addr); err != nil {
		return fmt.Errorf("forgetting mail: %w", err)
	}
	return nil
}

// addressBook finds the email addresses of a person: the login address
// of each account and the profile's recovery address. The sources keyed
// by address (verification, mail) share it.
type addressBook struct {
	accounts Accounts
	profiles Profiles
}

// ofPerson returns the addresses of the person's accounts, then the
// recovery addresses, verified and pending (as the Service read them, or
// read now).
func (b addressBook) ofPerson(ctx context.Context, p Person, v *View) ([]string, error) {
	addrs := make([]string, 0, len(p.Accounts)+2)
	for _, a := range p.Accounts {
		addrs = append(addrs, a.Email)
	}
	rec := p.recovery.emails
	if !p.recovery.known {
		var err error
		if rec, err = b.ofProfile(ctx, p.ProfileID); err != nil {
			return nil, err
		}
	}
	return append(addrs, rec...), nil
}

// ofAccount returns the account's login address; "" for an account that
// does not exist.
func (b addressBook) ofAccount(ctx context.Context, accountID string) (string, error) {
	a, err := b.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading account: %w", err)
	}
	return a.Email, nil
}

// ofProfile returns the profile's recovery addresses, verified and
// pending; none for a profile that does not exist.
func (b addressBook) ofProfile(ctx context.Context, profileID string) ([]string, error) {
	p, err := b.profiles.Profile(ctx, profileID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading profile: %w", err)
	}
	return recoveryAddresses(p), nil
}

// eraseAccount calls forget with the account's login address, if the
// account exists.
func (b addressBook) eraseAccount(ctx context.Context, accountID string, forget func(context.Context, string) error) error {
	addr, err := b.ofAccount(ctx, accountID)
	if err != nil || addr == "" {
		return err
	}
	return forget(ctx, addr)
}

// eraseProfile calls forget with each of the profile's recovery
// addresses.
func (b addressBook) eraseProfile(ctx context.Context, profileID string, forget func(context.Context, string) error) error {
	addrs, err := b.ofProfile(ctx, profileID)
	if err != nil {
		return err
	}
	for _, addr := range addrs {
		if err := forget(ctx, addr); err != nil {
			return err
		}
	}
	return nil
}

// recoveryAddresses returns the recovery email of p and its pending one,
// without empty or repeated ones.
func recoveryAddresses(p profile.Profile) []string {
	var out []string
	for _, a := range []string{p.RecoveryEmail, p.PendingRecoveryEmail} {
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// MailData is one message of the outbox to the person: where, what
// subject, its state ("queued", "sending", "sent" or "abandoned") and
// when it was queued and sent, never its body.
type MailData struct {
	ID       string    `json:"id"`
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	State    string    `json:"state"`
	QueuedAt time.Time `json:"queued_at"`
	SentAt   time.Time `json:"sent_at,omitzero"`
}
