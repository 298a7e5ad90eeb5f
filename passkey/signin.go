package passkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// SignInFinish is the browser's answer to a sign-in or second-factor
// ceremony, with where it comes from.
type SignInFinish struct {
	// CeremonyID is Ceremony.ID of the begin step (kept in the
	// pre-authentication cookie).
	CeremonyID string
	// Response is the JSON of the PublicKeyCredential that
	// navigator.credentials.get returned (its toJSON()).
	Response []byte
	// Client is where the attempt comes from: its IP address is
	// throttled, and both go to the security log.
	Client auth.Client
	// Device is the device token the client presented (the device
	// cookie of a password sign-in); empty when it has none.
	Device string
}

// SignIn is a passwordless sign-in that succeeded. Start the session
// with session.Begin{AccountID: Account.ID, Method: Method,
// PasswordExpired: PasswordExpired}, after the second factor when
// SecondFactorRequired says so.
type SignIn struct {
	// Account is the signed-in account, without its password hash.
	Account account.Account
	// Method is auth.MethodPasskey.
	Method auth.Method
	// UserVerified says the authenticator verified the person (a PIN or
	// a biometric): the passkey was two factors in one.
	UserVerified bool
	// SecondFactorRequired says the account has a second factor and the
	// passkey did not verify the person: the host must verify the second
	// factor (twofactor.Service.VerifySignIn) before it starts a session,
	// with auth.MethodSecondFactor. It is never set with UVRequired.
	SecondFactorRequired bool
	// PasswordExpired says the account's password has passed its
	// maximum age, as account.AuthResult does.
	PasswordExpired bool
	// Device is a new device token of the account, as
	// account.AuthResult.Device: keep it in the device cookie.
	Device string
	// Passkey is the passkey that signed in.
	Passkey Passkey
}

// String describes the sign-in without the device token.
func (s SignIn) String() string {
	return fmt.Sprintf("passkey.SignIn{account=%s uv=%t second_factor=%t}", s.Account.ID, s.UserVerified, s.SecondFactorRequired)
}

// GoString is String.
func (s SignIn) GoString() string { return s.String() }

// Details of the security-log events of the ceremonies.
const (
	detailSignIn       = "passkey"
	detailSecondFactor = "second factor (passkey)"
	detailReauth       = "re-authentication"
)

// BeginSignIn begins a passwordless sign-in: options for
// navigator.credentials.get with no allowed credentials, so the browser
// offers the passkeys it holds for the site. The same options serve a
// "Sign in with a passkey" button and conditional UI (the page passes
// mediation "conditional" to get, and its user-name field has
// autocomplete="username webauthn"). The ceremony is bound to nothing
// but its ID: keep the ID in a pre-authentication cookie.
func (s *Service) BeginSignIn(ctx context.Context) (Ceremony, error) {
	if err := s.on(); err != nil {
		return Ceremony{}, err
	}
	ch, err := s.challenge()
	if err != nil {
		return Ceremony{}, err
	}
	assertion, data, err := s.wa.BeginDiscoverableLogin(webauthn.WithChallenge(ch))
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkey: beginning the sign-in: %w", err)
	}
	return s.save(ctx, KindSignIn, "", "", data, assertion)
}

