package personaldata

import (
	"context"
	"fmt"
	"time"
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
	return verificationSource{codes, addressBook{accounts, profiles}}
}

type verificationSource struct {
	codes CodeLog
	book  addressBook
}

func (verificationSource) Name() string { return "verification" }

func (s verificationSource) Collect(ctx context.Context, p Person, v *View) error {
	addrs, err := s.book.ofPerson(ctx, p, v)
	if err != nil {
		return err
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
	return s.book.eraseAccount(ctx, accountID, s.forget)
}

func (s verificationSource) EraseProfile(ctx context.Context, profileID string) error {
	return s.book.eraseProfile(ctx, profileID, s.forget)
}

func (s verificationSource) forget(ctx context.Context, addr string) error {
	if err := s.codes.ForgetAddress(ctx, addr); err != nil {
		return fmt.Errorf("forgetting address: %w", err)
	}
	return nil
}
