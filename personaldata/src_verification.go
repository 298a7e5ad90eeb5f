package personaldata

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// VerificationSource covers the one-time codes and the send log of the
// person's addresses: the login email of each account and the profile's
// recovery email. Collect lists when codes were sent to which address
// (never a code or digest); live codes are short-lived and not listed.
// Erasure forgets every code and send of those addresses.
func VerificationSource(codes CodeLog, accounts Accounts, profiles Profiles) Source {
	if codes == nil || accounts == nil || profiles == nil {
		panic("personaldata: VerificationSource needs a CodeLog, Accounts and Profiles")
	}
	return verificationSource{codes, accounts, profiles}
}

type verificationSource struct {
	codes    CodeLog
	accounts Accounts
	profiles Profiles
}

func (verificationSource) Name() string { return "verification" }

func (s verificationSource) Collect(ctx context.Context, p Person, v *View) error {
	addrs := make([]string, 0, len(p.Accounts)+1)
	for _, a := range p.Accounts {
		addrs = append(addrs, a.Email)
	}
	if v.Profile.RecoveryEmail != "" {
		addrs = append(addrs, v.Profile.RecoveryEmail)
	} else if pr, err := s.profiles.Profile(ctx, p.ProfileID); err == nil && pr.RecoveryEmail != "" {
		addrs = append(addrs, pr.RecoveryEmail)
	}
	v.CodesSent = []CodeSend{}
	for _, addr := range addrs {
		times, err := s.codes.SendsSince(ctx, addr, time.Time{})
		if err != nil {
			return fmt.Errorf("reading code sends: %w", err)
		}
		for _, t := range times {
			v.CodesSent = append(v.CodesSent, CodeSend{Address: addr, SentAt: t})
		}
	}
	return nil
}

func (s verificationSource) EraseAccount(ctx context.Context, accountID string) error {
	a, err := s.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading account: %w", err)
	}
	return s.forget(ctx, a.Email)
}

func (s verificationSource) EraseProfile(ctx context.Context, profileID string) error {
	p, err := s.profiles.Profile(ctx, profileID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading profile: %w", err)
	}
	return s.forget(ctx, p.RecoveryEmail)
}

func (s verificationSource) forget(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	if err := s.codes.ForgetAddress(ctx, addr); err != nil {
		return fmt.Errorf("forgetting address: %w", err)
	}
	return nil
}