// FinishSignIn checks the browser's response to a sign-in ceremony and
// signs the account in: the account is found from the user handle the
// authenticator returned, and the response must answer the ceremony's
// challenge, come from one of Config.Origins for Config.RPID, be signed
// by a passkey of that account, verify the person when user
// verification is required, and carry a sign count above the last one
// seen (a count that went backwards suggests a cloned authenticator: it
// is refused and logged). The ceremony is used up by the first finish,
// so a replayed response gets ErrCeremonyExpired.
//
// The attempt is throttled and recorded like a password sign-in
// (account.Service.BeginCredentialSignIn: the account's address and the
// client's IP, or the known device): a throttled attempt gets a
// *errs.RetryError matching account.ErrThrottled, and the security log
// gets securitylog.SignedIn or securitylog.SignInFailed with Detail
// "passkey", and securitylog.PasskeyUsed or securitylog.PasskeyFailed.
// Every refused response is account.ErrInvalidCredentials; an account
// whose identity provider owns its sign-in gets account.ErrSSOManaged
// (matching ErrInvalidCredentials too).
func (s *Service) FinishSignIn(ctx context.Context, f SignInFinish) (SignIn, error) {
	if err := s.on(); err != nil {
		return SignIn{}, err
	}
	_, data, err := s.consume(ctx, f.CeremonyID, KindSignIn)
	if err != nil {
		return SignIn{}, err
	}
	parsed, perr := protocol.ParseCredentialRequestResponseBytes(f.Response)
	var keys []Passkey
	if perr == nil {
		if keys, err = s.store.PasskeysByUserHandle(ctx, parsed.Response.UserHandle); err != nil {
			return SignIn{}, fmt.Errorf("passkey: finding the account: %w", err)
		}
	}
	accountID := ""
	if len(keys) > 0 {
		accountID = keys[0].AccountID
	}
	attempt, err := s.signIns.BeginCredentialSignIn(ctx, account.CredentialLogin{AccountID: accountID, Client: f.Client, Device: f.Device, Detail: detailSignIn})
	if err != nil {
		return SignIn{}, err
	}
	p, uv, err := s.verify(ctx, data, parsed, perr, keys, true)
	if err != nil {
		return SignIn{}, s.fail(ctx, attempt, accountID, f.Client, err)
	}
	res, err := attempt.Succeeded(ctx)
	if err != nil {
		return SignIn{}, err
	}
	if err := s.used(ctx, res.Account, p, f.Client, "sign-in"); err != nil {
		return SignIn{}, err
	}
	return SignIn{Account: res.Account, Method: auth.MethodPasskey, UserVerified: uv,
		SecondFactorRequired: res.SecondFactorRequired && !uv, PasswordExpired: res.PasswordExpired, Device: res.Device, Passkey: p}, nil
}

// HasPasskeys reports whether the account has a passkey, so that the
// second step of a password sign-in offers one.
func (s *Service) HasPasskeys(ctx context.Context, accountID string) (bool, error) {
	if s.wa == nil {
		return false, nil
	}
	keys, err := s.store.PasskeysOfAccount(ctx, accountID)
	if err != nil {
		return false, fmt.Errorf("passkey: listing passkeys: %w", err)
	}
	return len(keys) > 0, nil
}

// BeginSecondFactor begins the second step of a password sign-in with a
// passkey instead of a TOTP or SMS code: accountID is the account whose
// password was just right (account.AuthResult.Account.ID, kept by the
// front end between the steps), and the options allow only its passkeys.
// Keep the ceremony's ID in a pre-authentication cookie, as for
// BeginSignIn. An account without passkeys gets ErrNoPasskey.
func (s *Service) BeginSecondFactor(ctx context.Context, accountID string) (Ceremony, error) {
	if err := s.on(); err != nil {
		return Ceremony{}, err
	}
	a, err := s.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) {
		return Ceremony{}, ErrNoPasskey
	}
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkey: loading account: %w", err)
	}
	return s.beginFor(ctx, KindSecondFactor, a, "")
}

// beginFor begins an assertion ceremony of kind that allows the passkeys
// of the account a only, bound to it and to sessionID.
func (s *Service) beginFor(ctx context.Context, kind Kind, a account.Account, sessionID string) (Ceremony, error) {
	u, err := s.userOf(ctx, a.ID, a.Email)
	if err != nil {
		return Ceremony{}, err
	}
	if len(u.keys) == 0 {
		return Ceremony{}, ErrNoPasskey
	}
	ch, err := s.challenge()
	if err != nil {
		return Ceremony{}, err
	}
	assertion, data, err := s.wa.BeginLogin(u, webauthn.WithChallenge(ch))
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkey: beginning the ceremony: %w", err)
	}
	return s.save(ctx, kind, a.ID, sessionID, data, assertion)
}

