package account

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
)

// A device token says that a browser signed in to an account before
// (OWASP's "device cookie"): it is
//
//	base64url(version | issued at | nonce | account id) "." base64url(HMAC-SHA-256)
//
// signed with the first of the device keys and checked against each of
// them, so the keys rotate by putting a new one first. It holds no
// secret of the account; what makes it worth anything is the MAC.
const (
	deviceVersion  = 1
	deviceNonceLen = 16
	// deviceHeader is the version, the issue time and the nonce.
	deviceHeader = 1 + 8 + deviceNonceLen
	// maxDeviceToken bounds the tokens worth parsing.
	maxDeviceToken = 512
)

// devices issues and opens device tokens.
type devices struct {
	keys [][]byte
	ttl  time.Duration
	rand io.Reader
}

// issue returns a new device token of the account.
func (d *devices) issue(accountID string, now time.Time) (string, error) {
	p := make([]byte, deviceHeader, deviceHeader+len(accountID))
	p[0] = deviceVersion
	binary.BigEndian.PutUint64(p[1:9], uint64(now.Unix()))
	if _, err := io.ReadFull(d.rand, p[9:deviceHeader]); err != nil {
		return "", fmt.Errorf("account: reading randomness: %w", err)
	}
	p = append(p, accountID...)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(p) + "." + enc.EncodeToString(deviceMAC(d.keys[0], p)), nil
}

// open returns the account and the nonce of a device token that one of
// the keys signed and that is neither expired nor issued in the future;
// ok is false for anything else.
func (d *devices) open(token string, now time.Time) (accountID, nonce string, ok bool) {
	if token == "" || len(token) > maxDeviceToken {
		return "", "", false
	}
	body, sig, found := strings.Cut(token, ".")
	enc := base64.RawURLEncoding
	p, err1 := enc.DecodeString(body)
	mac, err2 := enc.DecodeString(sig)
	if !found || err1 != nil || err2 != nil || len(p) <= deviceHeader || p[0] != deviceVersion {
		return "", "", false
	}
	good := false
	for _, k := range d.keys { // every key, so the time does not tell which
		good = hmac.Equal(deviceMAC(k, p), mac) || good
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(p[1:9])), 0)
	if !good || issued.After(now.Add(time.Minute)) || !now.Before(issued.Add(d.ttl)) {
		return "", "", false
	}
	return string(p[deviceHeader:]), enc.EncodeToString(p[9:deviceHeader]), true
}

// deviceMAC returns HMAC-SHA-256(key, "usersettings/account/device" | p).
func deviceMAC(key, p []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("usersettings/account/device\x00"))
	m.Write(p)
	return m.Sum(nil)
}
