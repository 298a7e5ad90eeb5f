// Package profile is the Mendix Profile of a person: avatar, work details,
// skills, industry experience, social links, a recovery email, whether the
// community may see it, and community progress (points, achievements,
// certifications, Academy courses).
//
// The rules are pure functions that a host can call without a store:
// [MissingForPublic] says what a profile still needs before it may be made
// public, [Normalize] validates and normalises every field (reporting all
// bad fields at once in a [*ValidationError]), and [CheckAvatar] detects and
// bounds an uploaded image.
//
// [Service] applies those rules to stored profiles. Start with
//
//	svc := profile.NewService(profile.Config{Store: st, Tx: st, History: st})
//	p, err := svc.Create(ctx)
//	p, err = svc.Update(ctx, accountID, p.ID, profile.Update{JobTitle: ptr("Engineer")})
//	err = svc.MakePublic(ctx, accountID, p.ID) // *IncompleteError until complete
//
// Every write runs in one storage transaction and records each changed
// field in the change history (package history), without its value.
package profile
