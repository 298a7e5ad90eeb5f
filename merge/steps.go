package merge

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/verification"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Flow is what the person is shown after Start: the flow's id and the
// addresses, masked, that may receive the code. SendCode takes an index
// into Addresses.
type Flow struct {
	ID        string
	Addresses []string
}

// Start begins merging the profile of the account with the address
// otherEmail into the profile of the signed-in account. It returns the
// masked addresses of the other profile that may receive the code: the
// login emails of its accounts and its recovery email.
//
// An address that belongs to no account gets the same kind of answer (the
// entered address, masked, as the only choice), so Start tells nobody
// whether an address is registered; such a flow never sends a code and
// never completes. Start returns ErrInactive when the signed-in account is
// not active, ErrInvalidEmail for a malformed address and ErrSameProfile
// when the address belongs to the signed-in profile.
func (s *Service) Start(ctx context.Context, signedInAccountID, otherEmail string) (Flow, error) {
	me, err := s.signedIn(ctx, signedInAccountID)
	if err != nil {
		return Flow{}, err
	}
	email, err := account.NormalizeEmail(otherEmail)
	if err != nil {
		return Flow{}, ErrInvalidEmail
	}
	now := s.now()
	fid, err := id.New(s.rand, "mrg_")
	if err != nil {
		return Flow{}, fmt.Errorf("merge: start: %w", err)
	}
	r := Record{
		ID: fid, AccountID: me.ID, ProfileID: me.ProfileID, State: StateStarted,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.ttl),
	}
	if err := s.fillOther(ctx, &r, email); err != nil {
		return Flow{}, err
	}
	if err := s.flows.CreateMergeFlow(ctx, r); err != nil {
		return Flow{}, fmt.Errorf("merge: storing flow: %w", err)
	}
	f := Flow{ID: r.ID, Addresses: make([]string, len(r.Candidates))}
	for i, c := range r.Candidates {
		f.Addresses[i] = c.Masked
	}
	return f, nil
}

// fillOther sets the other profile and the candidates of r for the
// address named at Start.
func (s *Service) fillOther(ctx context.Context, r *Record, email string) error {
	other, err := s.accounts.AccountByEmail(ctx, email)
	if errors.Is(err, storage.ErrNotFound) && ctx.Err() == nil {
		r.Candidates = []Candidate{{Address: email, Masked: Mask(email)}}
		return nil
	}
	if err != nil {
		return fmt.Errorf("merge: looking up address: %w", err)
	}
	if other.ProfileID == r.ProfileID {
		return ErrSameProfile
	}
	p, err := s.profiles.Profile(ctx, other.ProfileID)
	if err != nil {
		return fmt.Errorf("merge: reading other profile: %w", err)
	}
	accts, err := s.accounts.AccountsOfProfile(ctx, other.ProfileID)
	if err != nil {
		return fmt.Errorf("merge: reading other accounts: %w", err)
	}
	r.OtherProfileID = other.ProfileID
	r.Candidates = candidates(p, accts)
	return nil
}

// SendCode sends a code, bound to this flow, to the address at index
// addressIndex of the flow's Addresses; calling it again sends a new code
// and voids the previous one. The code only ever goes to an address of the
// other profile; for a flow whose address belongs to no profile nothing is
// sent, though the answer is the same. The send throttle of package
// verification applies (a *verification.ThrottledError, matching
// verification.ErrThrottled).
func (s *Service) SendCode(ctx context.Context, signedInAccountID, flowID string, addressIndex int) error {
	r, err := s.flow(ctx, signedInAccountID, flowID, StateStarted, StateCodeSent)
	if err != nil {
		return err
	}
	if addressIndex < 0 || addressIndex >= len(r.Candidates) {
		return ErrInvalidChoice
	}
	addr := r.Candidates[addressIndex].Address
	if r.OtherProfileID == "" {
		// No profile owns the address: apply the same throttle as a real
		// send, so throttling tells nothing either, and send nothing.
		err = s.codes.Allow(ctx, verification.PurposeMerge, addr)
	} else {
		err = s.codes.Issue(ctx, verification.PurposeMerge, r.ID, addr)
	}
	if err != nil {
		return err
	}
	from := r.State
	r.State = StateCodeSent
	return s.advance(ctx, r, from)
}

// Verify checks the code sent for this flow and returns the preview of the
// merge. The code is consumed, the state of both profiles recorded and the
// preview computed in the same transaction; Commit merges only if the
// profiles are still the same. Every failed code is ErrInvalidCode; after
// the attempt cap even the right code fails, and a new code must be sent.
//
// The flow is read once, before the code is checked, so that a code is
// never tried against someone else's flow; the state change that follows
// happens only from code_sent, so a concurrent step that moved the flow
// first makes Verify fail with ErrFlowInvalid.
func (s *Service) Verify(ctx context.Context, signedInAccountID, flowID, code string) (Preview, error) {
	r, err := s.flow(ctx, signedInAccountID, flowID, StateCodeSent)
	if err != nil {
		return Preview{}, err
	}
	var pv Preview
	err = s.codes.Redeem(ctx, verification.PurposeMerge, r.ID, code, func(ctx context.Context) error {
		sd, err := s.sides(ctx, r)
		if err != nil {
			return err
		}
		if pv, err = s.preview(ctx, sd); err != nil {
			return err
		}
		v := r
		v.State, v.Fingerprint = StateVerified, sd.fingerprint()
		return s.advance(ctx, v, StateCodeSent)
	})
	if errors.Is(err, verification.ErrInvalidCode) {
		return Preview{}, ErrInvalidCode
	}
	if err != nil {
		return Preview{}, err
	}
	return pv, nil
}

// Preview returns the preview of a verified flow, computed by Resolve on
// the current data of both profiles: which fields are kept and which
// discarded, what is combined and what is not merged.
func (s *Service) Preview(ctx context.Context, signedInAccountID, flowID string) (Preview, error) {
	var pv Preview
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.flow(ctx, signedInAccountID, flowID, StateVerified)
		if err != nil {
			return err
		}
		sd, err := s.sides(ctx, r)
		if err != nil {
			return err
		}
		pv, err = s.preview(ctx, sd)
		return err
	})
	return pv, err
}

// preview reads the progress and watched apps of both sides and returns
// Resolve's preview.
func (s *Service) preview(ctx context.Context, sd sides) (Preview, error) {
	a, err := s.side(ctx, sd.signedIn)
	if err != nil {
		return Preview{}, err
	}
	b, err := s.side(ctx, sd.other)
	if err != nil {
		return Preview{}, err
	}
	return Resolve(a, b).Preview, nil
}

// Cancel abandons a live flow: its code is voided and its addresses are
// forgotten.
func (s *Service) Cancel(ctx context.Context, signedInAccountID, flowID string) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.flow(ctx, signedInAccountID, flowID, StateStarted, StateCodeSent, StateVerified)
		if err != nil && !errors.Is(err, ErrFlowExpired) {
			return err
		}
		from := r.State
		r.State, r.Candidates, r.Fingerprint = StateCancelled, nil, ""
		if err := s.advance(ctx, r, from); err != nil {
			return err
		}
		return s.codes.Cancel(ctx, verification.PurposeMerge, r.ID)
	})
}
