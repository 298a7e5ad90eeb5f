// Package profile is the Mendix Profile of a person: avatar, work details,
// skills, industry experience, social links, a recovery email, whether the
// community may see it, and community progress (points, achievements,
// certifications, Academy courses).
//
// The rules are pure functions that a host can call without a store:
// [MissingForPublic] says what a profile still needs before it may be made
// public, and [Normalize] validates and normalises every field (reporting
// all bad fields at once in a [*ValidationError]).
//
// Both follow one table, [Fields]: for each field of the profile its Go
// name and accessors, JSON name, label key, kind and validation, whether
// a public profile needs it and how a merge combines it. Package merge,
// the personal-data export and front ends walk the same table, so adding
// a field means adding it to Profile (and Update), to the table, to the
// store's migrations and to an adapter's column list; the storagetest
// suite fails while an adapter does not keep it.
//
// [Service] applies those rules to stored profiles. Start with (errors
// checked in the Service example)
//
//	st := memory.New() // package storage/memory, or any profile.Store
//	svc := profile.NewService(profile.Config{Store: st, Tx: st, History: st, Owners: account.NewOwners(st)})
//	p, err := svc.Create(ctx)
//	me := auth.New(accountID, auth.MethodPassword, time.Now(), "") // who acts: the SDK finds its profile
//	p, err = svc.Update(ctx, me, profile.Update{JobTitle: new("Engineer")})
//	_, err = svc.MakePublic(ctx, me) // *IncompleteError until complete
//
// Every self-service method takes the caller (package auth), not a
// profile ID: the Service resolves the caller's own profile through
// Config.Owners, so no one can act on another person's profile. Setting
// the recovery email, which can receive merge codes and password resets,
// needs a sign-in younger than Config.FreshFor; a token or API key never
// reaches the profile.
//
// The recovery email is verified: a new address waits in
// Profile.PendingRecoveryEmail, and a code goes to it (Config.Codes),
// until [Service.ConfirmRecoveryEmail] makes it Profile.RecoveryEmail and
// tells the previous one. Only the verified address is ever used to
// regain access. Support staff set it with [Service.SetRecoveryEmail],
// which takes an explicit auth.Admin and is recorded in the history and
// the security log.
//
// Every write runs in one storage transaction and records each changed
// field in the change history (package history), without its value.
//
// An uploaded avatar is never stored as it came: [AvatarChecker] reads its
// header, refuses it when decoding would take more memory than its budget,
// decodes it (a bounded number at a time), and stores a fresh PNG or JPEG
// encoding of its pixels without metadata. [CheckAvatar] does the same
// with the process's default limits, as [Service.SetAvatar] does.
package profile