// FinishSecondFactor checks the browser's response to the second-factor
// ceremony of the account: the ceremony must have been begun for it, and
// the response signed by one of its own passkeys (another account's is
// refused), with the checks of FinishSignIn. On success start the
// session with auth.MethodSecondFactor. The attempt is throttled and
// recorded as FinishSignIn's, with Detail "second factor (passkey)". It
// returns ErrCeremonyExpired, account.ErrInvalidCredentials or a
// throttling error.
func (s *Service) FinishSecondFactor(ctx context.Context, accountID string, f SignInFinish) error {
	if err := s.on(); err != nil {
		return err
	}
	rec, data, err := s.consume(ctx, f.CeremonyID, KindSecondFactor)
	if err != nil {
		return err
	}
	if rec.AccountID != accountID {
		return ErrCeremonyExpired
	}
	attempt, err := s.signIns.BeginCredentialSignIn(ctx, account.CredentialLogin{AccountID: accountID, Client: f.Client, Device: f.Device, Detail: detailSecondFactor})
	if err != nil {
		return err
	}
	keys, err := s.store.PasskeysOfAccount(ctx, accountID)
	if err != nil {
		return fmt.Errorf("passkey: listing passkeys: %w", err)
	}
	parsed, perr := protocol.ParseCredentialRequestResponseBytes(f.Response)
	p, _, err := s.verify(ctx, data, parsed, perr, keys, false)
	if err != nil {
		return s.fail(ctx, attempt, accountID, f.Client, err)
	}
	res, err := attempt.Succeeded(ctx)
	if err != nil {
		return err
	}
	return s.used(ctx, res.Account, p, f.Client, "second factor")
}

// BeginReauthentication begins re-authenticating the caller with a
// passkey of its account, for the sensitive operations that need a
// recent sign-in; finish it with session.Service.ReauthenticatePasskey
// (or VerifyReauthentication and, for a host's own session,
// session.Service.ReauthenticateHost). The ceremony is bound to the
// caller's account and session. A caller without a session gets
// auth.ErrInvalidCaller, a token auth.ErrForbidden, an account without
// passkeys ErrNoPasskey; a caller whose password has expired may
// re-authenticate.
func (s *Service) BeginReauthentication(ctx context.Context, c auth.Caller) (Ceremony, error) {
	if err := s.on(); err != nil {
		return Ceremony{}, err
	}
	a, err := s.reauthCaller(ctx, c)
	if err != nil {
		return Ceremony{}, err
	}
	return s.beginFor(ctx, KindReauthentication, a, c.SessionID)
}

// reauthCaller returns the account of a caller that re-authenticates.
func (s *Service) reauthCaller(ctx context.Context, c auth.Caller) (account.Account, error) {
	if err := c.AllowExpired().Person(); err != nil {
		return account.Account{}, err
	}
	if c.SessionID == "" {
		return account.Account{}, fmt.Errorf("passkey: no session to re-authenticate: %w", auth.ErrInvalidCaller)
	}
	a, err := s.ownAccount(ctx, c.AccountID)
	if err != nil {
		return account.Account{}, err
	}
	if a.SSO() {
		return account.Account{}, fmt.Errorf("passkey: %w", account.ErrSSOManaged)
	}
	return a, nil
}

// VerifyReauthentication checks the browser's response to the caller's
// re-authentication ceremony, with the checks of FinishSignIn, and
// reports whether the authenticator verified the person. The caller must
// be the account and session that began it. It records
// securitylog.PasskeyUsed or securitylog.PasskeyFailed; the session
// service records the re-authentication itself. It returns
// ErrCeremonyExpired or account.ErrInvalidCredentials.
func (s *Service) VerifyReauthentication(ctx context.Context, c auth.Caller, ceremonyID string, response []byte) (bool, error) {
	if err := s.on(); err != nil {
		return false, err
	}
	a, err := s.reauthCaller(ctx, c)
	if err != nil {
		return false, err
	}
	rec, data, err := s.consume(ctx, ceremonyID, KindReauthentication)
	if err != nil {
		return false, err
	}
	if rec.AccountID != a.ID || rec.SessionID != c.SessionID {
		return false, ErrCeremonyExpired
	}
	keys, err := s.store.PasskeysOfAccount(ctx, a.ID)
	if err != nil {
		return false, fmt.Errorf("passkey: listing passkeys: %w", err)
	}
	parsed, perr := protocol.ParseCredentialRequestResponseBytes(response)
	p, uv, err := s.verify(ctx, data, parsed, perr, keys, false)
	if err != nil {
		return false, s.fail(ctx, nil, a.ID, c.Client, err)
	}
	return uv, s.used(ctx, a, p, c.Client, detailReauth)
}

