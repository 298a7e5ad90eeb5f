// Package verification issues and checks the one-time codes that confirm
// a sign-up, an added account, a password reset or a profile merge.
//
// A code is 6 decimal digits drawn uniformly from crypto/rand. Only an
// HMAC-SHA-256 digest of it is stored, bound to the code's purpose and
// flow, so a database dump reveals no code and a code issued for one flow
// (or one purpose) never confirms another. A code
//
//   - expires after Config.TTL (10 minutes by default);
//   - allows Config.MaxAttempts tries (5); every try is counted in the
//     store before the comparison, and after the last one the code is dead
//     even if the next guess would be right;
//   - is single use: Consume marks it used atomically, so of several
//     concurrent consumers exactly one wins;
//   - dies when a new code is issued for the same purpose and flow.
//
// Sending is throttled per address: at most Config.Burst (3) codes of one
// purpose within Config.Window (10 minutes), each purpose on its own, so
// a merge code right after a sign-up code goes out at once; and at most
// Config.MaxPerHour (5) codes of every purpose in any hour. The
// send log and the attempt counters live in the store, so the limits hold
// across every process that shares the database.
//
// The caller owns the flow. A typical confirmation reads:
//
//	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: mailer, Key: key})
//	err := codes.Issue(ctx, verification.PurposeSignUp, pendingID, "ada@example.com")
//	// later, with what the person typed:
//	err = codes.Redeem(ctx, verification.PurposeSignUp, pendingID, typed, func(ctx context.Context) error {
//		return createTheAccount(ctx) // runs in the same transaction as the consumption
//	})
//
// Every kind of wrong answer (unknown flow, wrong digits, malformed input,
// expired, used, too many attempts) matches errs.ErrInvalidCode; callers that
// face the public should not say more than that.
package verification
