package merge

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Flow is what the person is shown after Start: the flow's id and the
// two choices of where the code goes, in the order of ChoiceTyped and
// ChoiceRecovery: the address typed, masked ("j***@example.com"), and
// RecoveryLabel. SendCode takes an index into Addresses.
type Flow struct {
	ID        string
	Addresses []string
}

// The choices of a flow, as indexes into Flow.Addresses.
const (
	// ChoiceTyped sends the code to the address typed at Start.
	ChoiceTyped = 0
	// ChoiceRecovery sends the code to the verified recovery email of the
	// profile of that address.
	ChoiceRecovery = 1
)

// RecoveryLabel is what Flow shows for ChoiceRecovery, whatever the
// profile: whether it has a verified recovery email, and where, is not
// revealed.
const RecoveryLabel = "the verified recovery email of that profile"

// Start begins merging the profile of the account with the address
// otherEmail into the profile of the caller, who must have signed in
// recently (Config.FreshFor; auth.ErrReauthenticationRequired, and
// auth.ErrForbidden for a token or API key). It returns the same two
// choices of where the code may go for every address, registered or
// not: the address typed, masked, and the verified recovery email of
// its profile, shown only as RecoveryLabel. Start reads as much for an
// address that belongs to nobody as for one that does, so neither the
// answer nor its time tells whether an address is registered or has a
// recovery email.
//
// Each person may start Config.StartLimit merges (*errs.RetryError,
// matching ErrTooManyStarts). Start returns ErrInactive when the caller's
// account is not active, ErrInvalidEmail for a malformed address and
// ErrSameProfile when the address belongs to the caller's own profile.
func (s *Service) Start(ctx context.Context, c auth.Caller, otherEmail string) (Flow, error) {
	if err := c.Fresh(s.now(), s.freshFor); err != nil {
		return Flow{}, err
	}
	me, err := s.signedIn(ctx, c.AccountID)
	if err != nil {
		return Flow{}, err
	}
	email, err := account.NormalizeEmail(otherEmail)
	if err != nil {
		return Flow{}, ErrInvalidEmail
	}
	if err := s.takeStart(ctx, me.ProfileID); err != nil {
		return Flow{}, err
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
	return flowOfRecord(r), nil
}

// Flow returns the live flow of the caller before its code is verified,
// as Start returned it (its id and the masked choices of where the code
// goes), so a later page can say where the code went and send a new one
// (SendCode). It returns ErrFlowNotFound, ErrFlowExpired or
// ErrFlowInvalid as SendCode does.
func (s *Service) Flow(ctx context.Context, c auth.Caller, flowID string) (Flow, error) {
	r, err := s.flow(ctx, c, flowID, StateStarted, StateCodeSent)
	if err != nil {
		return Flow{}, err
	}
	return flowOfRecord(r), nil
}

// flowOfRecord is what the person is shown of r.
func flowOfRecord(r Record) Flow {
	f := Flow{ID: r.ID, Addresses: make([]string, len(r.Candidates))}
	for i, c := range r.Candidates {
		f.Addresses[i] = c.Masked
	}
	return f
}

// takeStart takes a token of the person's start limit.
func (s *Service) takeStart(ctx context.Context, profileID string) error {
	if s.limiter == nil || s.starts.Off() {
		return nil
	}
	ok, wait, err := s.limiter.TakeRateToken(ctx, ratelimit.KeyOf("merge|start|"+profileID), s.starts, s.now())
	if err != nil {
		return fmt.Errorf("merge: start limit: %w", err)
	}
	if !ok {
		return errs.Retry(ErrTooManyStarts, wait)
	}
	return nil
}

// fillOther sets the other profile and the two choices of r for the
// address named at Start. An address of nobody reads a profile too (the
// caller's own, and discards it), so that both paths do the same reads.
func (s *Service) fillOther(ctx context.Context, r *Record, email string) error {
	other, err := s.accounts.AccountByEmail(ctx, email)
	known := err == nil
	if err != nil && (!errors.Is(err, storage.ErrNotFound) || ctx.Err() != nil) {
		return fmt.Errorf("merge: looking up address: %w", err)
	}
	if known && other.ProfileID == r.ProfileID {
		return ErrSameProfile
	}
	read := r.ProfileID
	if known {
		read = other.ProfileID
	}
	p, err := s.profiles.Profile(ctx, read)
	if err != nil {
		return fmt.Errorf("merge: reading profile: %w", err)
	}
	if !known {
		r.Candidates = choices(email, "", "")
		return nil
	}
	r.OtherProfileID = other.ProfileID
	r.Candidates = choices(email, other.ID, p.RecoveryEmail)
	return nil
}

// SendCode sends a code, bound to this flow, to the choice of the flow
// (ChoiceTyped or ChoiceRecovery, else ErrInvalidChoice); calling it
// again ("Send a new code") sends a new code and voids the previous one.
// The mail names the login email of the account that asks (the caller's),
// so its reader knows which account wants their profile. The code only ever
// goes to the address typed, when it belongs to the other profile, or to
// that profile's verified recovery email, when it has one. When the
// choice is neither, nothing is sent, though the answer, the work done
// and the send throttle are those of a real send: a code that nothing
// matches replaces the flow's earlier code, and the send is counted
// against a stand-in address (an address of nobody itself; for a missing
// recovery email a digest of the address typed). The send throttle of package verification applies
// (a *errs.RetryError, matching verification.ErrThrottled).
func (s *Service) SendCode(ctx context.Context, c auth.Caller, flowID string, choice int) error {
	r, me, err := s.flowOf(ctx, c, flowID, StateStarted, StateCodeSent)
	if err != nil {
		return err
	}
	if choice < 0 || choice >= len(r.Candidates) {
		return ErrInvalidChoice
	}
	addr := r.Candidates[choice].Address
	if r.OtherProfileID == "" || addr == "" {
		err = s.sendNowhere(ctx, r, choice)
	} else {
		err = s.codes.IssueNoteFunc(ctx, verification.PurposeMerge, r.ID, addr, func(ctx context.Context) string { return askedBy(ctx, me) })
	}
	if err != nil {
		return err
	}
	from := r.State
	r.State = StateCodeSent
	return s.advance(ctx, r, from)
}

// askedBy is the note of a merge code's mail, in the language of ctx
// (the recipient's, through IssueNoteFunc): which account asks. It
// names the login email of the signed-in account only, the one thing
// the owner of the other profile needs to recognise their own account
// (or a stranger's); nothing of the profile.
func askedBy(ctx context.Context, me account.Account) string {
	return notify.Sprintf(ctx, "The account %s asks for this merge: the profile of this address would be merged into the profile of that account. If that is not your account, ignore this email and nothing is merged.", me.Email)
}

// sendNowhere does what a send does for a choice that has no address of
// the other profile, and mails nothing: the throttle of the stand-in
// address is checked and recorded, and a code that nothing matches
// replaces the flow's earlier code (verification.Service.IssueVoid).
func (s *Service) sendNowhere(ctx context.Context, r Record, choice int) error {
	key := r.Candidates[choice].Address
	if key == "" {
		key = standIn(r.Candidates[ChoiceTyped].Address)
	}
	return s.codes.IssueVoid(ctx, verification.PurposeMerge, r.ID, key)
}

// Verify checks the code sent for this flow and returns the preview of the
// merge. The code is consumed, the state of both profiles recorded and the
// preview computed in the same transaction; Commit merges only if the
// profiles are still the same. Every failed code is errs.ErrInvalidCode; after
// the attempt cap even the right code fails, and a new code must be sent.
//
// The flow is read once, before the code is checked, so that a code is
// never tried against someone else's flow; the state change that follows
// happens only from code_sent, so a concurrent step that moved the flow
// first makes Verify fail with ErrFlowInvalid.
func (s *Service) Verify(ctx context.Context, c auth.Caller, flowID, code string) (Preview, error) {
	r, err := s.flow(ctx, c, flowID, StateCodeSent)
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
	if errors.Is(err, errs.ErrInvalidCode) {
		return Preview{}, errs.ErrInvalidCode
	}
	if err != nil {
		return Preview{}, err
	}
	return pv, nil
}

// Preview returns the preview of a verified flow, computed by Resolve on
// the current data of both profiles: which fields are kept and which
// discarded, what is combined and what is not merged.
func (s *Service) Preview(ctx context.Context, c auth.Caller, flowID string) (Preview, error) {
	var pv Preview
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.flow(ctx, c, flowID, StateVerified)
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
func (s *Service) Cancel(ctx context.Context, c auth.Caller, flowID string) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.flow(ctx, c, flowID, StateStarted, StateCodeSent, StateVerified)
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