// refusal is a response the service refuses, with the reason the
// security log records.
type refusal struct {
	reason string
	err    error
}

func (r *refusal) Error() string { return "passkey: refused: " + r.reason }
func (r *refusal) Unwrap() error { return r.err }

// refused returns a refusal for reason, caused by err (nil for none).
func refused(err error, reason string) error { return &refusal{reason: reason, err: err} }

// reasonOf names why go-webauthn refused a response, without secrets.
func reasonOf(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return "verification failed: " + pe.Details
	}
	return "verification failed"
}

// verify checks a parsed assertion against the ceremony's session data
// and the passkeys keys of one account (discoverable: found from its
// user handle), and records the use of the passkey: its new sign count,
// backup state and time, provided its sign count went up. It returns the
// passkey used and whether the person was verified; a refused response,
// a malformed one too (perr, the error of parsing it), is a *refusal.
func (s *Service) verify(ctx context.Context, data webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData, perr error, keys []Passkey, discoverable bool) (Passkey, bool, error) {
	if perr != nil {
		return Passkey{}, false, refused(perr, "malformed response")
	}
	if len(keys) == 0 {
		return Passkey{}, false, refused(nil, "unknown passkey")
	}
	var (
		cred *webauthn.Credential
		err  error
	)
	if discoverable {
		cred, err = s.wa.ValidateDiscoverableLogin(func(_, handle []byte) (webauthn.User, error) {
			return &user{handle: handle, keys: keys}, nil
		}, data, parsed)
	} else {
		cred, err = s.wa.ValidateLogin(&user{handle: data.UserID, keys: keys}, data, parsed)
	}
	if err != nil {
		return Passkey{}, false, refused(err, reasonOf(err))
	}
	i := -1
	for j, k := range keys {
		if bytes.Equal(k.CredentialID, cred.ID) {
			i = j
		}
	}
	if i < 0 {
		return Passkey{}, false, refused(nil, "unknown passkey")
	}
	p := keys[i]
	if cred.Authenticator.CloneWarning {
		return p, false, refused(nil, "sign count went backwards (a cloned authenticator?): "+p.Name)
	}
	now := s.now().UTC()
	err = s.store.UsePasskey(ctx, p.ID, p.SignCount, cred.Authenticator.SignCount, cred.Flags.BackupState, now)
	if errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrNotFound) {
		return p, false, refused(err, "sign count already used: "+p.Name)
	}
	if err != nil {
		return Passkey{}, false, fmt.Errorf("passkey: recording the use: %w", err)
	}
	p.SignCount, p.BackupState, p.LastUsedAt = cred.Authenticator.SignCount, cred.Flags.BackupState, now
	return p, parsed.Response.AuthenticatorData.Flags.HasUserVerified(), nil
}

// fail settles a refused response: the attempt (when there is one)
// stays counted as a failed sign-in, and the account's log (when it is
// known) gets securitylog.PasskeyFailed with the reason. It returns
// account.ErrInvalidCredentials for a refusal and err itself otherwise.
func (s *Service) fail(ctx context.Context, attempt *account.HostAttempt, accountID string, client auth.Client, err error) error {
	var r *refusal
	if !errors.As(err, &r) {
		return err
	}
	if attempt != nil {
		if ferr := attempt.Failed(ctx); ferr != nil {
			return ferr
		}
	}
	if accountID != "" && s.seclog != nil {
		a, aerr := s.accounts.Account(ctx, accountID)
		if aerr == nil {
			if lerr := s.logClient(ctx, a, securitylog.PasskeyFailed, client, r.reason); lerr != nil {
				return lerr
			}
		}
	}
	return fmt.Errorf("passkey: %s: %w", r.reason, account.ErrInvalidCredentials)
}

// used records securitylog.PasskeyUsed for the passkey p of a.
func (s *Service) used(ctx context.Context, a account.Account, p Passkey, client auth.Client, what string) error {
	return s.logClient(ctx, a, securitylog.PasskeyUsed, client, p.Name+" ("+what+")")
}
