package errs_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	usersettings "github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/seal"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	tok "github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// sdkErrors holds every exported error variable (Err…) and error type
// (…Error) of the SDK's packages outside examples/, by "dir.Name" (dir
// relative to the module root, "usersettings" for the root package): the variable
// itself, or a zero value of the type. TestEveryErrorHasAKindAndACode
// fails when the source declares one that is missing here.
var sdkErrors = map[string]error{
	"usersettings.ErrWeakKey":           usersettings.ErrWeakKey,
	"usersettings.ErrInvalidSupportURL": usersettings.ErrInvalidSupportURL,

	"errs.ErrInvalidCode": errs.ErrInvalidCode,
	"errs.ErrUnavailable": errs.ErrUnavailable,

	"auth.ErrReauthenticationRequired": auth.ErrReauthenticationRequired,
	"auth.ErrForbidden":                auth.ErrForbidden,
	"auth.ErrInvalidCaller":            auth.ErrInvalidCaller,

	"storage.ErrNotFound": storage.ErrNotFound,
	"storage.ErrConflict": storage.ErrConflict,

	"storage/sqlstore.ErrSchemaTooNew":    sqlstore.ErrSchemaTooNew,
	"storage/sqlstore.ErrDirtySchema":     sqlstore.ErrDirtySchema,
	"storage/sqlstore.ErrLegacySchema":    sqlstore.ErrLegacySchema,
	"storage/sqlstore.ErrUnsafeHandle":    sqlstore.ErrUnsafeHandle,
	"storage/sqlstore.ErrNotMigrated":     sqlstore.ErrNotMigrated,
	"internal/seal.ErrOpen":               seal.ErrOpen,
	"account/password.ErrTooLong":         password.ErrTooLong,
	"account/password.ErrMalformedHash":   password.ErrMalformedHash,
	"account/password.ErrUnsupportedHash": password.ErrUnsupportedHash,
	"account/password.ErrHashParams":      password.ErrHashParams,
	"account/password.ErrPolicy":          password.ErrPolicy,
	"account/password.ParamsError":        &password.ParamsError{},
	"account/password.PolicyError":        &password.PolicyError{},

	"account.ErrInvalidCredentials":  account.ErrInvalidCredentials,
	"account.ErrWrongPassword":       account.ErrWrongPassword,
	"account.ErrSSORequired":         account.ErrSSORequired,
	"account.ErrSSOManaged":          account.ErrSSOManaged,
	"account.ErrSSOLinked":           account.ErrSSOLinked,
	"account.ErrEmailTaken":          account.ErrEmailTaken,
	"account.ErrPasswordReused":      account.ErrPasswordReused,
	"account.ErrNotFound":            account.ErrNotFound,
	"account.ErrThrottled":           account.ErrThrottled,
	"account.ErrInvalidEmail":        account.ErrInvalidEmail,
	"account.ErrRecoveryUnavailable": account.ErrRecoveryUnavailable,
	"account.ErrEmailUnchanged":      account.ErrEmailUnchanged,
	"account.ErrAttemptSettled":      account.ErrAttemptSettled,
	"account.ErrNoErasure":           account.ErrNoErasure,
	"account.ErrInvalidPasswordHash": account.ErrInvalidPasswordHash,
	"account.ErrPendingExpired":      account.ErrPendingExpired,
	"auth.ErrPasswordExpired":        auth.ErrPasswordExpired,
	"session.ErrInvalidHostSession":  session.ErrInvalidHostSession,
	"token.ErrInvalidScheme":         tok.ErrInvalidScheme,

	"account/twofactor.ErrLocked":          twofactor.ErrLocked,
	"account/twofactor.ErrInvalidPassword": twofactor.ErrInvalidPassword,
	"account/twofactor.ErrNotEnabled":      twofactor.ErrNotEnabled,
	"account/twofactor.ErrAlreadyEnabled":  twofactor.ErrAlreadyEnabled,
	"account/twofactor.ErrNoEnrollment":    twofactor.ErrNoEnrollment,
	"account/twofactor.ErrInvalidPhone":    twofactor.ErrInvalidPhone,
	"account/twofactor.ErrSMSUnavailable":  twofactor.ErrSMSUnavailable,
	"account/twofactor.ErrTooSoon":         twofactor.ErrTooSoon,
	"account/twofactor.ErrSSOManaged":      twofactor.ErrSSOManaged,
	"account/twofactor.ErrUnknownAccount":  twofactor.ErrUnknownAccount,

	"account/sso.ErrUnknownConnection":   sso.ErrUnknownConnection,
	"account/sso.ErrDomainTaken":         sso.ErrDomainTaken,
	"account/sso.ErrNotConfigured":       sso.ErrNotConfigured,
	"account/sso.ErrInvalidReturnTo":     sso.ErrInvalidReturnTo,
	"account/sso.ErrInvalidEmail":        sso.ErrInvalidEmail,
	"account/sso.ErrInvalidState":        sso.ErrInvalidState,
	"account/sso.ErrNotBound":            sso.ErrNotBound,
	"account/sso.ErrProviderError":       sso.ErrProviderError,
	"account/sso.ErrProviderUnavailable": sso.ErrProviderUnavailable,
	"account/sso.ErrExchange":            sso.ErrExchange,
	"account/sso.ErrInvalidIDToken":      sso.ErrInvalidIDToken,
	"account/sso.ErrNonce":               sso.ErrNonce,
	"account/sso.ErrClaims":              sso.ErrClaims,
	"account/sso.ErrEmailDomain":         sso.ErrEmailDomain,
	"account/sso.ErrEmailNotVerified":    sso.ErrEmailNotVerified,
	"account/sso.ErrLinkRefused":         sso.ErrLinkRefused,
	"account/sso.ErrIdentityMismatch":    sso.ErrIdentityMismatch,
	"account/sso.ErrAccountInactive":     sso.ErrAccountInactive,
	"account/sso.ErrInvalidLogoutToken":  sso.ErrInvalidLogoutToken,
	"account/sso.ErrInvalidConnection":   sso.ErrInvalidConnection,
	"account/sso.ConnectionError":        &sso.ConnectionError{},

	"verification.ErrThrottled":       verification.ErrThrottled,
	"verification.ErrMissingArgument": verification.ErrMissingArgument,
	"verification.ErrCodeExpired":     verification.ErrCodeExpired,
	"verification.ErrTooManyAttempts": verification.ErrTooManyAttempts,
	"verification.ErrCodeUsed":        verification.ErrCodeUsed,

	"token.ErrInvalidToken":       tok.ErrInvalidToken,
	"token.ErrInvalidName":        tok.ErrInvalidName,
	"token.ErrNameTaken":          tok.ErrNameTaken,
	"token.ErrInvalidDescription": tok.ErrInvalidDescription,
	"token.ErrNoScope":            tok.ErrNoScope,
	"token.ErrInvalidScope":       tok.ErrInvalidScope,
	"token.ErrScopeExists":        tok.ErrScopeExists,
	"token.ErrAccountInactive":    tok.ErrAccountInactive,
	"token.ErrInvalidExpiry":      tok.ErrInvalidExpiry,
	"token.ErrUnknownScope":       tok.ErrUnknownScope,
	"token.UnknownScopeError":     &tok.UnknownScopeError{},

	"merge.ErrFlowNotFound":   merge.ErrFlowNotFound,
	"merge.ErrFlowExpired":    merge.ErrFlowExpired,
	"merge.ErrFlowInvalid":    merge.ErrFlowInvalid,
	"merge.ErrProfileChanged": merge.ErrProfileChanged,
	"merge.ErrSameProfile":    merge.ErrSameProfile,
	"merge.ErrInactive":       merge.ErrInactive,
	"merge.ErrInvalidEmail":   merge.ErrInvalidEmail,
	"merge.ErrInvalidChoice":  merge.ErrInvalidChoice,
	"merge.ErrTooManyStarts":  merge.ErrTooManyStarts,

	"passkey.ErrUnavailable":       passkey.ErrUnavailable,
	"passkey.ErrCeremonyExpired":   passkey.ErrCeremonyExpired,
	"passkey.ErrInvalidResponse":   passkey.ErrInvalidResponse,
	"passkey.ErrInvalidName":       passkey.ErrInvalidName,
	"passkey.ErrLimitReached":      passkey.ErrLimitReached,
	"passkey.ErrAlreadyRegistered": passkey.ErrAlreadyRegistered,
	"passkey.ErrNoPasskey":         passkey.ErrNoPasskey,
	"passkey.ErrNotFound":          passkey.ErrNotFound,
	"passkey.LimitError":           &passkey.LimitError{Max: 10},

	"profile.ErrRecoveryUnavailable": profile.ErrRecoveryUnavailable,
	"profile.ErrInvalid":             profile.ErrInvalid,
	"profile.ErrChanged":             profile.ErrChanged,
	"profile.ErrIncomplete":          profile.ErrIncomplete,
	"profile.ErrNotFound":            profile.ErrNotFound,
	"profile.ValidationError":        &profile.ValidationError{},
	"profile.IncompleteError":        &profile.IncompleteError{},

	"session.ErrInvalidSession":       session.ErrInvalidSession,
	"session.ErrNotFound":             session.ErrNotFound,
	"session.ErrInvalidMethod":        session.ErrInvalidMethod,
	"session.ErrSecondFactorRequired": session.ErrSecondFactorRequired,
	"session.ErrNotConfigured":        session.ErrNotConfigured,

	"securitylog.ErrInvalidCursor": securitylog.ErrInvalidCursor,
	"personaldata.ErrNotFound":     personaldata.ErrNotFound,

	"notify.ErrHeaderInjection":    notify.ErrHeaderInjection,
	"notify.ErrInvalidAddress":     notify.ErrInvalidAddress,
	"notify.ErrInvalidInput":       notify.ErrInvalidInput,
	"notify.ErrUnknownPurpose":     notify.ErrUnknownPurpose,
	"notify.ErrUnknownNotice":      notify.ErrUnknownNotice,
	"notify.ErrInvalidCodeMessage": notify.ErrInvalidCodeMessage,
	"notify.ErrTLSRequired":        notify.ErrTLSRequired,
	"notify.ErrAuthUnsupported":    notify.ErrAuthUnsupported,
	"notify.ErrUndelivered":        notify.ErrUndelivered,
	"notify.ErrNoticeNotSent":      notify.ErrNoticeNotSent,
	"notify.InputError":            &notify.InputError{},
	"notify.DeliveryError":         &notify.DeliveryError{},
	"notify.NoticeError":           &notify.NoticeError{},
}

