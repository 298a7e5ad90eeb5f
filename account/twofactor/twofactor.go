package twofactor

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Sentinel errors of the package. Check them with errors.Is.
var (
	// ErrLocked means too many wrong codes were entered; the second factor
	// accepts nothing until the lock time has passed.
	ErrLocked = errs.New(errs.Throttled, "locked", "twofactor: locked after too many wrong codes")
	// ErrInvalidPassword means the password given to Deactivate was refused
	// by the PasswordChecker.
	ErrInvalidPassword = errs.New(errs.Invalid, "invalid_credentials", "twofactor: invalid password")
	// ErrNotEnabled means the account has no active second factor.
	ErrNotEnabled = errs.New(errs.Conflict, "not_enabled", "twofactor: not enabled")
	// ErrAlreadyEnabled means the account already has an active second
	// factor; deactivate it before enrolling another one.
	ErrAlreadyEnabled = errs.New(errs.Conflict, "already_enabled", "twofactor: already enabled")
	// ErrNoEnrollment means there is no pending enrolment of the kind
	// being confirmed, or it expired.
	ErrNoEnrollment = errs.New(errs.Conflict, "no_enrollment", "twofactor: no pending enrolment")
	// ErrInvalidPhone means a phone number is not in E.164 form
	// ("+" then 7 to 15 digits, the first not 0).
	ErrInvalidPhone = errs.New(errs.Invalid, "invalid_phone", "twofactor: invalid phone number")
	// ErrSMSUnavailable means the service has no SMSSender.
	ErrSMSUnavailable = errs.New(errs.Conflict, "sms_unavailable", "twofactor: sms not available")
	// ErrTooSoon means an SMS code was sent too recently to send another.
	// It is returned in an *errs.RetryError that says how long to wait.
	ErrTooSoon = errs.New(errs.Throttled, "too_soon", "twofactor: sms code sent too recently")
	// ErrSSOManaged means the account signs in through its company's
	// identity provider, which owns its second factors: enrolment is
	// refused.
	ErrSSOManaged = errs.New(errs.Invalid, "sso_managed", "twofactor: account managed by single sign-on")
	// ErrUnknownAccount means the account does not exist.
	ErrUnknownAccount = storage.NotFound("twofactor: unknown account")
)

// Method is the kind of second factor of an account.
type Method string

// Methods.
const (
	MethodNone          Method = "none"
	MethodSMS           Method = "sms"
	MethodAuthenticator Method = "authenticator"
)

