// Package merge merges two Mendix Profiles of one person into one.
//
// A person signed in with one account merges another profile of theirs
// into the signed-in account's profile. Every step takes the caller
// (auth.Caller): a person, never a token or API key (auth.ErrForbidden).
// The Service runs the flow:
//
//  1. Start names an address of an account of the other profile. It
//     needs a recent sign-in (Config.FreshFor, one hour by default;
//     auth.ErrReauthenticationRequired) and is limited per person
//     (Config.StartLimit, about 10 a day; *errs.RetryError). It reveals
//     nothing: for every address, registered or not, it answers the same
//     two choices of where the code may go, the address typed, masked
//     ("j***@example.com"), and "the verified recovery email of that
//     profile" (RecoveryLabel), shown alike whether the profile has one
//     or not. It reads as much for an address of nobody as for a
//     registered one.
//  2. SendCode mails a 6-digit code, through package verification (expiry,
//     attempt cap, single use, throttling), bound to this flow, to the
//     chosen address: the address typed when it belongs to the other
//     profile, or that profile's verified recovery email (never a pending
//     one). A choice with no such address sends nothing, with the same
//     answer, work and throttle as a real send; such a flow can never
//     complete.
//  3. Verify consumes the code and returns a Preview: the fields kept and
//     discarded, what is combined (points, achievements, certifications,
//     Academy progress, skills, watched apps) and what is not merged
//     (credits stay on the accounts that earned them).
//  4. Commit, again with a recent sign-in, merges in one transaction,
//     records securitylog.Merged there, and then mails every account of
//     the merged profile a notice.
//
// Every step checks that the caller's account is active, that the flow
// belongs to it (someone else's flow is ErrFlowNotFound, like an unknown
// one), that the flow is in the right state (started → code_sent →
// verified → done) and that it has not expired (Config.FlowTTL, 30 minutes
// by default).
//
//	svc := merge.NewService(merge.Config{Accounts: st, Profiles: st, ProfileData: st,
//		History: st, Notify: st, Flows: st, Expired: st, Tx: st, Codes: codes,
//		Notices: &notify.Notifier{Mailer: mailer}, Limiter: st, SecurityLog: log})
//	flow, err := svc.Start(ctx, caller, "old@example.com")
//	err = svc.SendCode(ctx, caller, flow.ID, merge.ChoiceTyped)
//	preview, err := svc.Verify(ctx, caller, flow.ID, code)
//	merged, err := svc.Commit(ctx, caller, flow.ID)
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