// internalErrors are the errors of kind Internal on purpose: mistakes of
// the host (configuration, a programming error) or of the data below the
// SDK, which no caller of a service can mend.
var internalErrors = []string{
	"usersettings.ErrWeakKey", "usersettings.ErrInvalidSupportURL", "auth.ErrInvalidCaller", "account.ErrAttemptSettled", "account.ErrNoErasure", "internal/seal.ErrOpen",
	"storage/sqlstore.ErrSchemaTooNew", "storage/sqlstore.ErrDirtySchema", "storage/sqlstore.ErrLegacySchema",
	"storage/sqlstore.ErrUnsafeHandle", "storage/sqlstore.ErrNotMigrated",
	"account/password.ErrTooLong", "account/password.ErrMalformedHash", "account/password.ErrUnsupportedHash",
	"account/password.ErrHashParams", "account/password.ParamsError",
	"account.ErrRecoveryUnavailable", "profile.ErrRecoveryUnavailable",
	"verification.ErrMissingArgument", "session.ErrInvalidMethod", "session.ErrNotConfigured",
	"notify.ErrUnknownPurpose", "notify.ErrUnknownNotice", "notify.ErrInvalidCodeMessage",
	"notify.ErrTLSRequired", "notify.ErrAuthUnsupported",
}