// Status is what an account's settings page shows about its second factor.
type Status struct {
	// Method is the active method; MethodNone when 2FA is off.
	Method Method `json:"method"`
	// EnabledAt is when the active method was confirmed; zero when off.
	EnabledAt time.Time `json:"enabled_at,omitzero"`
	// Phone is the masked phone number of the SMS method ("+31******78");
	// empty for other methods.
	Phone string `json:"phone,omitempty"`
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int `json:"recovery_codes_left"`
	// Pending is the method of an enrolment started but not confirmed
	// yet; MethodNone when there is none.
	Pending Method `json:"pending"`
	// PendingPhone is the masked phone number of a pending SMS
	// enrolment, the number its code went to; empty otherwise.
	PendingPhone string `json:"pending_phone,omitempty"`
	// LockedUntil is set while the second factor is locked after too many
	// wrong codes.
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// SignInFactor is what the code step of a sign-in may offer: the method
// of the second factor that proves the sign-in and, for MethodSMS, the
// masked phone number that SendLoginSMS texts.
type SignInFactor struct {
	Method Method
	// Phone is masked ("+31*******78"); empty unless Method is MethodSMS.
	Phone string
}

// Metadata is the personal-data view of an account's second factor: the
// method and its dates, never a secret, phone number or code.
type Metadata struct {
	Method    Method    `json:"method"`
	EnabledAt time.Time `json:"enabled_at,omitzero"`
}

// SMSCode is the digest of the SMS code last sent to an account.
type SMSCode struct {
	Digest    []byte `json:"-"` // HMAC-SHA-256 of the code bound to the account; never in JSON
	SentAt    time.Time
	ExpiresAt time.Time
}

// Record is the stored second-factor state of one account. TOTP secrets
// are stored sealed (AES-256-GCM with the host's key); codes only as
// digests.
type Record struct {
	AccountID string
	// Method is the active method; MethodNone while an enrolment is
	// pending and nothing is active yet.
	Method    Method
	EnabledAt time.Time
	// Secret is the sealed TOTP secret of MethodAuthenticator; it never
	// marshals to JSON.
	Secret []byte `json:"-"`
	// Phone is the E.164 phone number of MethodSMS.
	Phone string

	// PendingMethod, PendingSecret, PendingPhone and PendingAt describe an
	// enrolment waiting for its first code; PendingMethod is MethodNone
	// (or empty) when there is none.
	PendingMethod Method
	PendingSecret []byte `json:"-"`
	PendingPhone  string
	PendingAt     time.Time

	// The fields below are changed only through the Store's atomic
	// methods; SaveTwoFactor leaves them as they are. Attempts and
	// LockedUntil are the record's LockState, which the Lockout rule
	// decides on.

	// LastStep is the last TOTP time step accepted (Unix time / 30 s).
	LastStep int64
	// Attempts counts code attempts since the last success or lock.
	Attempts int
	// LockedUntil is the end of the lock after too many wrong codes.
	LockedUntil time.Time
	// SMSCode is the SMS code last sent; zero when none is outstanding.
	SMSCode SMSCode
}

// String describes the record without secrets, phone number or digests.
func (r Record) String() string {
	return fmt.Sprintf("twofactor.Record{account=%s method=%s pending=%s}", r.AccountID, r.Method, r.PendingMethod)
}

// GoString is String, so %#v prints no secret either.
func (r Record) GoString() string { return r.String() }

// Store persists second-factor records and recovery codes. It is
// implemented by storage/memory, storage/sqlstore and any host adapter
// that passes storagetest.TestTwoFactorStore. A record belongs to an
// account; SQL adapters delete it with the account (a foreign key), and
// the account service calls Service.EraseAccount before deleting one.
type Store interface {
	// TwoFactor returns the record of the account, or storage.ErrNotFound.
	TwoFactor(ctx context.Context, accountID string) (Record, error)
	// TwoFactorMethodsOfProfile returns the Method of the record of each
	// account of the profile that has one, keyed by account ID, in one
	// read; accounts without a record are left out.
	TwoFactorMethodsOfProfile(ctx context.Context, profileID string) (map[string]Method, error)
	// SaveTwoFactor inserts the record or replaces the stored one of the
	// same account, except LastStep, Attempts, LockedUntil and SMSCode,
	// which keep their stored values (a new record starts with zero
	// ones). It returns storage.ErrNotFound when the account does not
	// exist.
	SaveTwoFactor(ctx context.Context, r Record) error
	// DeleteTwoFactor deletes the record of the account and its recovery
	// codes. It returns storage.ErrNotFound when there is no record.
	DeleteTwoFactor(ctx context.Context, accountID string) error

	// UseTOTPStep records that the TOTP code of the time step was used:
	// it sets LastStep to step when step is greater than LastStep, as one
	// atomic compare-and-set, and returns storage.ErrConflict otherwise,
	// so a code is accepted at most once. It returns storage.ErrNotFound
	// when there is no record.
	UseTOTPStep(ctx context.Context, accountID string, step int64) error
	// SwapTwoFactorLock replaces Attempts and LockedUntil of the record
	// with next when they still equal old (as read with TwoFactor), as one
	// atomic compare-and-set. It decides nothing: the Lockout rule, in
	// Go, computes next from old, and a caller that gets
	// storage.ErrConflict (another attempt changed the state since it was
	// read) reads the record again and decides again. Of several
	// concurrent swaps from one old state, exactly one succeeds. It
	// returns storage.ErrNotFound when there is no record.
	SwapTwoFactorLock(ctx context.Context, accountID string, old, next LockState) error
	// ResetTwoFactorAttempts sets Attempts to 0 and clears LockedUntil,
	// whatever they were (the state after a success). It returns
	// storage.ErrNotFound when there is no record.
	ResetTwoFactorAttempts(ctx context.Context, accountID string) error

	// PutSMSCode replaces the SMS code of the record. It returns
	// storage.ErrNotFound when there is no record.
	PutSMSCode(ctx context.Context, accountID string, c SMSCode) error
	// ConsumeSMSCode clears the SMS code of the record when its digest
	// equals digest and it expires after at, as one atomic step; exactly
	// one of several concurrent calls succeeds. It returns
	// storage.ErrConflict when no such code is stored and
	// storage.ErrNotFound when there is no record.
	ConsumeSMSCode(ctx context.Context, accountID string, digest []byte, at time.Time) error

	// PutRecoveryCodes replaces the recovery codes of the account with
	// unused codes of the digests. It returns storage.ErrNotFound when
	// there is no record and storage.ErrConflict when a digest appears
	// twice.
	PutRecoveryCodes(ctx context.Context, accountID string, digests [][]byte) error
	// UseRecoveryCode marks the unused recovery code of the account with
	// the digest used at time at; exactly one of several concurrent calls
	// succeeds. It returns storage.ErrConflict when the code was already
	// used and storage.ErrNotFound when the account has no such code.
	UseRecoveryCode(ctx context.Context, accountID string, digest []byte, at time.Time) error
	// RecoveryCodesLeft counts the unused recovery codes of the account;
	// an account without record has none.
	RecoveryCodesLeft(ctx context.Context, accountID string) (int, error)
}
