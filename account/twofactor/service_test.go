package twofactor_test

import (
	"bytes"
	"errors"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
)

func TestAuthenticatorEnrolment(t *testing.T) {
	e := newEnv(t)
	if got := e.status(); got.Method != twofactor.MethodNone || got.Pending != twofactor.MethodNone {
		t.Fatalf("status before enrolment: got %+v, want method and pending none", got)
	}
	enr, err := e.svc.BeginAuthenticator(e.ctx, e.as(testAccount), "Example", testEmail)
	if err != nil {
		t.Fatalf("BeginAuthenticator: %v", err)
	}
	secret := enr.Secret.Reveal()
	if !strings.HasPrefix(enr.URL.Reveal(), "otpauth://totp/Example:") || !strings.Contains(enr.URL.Reveal(), "secret="+secret) {
		t.Errorf("URL: got %q, want an otpauth://totp/Example: URL with the secret", enr.URL.Reveal())
	}
	img, err := png.Decode(bytes.NewReader(enr.QRPNG))
	if err != nil {
		t.Fatalf("QRPNG is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != twofactor.QRSize || b.Dy() != twofactor.QRSize {
		t.Errorf("QR size: got %v, want %d square", b, twofactor.QRSize)
	}
	if got := e.status(); got.Method != twofactor.MethodNone || got.Pending != twofactor.MethodAuthenticator {
		t.Errorf("status while pending: got %+v, want method none, pending authenticator", got)
	}
	if req, _ := e.svc.Required(e.ctx, testAccount); req {
		t.Errorf("Required while pending: got true, want false")
	}
	_, err = e.svc.ConfirmAuthenticator(e.ctx, e.as(testAccount), e.code(secret, 5*time.Minute))
	wantErr(t, "ConfirmAuthenticator with a wrong code", err, errs.ErrInvalidCode)

	codes, err := e.svc.ConfirmAuthenticator(e.ctx, e.as(testAccount), e.code(secret, 0))
	if err != nil {
		t.Fatalf("ConfirmAuthenticator: %v", err)
	}
	if f, err := e.svc.SignInFactor(e.ctx, testAccount); err != nil || f != (twofactor.SignInFactor{Method: twofactor.MethodAuthenticator}) {
		t.Errorf("SignInFactor = %+v, %v; want the authenticator, no phone", f, err)
	}
	format := regexp.MustCompile(`^[A-Z2-7]{5}-[A-Z2-7]{5}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !format.MatchString(c) || seen[c] {
			t.Errorf("recovery code %q: want a new code like ABCDE-FGH23", c)
		}
		seen[c] = true
	}
	if len(codes) != twofactor.RecoveryCodeCount {
		t.Errorf("recovery codes: got %d, want %d", len(codes), twofactor.RecoveryCodeCount)
	}
	want := twofactor.Status{Method: twofactor.MethodAuthenticator, EnabledAt: e.clock.Now(), RecoveryCodesLeft: 10, Pending: twofactor.MethodNone}
	if diff := cmp.Diff(want, e.status()); diff != "" {
		t.Errorf("status after confirmation (-want +got):\n%s", diff)
	}
	if req, err := e.svc.Required(e.ctx, testAccount); !req || err != nil {
		t.Errorf("Required: got %v, %v; want true, nil", req, err)
	}
	_, err = e.svc.BeginAuthenticator(e.ctx, e.as(testAccount), "Example", testEmail)
	wantErr(t, "BeginAuthenticator when enabled", err, twofactor.ErrAlreadyEnabled)
	wantHistory(t, e, history.ActionSet)
}

func wantHistory(t *testing.T, e *env, actions ...history.Action) {
	t.Helper()
	entries, err := e.store.History(e.ctx, testProfile, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []history.Action
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Item != "two_factor" || entries[i].AccountID != testAccount {
			t.Errorf("history entry %+v: want item two_factor of %s", entries[i], testAccount)
		}
		got = append(got, entries[i].Action)
	}
	if diff := cmp.Diff(actions, got); diff != "" {
		t.Errorf("history actions, oldest first (-want +got):\n%s", diff)
	}
}

func TestConfirmWithoutEnrolment(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.ConfirmAuthenticator(e.ctx, e.as(testAccount), "123456")
	wantErr(t, "ConfirmAuthenticator without Begin", err, twofactor.ErrNoEnrollment)
	enr, err := e.svc.BeginAuthenticator(e.ctx, e.as(testAccount), "Example", testEmail)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ConfirmSMS(e.ctx, e.as(testAccount), "123456")
	wantErr(t, "ConfirmSMS of an authenticator enrolment", err, twofactor.ErrNoEnrollment)
	e.clock.Advance(31 * time.Minute)
	_, err = e.svc.ConfirmAuthenticator(e.ctx, e.as(testAccount), e.code(enr.Secret.Reveal(), 0))
	wantErr(t, "ConfirmAuthenticator after EnrollTTL", err, twofactor.ErrNoEnrollment)
	_, err = e.svc.BeginAuthenticator(e.ctx, e.as("acc_nobody"), "Example", testEmail)
	wantErr(t, "BeginAuthenticator for an unknown account", err, auth.ErrForbidden)
}

func TestVerifyTOTP(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrolApp()
	wantErr(t, "Verify current code", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), nil)
	wantErr(t, "Verify the same code again (replay)", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), errs.ErrInvalidCode)
	wantErr(t, "Verify the previous step's code after a later one", e.svc.Verify(e.ctx, testAccount, e.code(secret, -30*time.Second), signInClient), errs.ErrInvalidCode)

	e.clock.Advance(time.Minute)
	wantErr(t, "Verify code of the previous step (skew)", e.svc.Verify(e.ctx, testAccount, e.code(secret, -30*time.Second), signInClient), nil)
	wantErr(t, "Verify code of the next step (skew)", e.svc.Verify(e.ctx, testAccount, e.code(secret, 30*time.Second), signInClient), nil)
	e.clock.Advance(2 * time.Minute)
	wantErr(t, "Verify code two steps old", e.svc.Verify(e.ctx, testAccount, e.code(secret, -60*time.Second), signInClient), errs.ErrInvalidCode)
	wantErr(t, "Verify code two steps ahead", e.svc.Verify(e.ctx, testAccount, e.code(secret, 60*time.Second), signInClient), errs.ErrInvalidCode)
	wantErr(t, "Verify code with spaces", e.svc.Verify(e.ctx, testAccount, " "+e.code(secret, 0)[:3]+" "+e.code(secret, 0)[3:], signInClient), nil)
	for _, bad := range []string{"", "12345", "1234567", "abcdef", strings.Repeat("1", 1000)} {
		wantErr(t, "Verify "+bad, e.svc.Verify(e.ctx, testAccount, bad, signInClient), errs.ErrInvalidCode)
		e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient) // reset the attempt counter
		e.clock.Advance(30 * time.Second)
	}
	wantErr(t, "Verify without 2FA", newEnv(t).svc.Verify(e.ctx, testAccount, "123456", signInClient), twofactor.ErrNotEnabled)
}

func TestLockout(t *testing.T) {
	e := newEnv(t)
	secret, recovery := e.enrolApp()
	wrong := e.code(secret, 10*time.Minute)
	for i := range 5 {
		wantErr(t, "Verify wrong code "+string(rune('1'+i)), e.svc.Verify(e.ctx, testAccount, wrong, signInClient), errs.ErrInvalidCode)
	}
	wantErr(t, "Verify right code when locked", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), twofactor.ErrLocked)
	other := e.service(testKey) // another process sharing the store
	wantErr(t, "Verify in another process when locked", other.Verify(e.ctx, testAccount, recovery[0], signInClient), twofactor.ErrLocked)
	if got, want := e.status().LockedUntil, e.clock.Now().Add(15*time.Minute); !got.Equal(want) {
		t.Errorf("Status.LockedUntil: got %v, want %v", got, want)
	}
	e.clock.Advance(15*time.Minute - time.Second)
	wantErr(t, "Verify just before the lock ends", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), twofactor.ErrLocked)
	e.clock.Advance(time.Second)
	wantErr(t, "Verify when the lock ended", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), nil)
	if got := e.status().LockedUntil; !got.IsZero() {
		t.Errorf("Status.LockedUntil after success: got %v, want zero", got)
	}

	// Four wrong codes and a right one reset the counter.
	e.clock.Advance(30 * time.Second)
	for range 4 {
		wantErr(t, "Verify wrong code", e.svc.Verify(e.ctx, testAccount, wrong, signInClient), errs.ErrInvalidCode)
	}
	wantErr(t, "Verify right code after 4 wrong ones", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), nil)
	wantErr(t, "Verify wrong code after reset", e.svc.Verify(e.ctx, testAccount, wrong, signInClient), errs.ErrInvalidCode)
	e.clock.Advance(30 * time.Second)
	wantErr(t, "Verify still open", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), nil)
}

func TestLockoutConfigurable(t *testing.T) {
	e := newEnv(t)
	e.svc = twofactor.NewService(twofactor.Config{Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: testKey, Now: e.clock.Now, MaxAttempts: 2, LockFor: time.Hour})
	secret, _ := e.enrolApp()
	for range 2 {
		wantErr(t, "Verify wrong code", e.svc.Verify(e.ctx, testAccount, "000000", signInClient), errs.ErrInvalidCode)
	}
	e.clock.Advance(59 * time.Minute)
	wantErr(t, "Verify after 59 minutes", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), twofactor.ErrLocked)
	e.clock.Advance(time.Minute)
	wantErr(t, "Verify after an hour", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), nil)
}

func TestRecoveryCodes(t *testing.T) {
	e := newEnv(t)
	_, recovery := e.enrolApp()
	wantErr(t, "Verify recovery code", e.svc.Verify(e.ctx, testAccount, recovery[0], signInClient), nil)
	wantErr(t, "Verify recovery code again", e.svc.Verify(e.ctx, testAccount, recovery[0], signInClient), errs.ErrInvalidCode)
	typed := strings.ToLower(strings.ReplaceAll(recovery[1], "-", " "))
	wantErr(t, "Verify recovery code typed in lower case with a space", e.svc.Verify(e.ctx, testAccount, typed, signInClient), nil)
	wantErr(t, "Verify made-up recovery code", e.svc.Verify(e.ctx, testAccount, "AAAAA-AAAAA", signInClient), errs.ErrInvalidCode)
	if got := e.status().RecoveryCodesLeft; got != 8 {
		t.Errorf("RecoveryCodesLeft: got %d, want 8", got)
	}
	_, err := e.svc.ConfirmAuthenticator(e.ctx, e.as(testAccount), recovery[2])
	wantErr(t, "ConfirmAuthenticator when enabled", err, twofactor.ErrAlreadyEnabled)
}

func TestSMS(t *testing.T) {
	e := newEnv(t)
	wantErr(t, "BeginSMS with a bad number", e.svc.BeginSMS(e.ctx, e.as(testAccount), "0612345678"), twofactor.ErrInvalidPhone)
	const phone = "+31612345678"
	wantErr(t, "BeginSMS", e.svc.BeginSMS(e.ctx, e.as(testAccount), phone), nil)
	gotPhone, code := e.sms.last()
	if gotPhone != phone || len(code) != 6 {
		t.Fatalf("SMS sent: got %q to %q, want a 6-digit code to %q", code, gotPhone, phone)
	}
	wantErr(t, "BeginSMS again at once", e.svc.BeginSMS(e.ctx, e.as(testAccount), phone), twofactor.ErrTooSoon)
	if st := e.status(); st.Pending != twofactor.MethodSMS || st.PendingPhone != "+31*******78" || st.Phone != "" {
		t.Errorf("status while the SMS enrolment waits: got %+v, want pending sms to +31*******78", st)
	}
	if f, err := e.svc.SignInFactor(e.ctx, testAccount); err != nil || f != (twofactor.SignInFactor{Method: twofactor.MethodNone}) {
		t.Errorf("SignInFactor before the confirmation = %+v, %v; want none", f, err)
	}
	if _, err := e.svc.ConfirmSMS(e.ctx, e.as(testAccount), code); err != nil {
		t.Fatalf("ConfirmSMS: %v", err)
	}
	st := e.status()
	if st.Method != twofactor.MethodSMS || st.Phone != "+31*******78" || st.RecoveryCodesLeft != 10 || st.PendingPhone != "" {
		t.Errorf("status: got %+v, want sms, +31*******78, 10 recovery codes", st)
	}
	if f, err := e.svc.SignInFactor(e.ctx, testAccount); err != nil || f != (twofactor.SignInFactor{Method: twofactor.MethodSMS, Phone: "+31*******78"}) {
		t.Errorf("SignInFactor = %+v, %v; want sms to +31*******78", f, err)
	}
	wantErr(t, "Verify the enrolment code again", e.svc.Verify(e.ctx, testAccount, code, signInClient), errs.ErrInvalidCode)

	wantErr(t, "SendLoginSMS", e.svc.SendLoginSMS(e.ctx, testAccount), nil)
	_, first := e.sms.last()
	e.clock.Advance(29 * time.Second)
	wantErr(t, "SendLoginSMS too soon", e.svc.SendLoginSMS(e.ctx, testAccount), twofactor.ErrTooSoon)
	e.clock.Advance(time.Second)
	wantErr(t, "SendLoginSMS", e.svc.SendLoginSMS(e.ctx, testAccount), nil)
	_, code = e.sms.last()
	if first != code {
		wantErr(t, "Verify a replaced SMS code", e.svc.Verify(e.ctx, testAccount, first, signInClient), errs.ErrInvalidCode)
	}
	wantErr(t, "Verify SMS code", e.svc.Verify(e.ctx, testAccount, code, signInClient), nil)
	wantErr(t, "Verify SMS code again", e.svc.Verify(e.ctx, testAccount, code, signInClient), errs.ErrInvalidCode)

	e.clock.Advance(30 * time.Second)
	wantErr(t, "SendLoginSMS", e.svc.SendLoginSMS(e.ctx, testAccount), nil)
	_, code = e.sms.last()
	e.clock.Advance(10 * time.Minute)
	wantErr(t, "Verify expired SMS code", e.svc.Verify(e.ctx, testAccount, code, signInClient), errs.ErrInvalidCode)
	wantHistory(t, e, history.ActionSet)
}

func TestSMSLockout(t *testing.T) {
	e := newEnv(t)
	wantErr(t, "BeginSMS", e.svc.BeginSMS(e.ctx, e.as(testAccount), "+4915112345678"), nil)
	_, code := e.sms.last()
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for range 5 {
		_, err := e.svc.ConfirmSMS(e.ctx, e.as(testAccount), wrong)
		wantErr(t, "ConfirmSMS with a wrong code", err, errs.ErrInvalidCode)
	}
	_, err := e.svc.ConfirmSMS(e.ctx, e.as(testAccount), code)
	wantErr(t, "ConfirmSMS with the right code when locked", err, twofactor.ErrLocked)
}

func TestSMSUnavailable(t *testing.T) {
	e := newEnv(t)
	svc := twofactor.NewService(twofactor.Config{Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: testKey, Now: e.clock.Now})
	wantErr(t, "BeginSMS without sender", svc.BeginSMS(e.ctx, e.as(testAccount), "+31612345678"), twofactor.ErrSMSUnavailable)
	wantErr(t, "SendLoginSMS without sender", svc.SendLoginSMS(e.ctx, testAccount), twofactor.ErrSMSUnavailable)
	wantErr(t, "SendLoginSMS without SMS method", e.svc.SendLoginSMS(e.ctx, testAccount), twofactor.ErrNotEnabled)
}

// racing runs f in 16 goroutines at once and counts the nil results; the
// others must be errs.ErrInvalidCode or ErrLocked.
func racing(t *testing.T, f func() error) int {
	t.Helper()
	results := make(chan error, 16)
	start := make(chan struct{})
	for range 16 {
		go func() {
			<-start
			results <- f()
		}()
	}
	close(start)
	ok := 0
	for range 16 {
		switch err := <-results; {
		case err == nil:
			ok++
		case !errors.Is(err, errs.ErrInvalidCode) && !errors.Is(err, twofactor.ErrLocked):
			t.Errorf("racing Verify: got %v, want nil, errs.ErrInvalidCode or ErrLocked", err)
		}
	}
	return ok
}

func TestVerifyRace(t *testing.T) {
	e := newEnv(t)
	secret, recovery := e.enrolApp()
	code := e.code(secret, 0)
	if ok := racing(t, func() error { return e.svc.Verify(e.ctx, testAccount, code, signInClient) }); ok != 1 {
		t.Errorf("16 goroutines verifying one TOTP code: %d succeeded, want exactly 1", ok)
	}
	e.clock.Advance(15 * time.Minute) // outlast a lock the race may have set
	if ok := racing(t, func() error { return e.svc.Verify(e.ctx, testAccount, recovery[0], signInClient) }); ok != 1 {
		t.Errorf("16 goroutines verifying one recovery code: %d succeeded, want exactly 1", ok)
	}
}
