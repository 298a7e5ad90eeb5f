package twofactor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// QRSize is the width and height in pixels of Enrollment.QRPNG.
const QRSize = 256

// Enrollment is what a person needs to add the account to an
// authenticator app. It is shown once; Secret and URL never print.
type Enrollment struct {
	// Secret is the base32 TOTP secret, for typing into the app by hand.
	Secret Secret
	// URL is the otpauth:// key URI (it holds the secret).
	URL Secret
	// QRPNG is a PNG image of a QR code of URL, QRSize pixels square.
	QRPNG []byte
}

// String describes the enrolment without its secret.
func (e Enrollment) String() string { return "twofactor.Enrollment{" + secret.Redacted + "}" }

// GoString is String.
func (e Enrollment) GoString() string { return e.String() }

// BeginAuthenticator starts enrolling an authenticator app: it makes a
// TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) labelled with issuer and
// accountName (the account's address when empty), stores it sealed as the pending enrolment (replacing any
// other pending one) and returns it with its otpauth URL and QR code.
// Nothing changes at sign-in until ConfirmAuthenticator succeeds. It
// returns ErrAlreadyEnabled or, for an account that signs in through
// single sign-on, ErrSSOManaged. Enrolling is a sensitive operation: the
// caller must have signed in within Config.FreshFor
// (auth.ErrReauthenticationRequired); a token or API key gets
// auth.ErrForbidden.
func (s *Service) BeginAuthenticator(ctx context.Context, c auth.Caller, issuer, accountName string) (Enrollment, error) {
	acct, err := s.freshCaller(ctx, c)
	if err != nil {
		return Enrollment{}, err
	}
	if accountName == "" {
		accountName = acct.Email
	}
	accountID := c.AccountID
	r, err := s.beginnable(ctx, accountID)
	if err != nil {
		return Enrollment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: accountName, Rand: s.rand,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return Enrollment{}, fmt.Errorf("twofactor: generating secret: %w", err)
	}
	sealed, err := s.keys.seal(s.rand, accountID, key.Secret())
	if err != nil {
		return Enrollment{}, err
	}
	r.PendingMethod, r.PendingSecret, r.PendingPhone, r.PendingAt = MethodAuthenticator, sealed, "", s.now()
	if err := s.store.SaveTwoFactor(ctx, r); err != nil {
		return Enrollment{}, fmt.Errorf("twofactor: saving enrolment: %w", err)
	}
	img, err := key.Image(QRSize, QRSize)
	if err != nil {
		return Enrollment{}, fmt.Errorf("twofactor: drawing qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrollment{}, fmt.Errorf("twofactor: encoding qr code: %w", err)
	}
	return Enrollment{Secret: secret.New(key.Secret()), URL: secret.New(key.URL()), QRPNG: buf.Bytes()}, nil
}

// ConfirmAuthenticator completes the pending authenticator enrolment with
// the first code the app shows. It turns the second factor on and returns
// RecoveryCodeCount new recovery codes, shown once (each works once in
// place of a code). Wrong codes count towards the lock. The enrolment is
// recorded in the history and the security log, and every other session
// of the account ends (Config.Revokers). It is a sensitive operation,
// like BeginAuthenticator. It returns ErrNoEnrollment, ErrAlreadyEnabled,
// errs.ErrInvalidCode or ErrLocked.
func (s *Service) ConfirmAuthenticator(ctx context.Context, c auth.Caller, code string) ([]string, error) {
	return s.confirm(ctx, c, MethodAuthenticator, code)
}

// BeginSMS starts enrolling SMS codes for the phone number (E.164, such as
// "+31612345678"): it stores the number as the pending enrolment and
// sends a code to it. It is a sensitive operation, like
// BeginAuthenticator. It returns ErrInvalidPhone, ErrSMSUnavailable,
// ErrAlreadyEnabled or ErrTooSoon.
func (s *Service) BeginSMS(ctx context.Context, c auth.Caller, phone string) error {
	if _, err := s.freshCaller(ctx, c); err != nil {
		return err
	}
	if err := ValidatePhone(phone); err != nil {
		return err
	}
	if s.sms == nil {
		return ErrSMSUnavailable
	}
	accountID := c.AccountID
	r, err := s.beginnable(ctx, accountID)
	if err != nil {
		return err
	}
	if err := s.throttle(r); err != nil {
		return err
	}
	r.PendingMethod, r.PendingSecret, r.PendingPhone, r.PendingAt = MethodSMS, nil, phone, s.now()
	if err := s.store.SaveTwoFactor(ctx, r); err != nil {
		return fmt.Errorf("twofactor: saving enrolment: %w", err)
	}
	return s.sendCode(ctx, accountID, phone)
}

// ConfirmSMS completes the pending SMS enrolment with the code sent by
// BeginSMS, like ConfirmAuthenticator.
func (s *Service) ConfirmSMS(ctx context.Context, c auth.Caller, code string) ([]string, error) {
	return s.confirm(ctx, c, MethodSMS, code)
}

// SendLoginSMS sends a sign-in code to the phone of an account whose
// second factor is SMS; Verify then accepts it once, until it expires
// (Config.SMSCodeTTL). It returns ErrNotEnabled (no SMS method),
// ErrLocked, ErrTooSoon or ErrSMSUnavailable.
func (s *Service) SendLoginSMS(ctx context.Context, accountID string) error {
	if s.sms == nil {
		return ErrSMSUnavailable
	}
	r, err := s.factorOf(ctx, accountID)
	if err != nil {
		return err
	}
	if r.Method != MethodSMS {
		return ErrNotEnabled
	}
	if r.LockState().Locked(s.now()) {
		return ErrLocked
	}
	if err := s.throttle(r); err != nil {
		return err
	}
	return s.sendCode(ctx, r.AccountID, r.Phone)
}

// beginnable returns the record an enrolment may start from. An account
// linked to an identity provider gets ErrSSOManaged.
func (s *Service) beginnable(ctx context.Context, accountID string) (Record, error) {
	if a, err := s.account(ctx, accountID); err != nil {
		return Record{}, err
	} else if a.SSO() {
		return Record{}, ErrSSOManaged
	}
	r, _, err := s.record(ctx, accountID)
	if err != nil {
		return Record{}, err
	}
	if active(r) {
		return Record{}, ErrAlreadyEnabled
	}
	r.Method = MethodNone
	return r, nil
}

func (s *Service) account(ctx context.Context, accountID string) (account.Account, error) {
	a, err := s.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return account.Account{}, ErrUnknownAccount
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("twofactor: loading account: %w", err)
	}
	return a, nil
}

