// Package id makes random identifiers for stored records.
package id

import (
	"encoding/base32"
	"fmt"
	"io"
)

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns prefix followed by 128 random bits from r, base32-encoded in
// lower case (26 characters), for example "prf_…".
func New(r io.Reader, prefix string) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("id: reading randomness: %w", err)
	}
	return prefix + enc.EncodeToString(b[:]), nil
}
