package profile

import (
	"context"
	"fmt"
	"strings"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Errors of the recovery email. Check them with errors.Is.
var (
	// ErrRecoveryUnavailable means the Service has no Codes to verify a
	// new recovery email with (Config.Codes), a mistake of the host.
	ErrRecoveryUnavailable = errs.New(errs.Internal, "recovery_unavailable", "profile: recovery email verification is not configured")
)

// recoveryStep is what an update of the recovery email asks of the codes.
type recoveryStep int

const (
	recoveryStepNone   recoveryStep = iota
	recoveryStepSend                // a code goes to the pending address
	recoveryStepCancel              // the pending address was dropped: void its code
)

// recovery decides where the recovery email of an update goes: p is old
// with the update applied, so p.RecoveryEmail is the address typed ("" to
// clear). A new address never becomes the recovery email at once: it
// waits in PendingRecoveryEmail for its code, and the verified address
// stays until then. Typing the verified address again drops a pending
// one; typing the pending one again sends a new code.
func recovery(old, p Profile) (Profile, recoveryStep) {
	typed := p.RecoveryEmail
	p.RecoveryEmail = old.RecoveryEmail
	switch {
	case typed == "":
		p.RecoveryEmail, p.PendingRecoveryEmail = "", ""
	case strings.EqualFold(typed, old.RecoveryEmail):
		p.PendingRecoveryEmail = ""
	default:
		p.PendingRecoveryEmail = typed
		return p, recoveryStepSend
	}
	if old.PendingRecoveryEmail != "" {
		return p, recoveryStepCancel
	}
	return p, recoveryStepNone
}

// codeAddress is the normalised form of an address that a code goes to.
func codeAddress(addr string) string { return strings.ToLower(addr) }

// verifyStep sends or voids the code of the profile's pending recovery
// email, in the transaction ctx carries.
func (s *Service) verifyStep(ctx context.Context, step recoveryStep, profileID, pending string) error {
	switch {
	case step == recoveryStepNone:
		return nil
	case s.codes == nil && step == recoveryStepSend:
		return ErrRecoveryUnavailable
	case s.codes == nil:
		return nil
	case step == recoveryStepSend:
		return s.codes.Issue(ctx, verification.PurposeRecoveryEmail, profileID, codeAddress(pending))
	}
	return s.codes.Cancel(ctx, verification.PurposeRecoveryEmail, profileID)
}

// ConfirmRecoveryEmail makes the caller's pending recovery email the
// verified one with the code that was sent to it. A wrong, expired or
// used code, or no pending address, is errs.ErrInvalidCode (the attempt cap of
// package verification applies). The change is recorded in the history
// and the security log in one transaction; then the previous recovery
// email, if any, gets a notice (no code) that it was replaced. Call it
// with a context that carries no transaction.
func (s *Service) ConfirmRecoveryEmail(ctx context.Context, c auth.Caller, code string) (Profile, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Profile{}, err
	}
	if s.codes == nil {
		return Profile{}, ErrRecoveryUnavailable
	}
	var out, old Profile
	err = s.codes.Redeem(ctx, verification.PurposeRecoveryEmail, profileID, code, func(ctx context.Context) error {
		if old, err = s.store.Profile(ctx, profileID); err != nil {
			return wrap(err)
		}
		if old.PendingRecoveryEmail == "" {
			return errs.ErrInvalidCode
		}
		p := old
		p.RecoveryEmail, p.PendingRecoveryEmail = old.PendingRecoveryEmail, ""
		ev := securitylog.FromCaller(securitylog.RecoveryEmailChanged, profileID, c)
		ev.Detail = "recovery email verified"
		out, err = s.replaceRecovery(ctx, c.AccountID, old, p, ev, "")
		return err
	})
	if err != nil {
		return Profile{}, err
	}
	return out, nil
}

// replaceRecovery writes p, whose recovery email changed from old's,
// with its history entries (each with detail, which never holds the
// address) and the security event, in the transaction ctx carries.
func (s *Service) replaceRecovery(ctx context.Context, accountID string, old, p Profile, ev securitylog.Event, detail string) (Profile, error) {
	p.UpdatedAt = s.now()
	if err := s.store.UpdateProfile(ctx, p); err != nil {
		return Profile{}, wrap(err)
	}
	changes := diff(old, p)
	for i := range changes {
		changes[i].detail = detail
	}
	if err := s.record(ctx, accountID, p.ID, p.UpdatedAt, changes); err != nil {
		return Profile{}, err
	}
	if err := s.seclog.Record(ctx, ev); err != nil {
		return Profile{}, fmt.Errorf("profile: %w", err)
	}
	return p, s.noticeReplaced(ctx, old.RecoveryEmail, p.RecoveryEmail)
}

// noticeReplaced queues, in the transaction ctx carries, the notice that
// tells the previous recovery email another one took its place; nothing
// when there was none or it is the same address.
func (s *Service) noticeReplaced(ctx context.Context, previous, current string) error {
	if previous == "" || strings.EqualFold(previous, current) {
		return nil
	}
	return s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeRecoveryEmailChanged, At: s.now()}, previous)
}

// SetRecoveryEmail is the support operation of the product's "Mendix
// Support will change the profile Recovery email": staff who checked the
// person's identity out of band set the verified recovery email of a
// profile, or clear it with "". It takes an explicit admin caller, whose
// id and reason are recorded in the history and the security log (kind
// securitylog.Admin) in the transaction of the change; a pending address
// and its code are dropped, and the previous recovery email gets a
// notice. It returns auth.ErrInvalidCaller for an admin without id or
// reason, a *ValidationError for a malformed address and ErrNotFound for
// an unknown profile.
func (s *Service) SetRecoveryEmail(ctx context.Context, admin auth.Admin, profileID, address string) (Profile, error) {
	if err := admin.Valid(); err != nil {
		return Profile{}, err
	}
	addr, reason := email(address)
	if reason != "" {
		verr := &ValidationError{}
		verr.add(FieldRecoveryEmail, reason)
		return Profile{}, verr.err()
	}
	var out, old Profile
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if old, err = s.store.Profile(ctx, profileID); err != nil {
			return wrap(err)
		}
		p := old
		p.RecoveryEmail, p.PendingRecoveryEmail = addr, ""
		detail := "recovery email set by support: " + admin.Reason
		if addr == "" {
			detail = "recovery email removed by support: " + admin.Reason
		}
		ev := securitylog.Event{Kind: securitylog.Admin, ProfileID: profileID, Admin: admin.ID, Detail: detail}
		if out, err = s.replaceRecovery(ctx, "", old, p, ev, "by "+admin.String()); err != nil {
			return err
		}
		if old.PendingRecoveryEmail == "" || s.codes == nil {
			return nil
		}
		return s.codes.Cancel(ctx, verification.PurposeRecoveryEmail, profileID)
	})
	if err != nil {
		return Profile{}, err
	}
	return out, nil
}
