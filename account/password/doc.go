// Package password holds the password rules of the usersettings SDK: the
// policy a new password must meet, and the hashing that stores it.
//
// It is pure: the standard library and golang.org/x/crypto only, no store,
// no clock. The account service uses it; a host can use it directly too.
//
// # Policy
//
// Start from a preset and tune it:
//
//	p := password.Mendix()       // 12–200 code points, upper, lower, digit, special; 90-day maximum age
//	p.RejectCommon = true        // optional: refuse the 30,000 most common passwords
//	p.RejectEmailLocalPart = true // optional: refuse passwords containing "jane" for jane@example.com
//	if err := p.CheckFor(pw, email); err != nil {
//		var pe *password.PolicyError
//		if errors.As(err, &pe) {
//			// pe.Violations lists every broken rule: too_short, no_digit, ...
//		}
//	}
//
// [NIST] is the standards-aligned alternative: at least 15 code points, no
// composition rules, no expiry.
//
// Lengths are counted in Unicode code points (é and 🔑 count as one each).
// A password is never trimmed, truncated or normalised: what the user typed
// is what is checked and hashed. Input that is not valid UTF-8 is rejected
// with the [InvalidUTF8] violation. Input longer than [MaxBytes] bytes is
// rejected as [TooLong] before any other work.
//
// # Hashing
//
// A [Hasher] turns a password into an argon2id PHC string
// ($argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, the OWASP parameters by
// default) and verifies passwords against such strings and against bcrypt
// and scrypt hashes imported from another system (CheckHash checks one
// without hashing):
//
//	h := password.DefaultHasher()
//	encoded, err := h.Hash(ctx, pw)
//	ok, rehash, err := h.Verify(ctx, pw, encoded)
//	if ok && rehash {
//		// old parameters, bcrypt or scrypt: store a fresh h.Hash(ctx, pw)
//	}
//
// For an unknown account, call [Hasher.VerifyDummy] so that the answer takes
// as long as for a wrong password. The parameters of a stored hash are
// bounded before any work ([ErrHashParams]), bcrypt's 72-byte limit is
// enforced rather than silently truncating, and at most
// HasherConfig.MaxConcurrent hashes run at once.
package password
