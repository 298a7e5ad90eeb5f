// Package passkeytest is a software WebAuthn authenticator for tests: it
// answers the options of package passkey's ceremonies as a browser with
// a platform authenticator would, with ECDSA P-256 credentials and
// "none" attestation, so that tests drive registration, sign-in, second
// factor and re-authentication through the service API without a
// browser. Its knobs (Origin, RPID, UserVerified, a sign count set back)
// make the responses a test wants refused.
//
// It is for tests only: its keys live in memory, unprotected.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// AAGUID is the authenticator model the Authenticator reports.
var AAGUID = [16]byte{0x70, 0x61, 0x73, 0x73, 0x6b, 0x65, 0x79, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x00, 0x00, 0x01}

// Authenticator is a software authenticator with discoverable
// credentials, as a browser on one origin presents it. Its exported
// fields may be changed between calls; it is safe for concurrent use.
type Authenticator struct {
	// Origin is the origin the "browser" reports in the client data,
	// such as "https://example.com".
	Origin string
	// RPID is the relying party whose hash goes in the authenticator
	// data; empty means the rpId of the options.
	RPID string
	// UserVerified sets the UV flag (the person gave a PIN or a
	// biometric); New sets it.
	UserVerified bool
	// BackupEligible sets the BE and BS flags (a synced passkey).
	BackupEligible bool
	// Rand is the source of keys and credential IDs; nil means
	// crypto/rand.
	Rand io.Reader

	mu    sync.Mutex
	creds []*Credential
}

// Credential is one credential the Authenticator holds.
type Credential struct {
	ID         []byte
	UserHandle []byte
	RPID       string
	// SignCount is the counter the next assertion reports, plus one.
	SignCount uint32
	key       *ecdsa.PrivateKey
}

// PublicKey returns the credential's public key.
func (c *Credential) PublicKey() *ecdsa.PublicKey { return &c.key.PublicKey }

// New returns an authenticator on origin that verifies its user.
func New(origin string) *Authenticator {
	return &Authenticator{Origin: origin, UserVerified: true}
}

// Credentials returns the credentials held, oldest first.
func (a *Authenticator) Credentials() []*Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*Credential(nil), a.creds...)
}

// Clone returns an authenticator on the same origin that holds copies of
// a's credentials, with their keys and counters: a cloned authenticator.
func (a *Authenticator) Clone() *Authenticator {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := &Authenticator{Origin: a.Origin, RPID: a.RPID, UserVerified: a.UserVerified, BackupEligible: a.BackupEligible, Rand: a.Rand}
	for _, c := range a.creds {
		cp := *c
		b.creds = append(b.creds, &cp)
	}
	return b
}

// Import adds a credential of another authenticator (another device of
// a person, or of another person) to a.
func (a *Authenticator) Import(c *Credential) {
	a.mu.Lock()
	defer a.mu.Unlock()
	cp := *c
	a.creds = append(a.creds, &cp)
}

func (a *Authenticator) rand() io.Reader {
	if a.Rand != nil {
		return a.Rand
	}
	return rand.Reader
}

// creationOptions is what Create reads of the options.
type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		ExcludeCredentials []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
	} `json:"publicKey"`
}

// requestOptions is what Get reads of the options.
type requestOptions struct {
	PublicKey struct {
		Challenge        string `json:"challenge"`
		RPID             string `json:"rpId"`
		AllowCredentials []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

var b64 = base64.RawURLEncoding

// Create answers registration options (passkey.Ceremony.Options) with a
// new credential: the JSON of the PublicKeyCredential a browser returns.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: creation options: %w", err)
	}
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		return nil, fmt.Errorf("passkeytest: user id: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), a.rand())
	if err != nil {
		return nil, err
	}
	id := make([]byte, 32)
	if _, err := io.ReadFull(a.rand(), id); err != nil {
		return nil, err
	}
	rpID := o.PublicKey.RP.ID
	c := &Credential{ID: id, UserHandle: handle, RPID: rpID, key: key}
	cose, err := coseKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	auth := a.authData(rpID, 0x40, 0)
	auth = append(auth, AAGUID[:]...)
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(id)))
	auth = append(auth, id...)
	auth = append(auth, cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return nil, err
	}
	cd, err := a.clientData("webauthn.create", o.PublicKey.Challenge)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.creds = append(a.creds, c)
	a.mu.Unlock()
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(id), "rawId": b64.EncodeToString(id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att),
			"transports": []string{"internal", "hybrid"},
		},
	})
}

// Get answers request options with an assertion of the first allowed
// credential it holds, or, when the options allow any (a discoverable
// sign-in), of its newest credential for the relying party.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	a.mu.Lock()
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		a.mu.Unlock()
		return nil, fmt.Errorf("passkeytest: request options: %w", err)
	}
	var c *Credential
	for i := len(a.creds) - 1; i >= 0; i-- {
		cr := a.creds[i]
		if cr.RPID != o.PublicKey.RPID {
			continue
		}
		if len(o.PublicKey.AllowCredentials) == 0 {
			c = cr
			break
		}
		for _, al := range o.PublicKey.AllowCredentials {
			if al.ID == b64.EncodeToString(cr.ID) {
				c = cr
			}
		}
		if c != nil {
			break
		}
	}
	a.mu.Unlock()
	if c == nil {
		return nil, errors.New("passkeytest: no credential for these options")
	}
	return a.Assert(c, o.PublicKey.Challenge)
}

// Assert returns an assertion of the credential c for the challenge (in
// base64url, as the options carry it), counting c's sign count up.
func (a *Authenticator) Assert(c *Credential, challenge string) ([]byte, error) {
	a.mu.Lock()
	c.SignCount++
	count := c.SignCount
	a.mu.Unlock()
	auth := a.authData(c.RPID, 0, count)
	cd, err := a.clientData("webauthn.get", challenge)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte(nil), auth...), h[:]...))
	sig, err := ecdsa.SignASN1(a.rand(), c.key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(auth),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(c.UserHandle),
		},
	})
}

// authData returns the authenticator data's fixed part: the relying
// party's hash, the flags (UP, and UV, BE, BS as set, with extra) and
// the sign count.
func (a *Authenticator) authData(rpID string, extra byte, count uint32) []byte {
	if a.RPID != "" {
		rpID = a.RPID
	}
	h := sha256.Sum256([]byte(rpID))
	flags := byte(0x01) | extra
	if a.UserVerified {
		flags |= 0x04
	}
	if a.BackupEligible {
		flags |= 0x08 | 0x10
	}
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, count)
}

// clientData returns the client data JSON the browser signs over.
func (a *Authenticator) clientData(typ, challenge string) ([]byte, error) {
	return json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
}

// coseKey returns the COSE_Key (EC2, ES256, P-256) of k.
func coseKey(k *ecdsa.PublicKey) ([]byte, error) {
	raw, err := k.Bytes()
	if err != nil {
		return nil, err
	}
	em, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	return em.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
}
