// Package merge merges two Mendix Profiles of one person into one.
//
// A person signed in with one account merges another profile of theirs
// into the signed-in account's profile. The Service runs the flow:
//
//  1. Start names an address of an account of the other profile and
//     returns the masked addresses ("j***@example.com") that may receive a
//     code: the login emails of the other profile's accounts and its
//     recovery email. An address that belongs to nobody gets an answer of
//     the same shape (no account enumeration); such a flow never sends a
//     code and can never complete.
//  2. SendCode mails a 6-digit code, through package verification (expiry,
//     attempt cap, single use, throttling), bound to this flow, to one of
//     those addresses and nowhere else.
//  3. Verify consumes the code and returns a Preview: the fields kept and
//     discarded, what is combined (points, achievements, certifications,
//     Academy progress, skills, watched apps) and what is not merged
//     (credits stay on the accounts that earned them).
//  4. Commit merges in one transaction and then mails every account of
//     the merged profile a notice.
//
// Every step checks that the signed-in account is active, that the flow
// belongs to it (someone else's flow is ErrFlowNotFound, like an unknown
// one), that the flow is in the right state (started → code_sent →
// verified → done) and that it has not expired (Config.FlowTTL, 30 minutes
// by default).
//
//	svc := merge.NewService(merge.Config{Accounts: st, Profiles: st, ProfileData: st,
//		History: st, Notify: st, Flows: st, Expired: st, Tx: st, Codes: codes, Notices: &notify.Notifier{Mailer: mailer}})
//	flow, err := svc.Start(ctx, signedInAccountID, "old@example.com")
//	err = svc.SendCode(ctx, signedInAccountID, flow.ID, 0)
//	preview, err := svc.Verify(ctx, signedInAccountID, flow.ID, code)
//	merged, err := svc.Commit(ctx, signedInAccountID, flow.ID)
//
// Resolve is the pure rule that decides the merged profile and the
// preview: for single-valued fields the signed-in profile's value wins a
// conflict; lists are united; progress is combined by CombineProgress.
//
// The Service orchestrates the stores that own the data, each through
// the small role it needs (Accounts, Profiles, ProfileData, History,
// Notifications, Flows, ExpiredFlows): the accounts move with
// account.Store's MoveAccounts, the progress of both profiles is read,
// combined by CombineProgress and saved with profile.Store's SaveProgress,
// all in one transaction. Store persists only the flows. Flow records
// hold the other profile's addresses: personaldata.MergeSource erases them
// with the account or profile and lists the flows in the personal data
// export.
//
// A merge cannot be undone: the other profile is deleted with its personal
// data, its accounts belong to the surviving profile from then on, and
// separating the profiles afterwards is impossible by design. The history
// of the surviving profile keeps a "merge" entry naming the profile ids
// and the account that started it, never a discarded value.
package merge
