package passkey

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// Ceremony is a begun WebAuthn ceremony: what the front end hands to the
// browser, and the handle that finishes it.
type Ceremony struct {
	// ID names the ceremony at its finish. It is a secret of 43
	// base64url characters; the store keeps only its SHA-256. A sign-in or
	// second-factor ceremony has no session to be bound to, so the ID is
	// the binding: keep it in an HttpOnly, SameSite cookie that lives
	// until ExpiresAt, never in the page. A registration or
	// re-authentication is bound to the caller's session as well.
	ID string `json:"-"`
	// Options is the WebAuthn options as JSON, {"publicKey": {…}}, with
	// binary fields in base64url: the argument of
	// navigator.credentials.create or get once the page has decoded them
	// (PublicKeyCredential.parseCreationOptionsFromJSON or
	// parseRequestOptionsFromJSON of the "publicKey" member).
	Options json.RawMessage `json:"options"`
	// ExpiresAt is when the ceremony can no longer be finished.
	ExpiresAt time.Time `json:"expires_at"`
}

// String describes the ceremony without its ID.
func (c Ceremony) String() string {
	return "passkey.Ceremony{expires=" + c.ExpiresAt.UTC().Format(time.RFC3339) + "}"
}

// GoString is String.
func (c Ceremony) GoString() string { return c.String() }

// idBytes is the number of random bytes of a ceremony ID.
const idBytes = 32

// challenge returns a new challenge from the service's randomness.
func (s *Service) challenge() ([]byte, error) {
	c := make([]byte, 32)
	if _, err := io.ReadFull(s.rand, c); err != nil {
		return nil, fmt.Errorf("passkey: reading randomness: %w", err)
	}
	return c, nil
}

// save stores the WebAuthn session data of a ceremony of kind for the
// account and session (either may be empty) and returns the ceremony
// with the options.
func (s *Service) save(ctx context.Context, kind Kind, accountID, sessionID string, data *webauthn.SessionData, options any) (Ceremony, error) {
	raw := make([]byte, idBytes)
	if _, err := io.ReadFull(s.rand, raw); err != nil {
		return Ceremony{}, fmt.Errorf("passkey: reading randomness: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	sd, err := json.Marshal(data)
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkey: encoding the ceremony: %w", err)
	}
	opts, err := json.Marshal(options)
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkey: encoding the options: %w", err)
	}
	now := s.now().UTC()
	rec := CeremonyRecord{Digest: DigestOf(id), Kind: kind, AccountID: accountID, SessionID: sessionID, Data: sd,
		CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	if err := s.store.CreatePasskeyCeremony(ctx, rec); err != nil {
		return Ceremony{}, fmt.Errorf("passkey: storing the ceremony: %w", err)
	}
	return Ceremony{ID: id, Options: opts, ExpiresAt: rec.ExpiresAt}, nil
}

// consume takes the ceremony id out of the store, once, and returns its
// record and session data. An unknown or used ID, one of another kind,
// and one past its expiry are ErrCeremonyExpired.
func (s *Service) consume(ctx context.Context, id string, kind Kind) (CeremonyRecord, webauthn.SessionData, error) {
	rec, err := s.store.ConsumePasskeyCeremony(ctx, DigestOf(id))
	if errors.Is(err, storage.ErrNotFound) {
		return CeremonyRecord{}, webauthn.SessionData{}, ErrCeremonyExpired
	}
	if err != nil {
		return CeremonyRecord{}, webauthn.SessionData{}, fmt.Errorf("passkey: consuming the ceremony: %w", err)
	}
	if rec.Kind != kind || !s.now().Before(rec.ExpiresAt) {
		return CeremonyRecord{}, webauthn.SessionData{}, ErrCeremonyExpired
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal(rec.Data, &sd); err != nil {
		return CeremonyRecord{}, webauthn.SessionData{}, fmt.Errorf("passkey: decoding the ceremony: %w", err)
	}
	return rec, sd, nil
}

// DeleteExpiredCeremonies deletes the ceremonies that expired unfinished
// and returns how many; usersettings.Settings.Cleanup runs it.
func (s *Service) DeleteExpiredCeremonies(ctx context.Context) (int, error) {
	n, err := s.store.DeletePasskeyCeremoniesBefore(ctx, s.now())
	if err != nil {
		return n, fmt.Errorf("passkey: deleting expired ceremonies: %w", err)
	}
	return n, nil
}

// user is an account as go-webauthn sees it.
type user struct {
	handle []byte
	name   string
	keys   []Passkey
}

func (u *user) WebAuthnID() []byte          { return u.handle }
func (u *user) WebAuthnName() string        { return u.name }
func (u *user) WebAuthnDisplayName() string { return u.name }
func (u *user) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(u.keys))
	for i, p := range u.keys {
		out[i] = credentialOf(p)
	}
	return out
}

// credentialOf returns the go-webauthn credential of a stored passkey.
func credentialOf(p Passkey) webauthn.Credential {
	tr := make([]protocol.AuthenticatorTransport, len(p.Transports))
	for i, t := range p.Transports {
		tr[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID: p.CredentialID, PublicKey: p.PublicKey, AttestationFormat: p.AttestationFormat, Transport: tr,
		Flags:         webauthn.CredentialFlags{UserPresent: true, BackupEligible: p.BackupEligible, BackupState: p.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: aaguidBytes(p.AAGUID), SignCount: p.SignCount},
	}
}

// handleBytes is the length of a new user handle.
const handleBytes = 32

// userOf returns the account's WebAuthn user: its passkeys and their
// user handle, or a new random handle when it has none yet.
func (s *Service) userOf(ctx context.Context, accountID, name string) (*user, error) {
	keys, err := s.store.PasskeysOfAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("passkey: listing passkeys: %w", err)
	}
	u := &user{name: name, keys: keys}
	if len(keys) > 0 {
		u.handle = keys[0].UserHandle
		return u, nil
	}
	u.handle = make([]byte, handleBytes)
	if _, err := io.ReadFull(s.rand, u.handle); err != nil {
		return nil, fmt.Errorf("passkey: reading randomness: %w", err)
	}
	return u, nil
}