// pending reports whether r has a live pending enrolment of method m.
func (s *Service) pending(r Record, m Method) bool {
	return (m == MethodSMS || m == MethodAuthenticator) && r.PendingMethod == m &&
		s.now().Before(r.PendingAt.Add(s.enrollTTL))
}

func (s *Service) throttle(r Record) error {
	if next := r.SMSCode.SentAt.Add(s.smsInterval); !r.SMSCode.SentAt.IsZero() && s.now().Before(next) {
		return errs.Retry(ErrTooSoon, next.Sub(s.now()))
	}
	return nil
}

// sendCode stores the digest of a new SMS code, then sends the code.
func (s *Service) sendCode(ctx context.Context, accountID, phone string) error {
	code, err := newOTP(s.rand)
	if err != nil {
		return err
	}
	now := s.now()
	c := SMSCode{Digest: s.keys.digest("sms", accountID, code), SentAt: now, ExpiresAt: now.Add(s.smsTTL)}
	if err := s.store.PutSMSCode(ctx, accountID, c); err != nil {
		return fmt.Errorf("twofactor: saving sms code: %w", err)
	}
	text := fmt.Sprintf("Your verification code is %s. It expires in %d minutes.", code, int(s.smsTTL.Minutes()))
	if err := s.sms.SendSMS(ctx, phone, text); err != nil {
		return fmt.Errorf("twofactor: sending sms: %w", err)
	}
	return nil
}
