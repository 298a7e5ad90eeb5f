package verification

import (
	"context"
	"time"
)

// Purpose binds a code to the kind of flow it confirms; a code issued for
// one purpose never confirms another.
type Purpose string

// Purposes used by the SDK.
const (
	PurposeSignUp        Purpose = "signup"
	PurposeAddAccount    Purpose = "add_account"
	PurposePasswordReset Purpose = "password_reset"
	PurposeMerge         Purpose = "merge"
	// PurposeRecoveryEmail confirms a new recovery email of a profile
	// (the flow is the profile's id).
	PurposeRecoveryEmail Purpose = "recovery_email"
	// PurposeRecoveryReset resets the password of an account through the
	// verified recovery email of its profile (the flow is the address).
	PurposeRecoveryReset Purpose = "recovery_reset"
	// PurposeEmailChange confirms a new login email of an account (the
	// flow is the pending change's id).
	PurposeEmailChange Purpose = "email_change"
	// PurposeUnlock proves the mailbox of an account whose address is
	// throttled at sign-in; redeeming it makes the client a known device
	// (the flow is the account's id).
	PurposeUnlock Purpose = "sign_in_unlock"
)

// Code is a stored one-time code. Only a digest of the code is stored.
type Code struct {
	ID      string
	Purpose Purpose
	// FlowID names the flow the code belongs to (a pending sign-up, a
	// reset, a merge); at most one live code exists per purpose and flow.
	FlowID string
	// Address is the normalised email address the code was sent to.
	Address string
	// Digest is an HMAC-SHA-256 of the code bound to purpose and flow.
	Digest    []byte
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set when the code was consumed; zero while unused.
	UsedAt time.Time
}

// Store persists one-time codes and the send log that throttles them. It
// is implemented by storage/memory, storage/sqlstore and any host adapter
// that passes storagetest.TestVerificationStore.
type Store interface {
	// PutCode stores c as the only code of its purpose and flow, deleting
	// any earlier code of that purpose and flow. It returns
	// storage.ErrConflict when c.ID or c.Digest is already stored by
	// another code than the one it replaces.
	PutCode(ctx context.Context, c Code) error
	// CodeOfFlow returns the code of the purpose and flow, or
	// storage.ErrNotFound.
	CodeOfFlow(ctx context.Context, purpose Purpose, flowID string) (Code, error)
	// AddCodeAttempt atomically increments the attempt counter of the code
	// and returns the new count. It returns storage.ErrNotFound.
	AddCodeAttempt(ctx context.Context, id string) (int, error)
	// ConsumeCode marks an unused code used at t. Exactly one of several
	// concurrent calls succeeds; the others, and any call for a code that
	// is already used, return storage.ErrConflict. It returns
	// storage.ErrNotFound for an unknown code.
	ConsumeCode(ctx context.Context, id string, t time.Time) error
	// DeleteCodesOfFlow deletes every code of the purpose and flow.
	DeleteCodesOfFlow(ctx context.Context, purpose Purpose, flowID string) error
	// DeleteCodesBefore deletes codes that expired before t and returns
	// how many it deleted.
	DeleteCodesBefore(ctx context.Context, t time.Time) (int, error)

	// RecordSend logs that a code (or a notice that stands for one) of
	// the purpose was sent to the normalised address at t.
	RecordSend(ctx context.Context, address string, purpose Purpose, t time.Time) error
	// SendsSince returns the times of the sends to the address at or after
	// since, of every purpose, oldest first.
	SendsSince(ctx context.Context, address string, since time.Time) ([]time.Time, error)
	// PurposeSendsSince returns the times of the sends of the purpose to
	// the address at or after since, oldest first.
	PurposeSendsSince(ctx context.Context, address string, purpose Purpose, since time.Time) ([]time.Time, error)
	// DeleteSendsBefore forgets sends older than t.
	DeleteSendsBefore(ctx context.Context, t time.Time) error
	// ForgetAddress deletes every code sent to the normalised address
	// (compared case-insensitively) and the address's send log; used when
	// the account of the address is erased.
	ForgetAddress(ctx context.Context, address string) error
}
