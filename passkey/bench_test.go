package passkey_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/benchcmp"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/passkey/passkeytest"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// BenchmarkFinishSignIn times the server side of a passwordless sign-in,
// passkey.Service.FinishSignIn on the memory store (the ceremony taken
// out of the store, the response parsed, the account found from the user
// handle, the sign-in throttle's two transactions, go-webauthn's checks
// and the signature, the sign count's compare-and-set and the security
// log), against its floor: a bare ECDSA P-256 verification of the same
// signature over the same data (SHA-256 of the authenticator data and of
// the client data's hash). Both are interleaved in chunks of 64 calls
// (benchcmp.Interleaved); the metric finish/ecdsa is their ratio.
func BenchmarkFinishSignIn(b *testing.B) {
	ctx := context.Background()
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, CodeBurst: -1, CodeMaxPerHour: -1,
		Hasher:      password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}}),
		PasskeyRPID: "example.com", PasskeyOrigins: []string{"https://example.com"}, PasskeyCeremonyTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	// The sign-ins are spread over accounts (each its own profile), so
	// that the memory store's security log of one profile, which it
	// copies on each append, stays short as in real use.
	const accounts = 128
	devs := make([]*passkeytest.Authenticator, accounts)
	for k := range devs {
		devs[k] = passkeytest.New("https://example.com")
		me := benchAccount(b, s, k)
		cer, _ := s.Passkeys.BeginRegistration(ctx, me)
		resp, err := devs[k].Create(cer.Options)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Passkeys.FinishRegistration(ctx, me, passkey.RegistrationFinish{CeremonyID: cer.ID, Response: resp}); err != nil {
			b.Fatal(err)
		}
	}
	type prepared struct {
		finish passkey.SignInFinish
		pub    *ecdsa.PublicKey
		digest []byte
		sig    []byte
	}
	all := make([]prepared, b.N)
	for i := range all {
		cer, err := s.Passkeys.BeginSignIn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := devs[i%accounts].Get(cer.Options)
		if err != nil {
			b.Fatal(err)
		}
		d, sig := signedData(b, resp)
		all[i] = prepared{pub: devs[i%accounts].Credentials()[0].PublicKey(), finish: passkey.SignInFinish{CeremonyID: cer.ID, Response: resp, Client: auth.Client{IP: "203.0.113.5"}}, digest: d, sig: sig}
	}
	benchcmp.Interleaved(b, "finish/ecdsa", 64, func(i int) {
		if _, err := s.Passkeys.FinishSignIn(ctx, all[i].finish); err != nil {
			b.Fatal(err)
		}
	}, func(i int) {
		a := all[i]
		var buf [64]byte
		h := sha256.Sum256(append(buf[:0], a.digest...))
		if !ecdsa.VerifyASN1(a.pub, h[:], a.sig) {
			b.Fatal("signature does not verify")
		}
	})
}

// signedData returns what an assertion's signature covers, the
// authenticator data followed by the SHA-256 of the client data, and the
// signature.
func signedData(b *testing.B, resp []byte) ([]byte, []byte) {
	var r struct {
		Response struct {
			ClientDataJSON    string `json:"clientDataJSON"`
			AuthenticatorData string `json:"authenticatorData"`
			Signature         string `json:"signature"`
		} `json:"response"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		b.Fatal(err)
	}
	dec := base64.RawURLEncoding.DecodeString
	cd, err1 := dec(r.Response.ClientDataJSON)
	ad, err2 := dec(r.Response.AuthenticatorData)
	sig, err3 := dec(r.Response.Signature)
	if err1 != nil || err2 != nil || err3 != nil {
		b.Fatal("malformed assertion")
	}
	h := sha256.Sum256(cd)
	return append(ad, h[:]...), sig
}

// benchAccount signs up an account and returns a fresh caller of a
// session of it.
func benchAccount(b *testing.B, s *usersettings.Settings, k int) auth.Caller {
	ctx := context.Background()
	email := fmt.Sprintf("ada%d@example.com", k)
	pending, err := s.Accounts.SignUp(ctx, email, "Correct-Horse-9-Battery", false)
	if err != nil {
		b.Fatal(err)
	}
	m, _ := s.Outbox.Last(email)
	a, err := s.Accounts.ConfirmSignUp(ctx, pending, usersettingstest.MailCode(b, "sign-up", m.Body))
	if err != nil {
		b.Fatal(err)
	}
	ses, _, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword})
	if err != nil {
		b.Fatal(err)
	}
	return ses.Caller()
}
