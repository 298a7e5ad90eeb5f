package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"
)

// Sealed cookies carry what one page hands to the next across a
// redirect (POST/redirect/GET) without a server-side store and without a
// URL: a secret shown once, a form to finish after re-authentication.
// Each is encrypted and authenticated (AES-256-GCM) under a key derived
// from the server key (WithKey) for its purpose, bound to the session it
// was made for, and expires.

// Purposes of sealed cookies: each has its own key.
const (
	sealNewSecret = "new-secret"
	sealReplay    = "replay"
)

// sealed is the plaintext of a sealed cookie.
type sealed struct {
	Expires int64           `json:"exp"`
	Value   json.RawMessage `json:"v"`
}

// aead returns the cipher of a purpose.
func (w *Web) aead(purpose string) cipher.AEAD {
	m := hmac.New(sha256.New, w.key)
	m.Write([]byte("settingsd web seal v1|" + purpose))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		panic("web: " + err.Error()) // a 32-byte key always makes a cipher
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic("web: " + err.Error())
	}
	return g
}

// seal encrypts v for the purpose, bound to bind (a session ID), until
// ttl from now.
func (w *Web) seal(purpose, bind string, v any, ttl time.Duration) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(sealed{Expires: w.now().Add(ttl).Unix(), Value: raw})
	if err != nil {
		return "", err
	}
	g := w.aead(purpose)
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(g.Seal(nonce, nonce, plain, []byte(bind))), nil
}

// unseal opens what seal made for the purpose and bind into v, and
// reports whether it was genuine and unexpired.
func (w *Web) unseal(purpose, bind, s string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	g := w.aead(purpose)
	if err != nil || len(b) < g.NonceSize() {
		return false
	}
	plain, err := g.Open(nil, b[:g.NonceSize()], b[g.NonceSize():], []byte(bind))
	if err != nil {
		return false
	}
	var sd sealed
	if json.Unmarshal(plain, &sd) != nil || !w.now().Before(time.Unix(sd.Expires, 0)) {
		return false
	}
	return json.Unmarshal(sd.Value, v) == nil
}