// notChecked are the declarations the walk finds but does not check:
// the vocabulary's own types, whose zero values are no error of the SDK.
var notChecked = []string{"errs.Error", "errs.RetryError"}

func TestEveryErrorHasAKindAndACode(t *testing.T) {
	found := declaredErrors(t, "..")
	if len(found) < 100 {
		t.Fatalf("found only %d error declarations: is the walk looking at the module?", len(found))
	}
	for _, name := range found {
		if slices.Contains(notChecked, name) {
			continue
		}
		err, ok := sdkErrors[name]
		if !ok {
			t.Errorf("%s is declared but missing from sdkErrors: add it, with its kind and code", name)
			continue
		}
		checkError(t, name, err)
	}
	for name := range sdkErrors {
		if !slices.Contains(found, name) {
			t.Errorf("sdkErrors names %s, which the source does not declare", name)
		}
	}
}

// checkError checks that err is of the vocabulary: one kind under
// errors.Is, Internal only when listed, and a code of its own.
func checkError(t *testing.T, name string, err error) {
	t.Helper()
	e := errs.As(err)
	if e == nil || errs.CodeOf(err) == "" {
		t.Errorf("%s (%v) has no *errs.Error in its chain, so no code", name, err)
		return
	}
	if e.Code == "" {
		t.Errorf("%s: its *errs.Error has no code", name)
	}
	k := errs.KindOf(err)
	if (k == errs.Internal) != slices.Contains(internalErrors, name) {
		t.Errorf("%s: kind %v, but internalErrors says otherwise", name, k)
	}
	var kinds []errs.Kind
	for _, k := range errs.Kinds {
		if errors.Is(err, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 || kinds[0] != k {
		t.Errorf("%s matches the kinds %v under errors.Is, want exactly [%v]", name, kinds, k)
	}
}

// declaredErrors parses every package under root but examples/ and
// returns its exported error variables (Err…) and error types (…Error)
// as "dir.Name".
func declaredErrors(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "examples" || rel == "scripts" || rel == "docs" || strings.HasPrefix(d.Name(), ".") && rel != "." ||
				d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		if dir == "." {
			dir = "usersettings"
		}
		for _, name := range errorNames(f) {
			out = append(out, dir+"."+name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// errorNames returns the exported package-level Err… variables and …Error
// types of f.
func errorNames(f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range g.Specs {
			switch s := spec.(type) {
			case *ast.ValueSpec:
				if g.Tok != token.VAR {
					continue
				}
				for _, n := range s.Names {
					if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
						out = append(out, n.Name)
					}
				}
			case *ast.TypeSpec:
				if s.Name.IsExported() && strings.HasSuffix(s.Name.Name, "Error") {
					out = append(out, s.Name.Name)
				}
			}
		}
	}
	return out
}
