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
// [Service] applies those rules to stored profiles. Start with (errors
// checked in the Service example)
//
//	st := memory.New() // package storage/memory, or any profile.Store
//	svc := profile.NewService(profile.Config{Store: st, Tx: st, History: st})
//	p, err := svc.Create(ctx)
//	p, err = svc.Update(ctx, accountID, p.ID, profile.Update{JobTitle: new("Engineer")})
//	_, err = svc.MakePublic(ctx, accountID, p.ID) // *IncompleteError until complete
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
