package merge

import (
	"context"
	"time"
)

// State is where a merge flow stands. A flow moves only forward:
// started → code_sent → verified → done, and from any live state to
// cancelled or obsolete.
type State string

// Flow states.
const (
	// StateStarted: the other profile was named; no code was sent yet.
	StateStarted State = "started"
	// StateCodeSent: a code was sent to an address of the other profile
	// (it may be sent again, to the same or another address).
	StateCodeSent State = "code_sent"
	// StateVerified: the code was confirmed; the preview may be shown and
	// the merge committed.
	StateVerified State = "verified"
	// StateDone: the merge was committed. A done flow keeps no address.
	StateDone State = "done"
	// StateCancelled: the person abandoned the flow.
	StateCancelled State = "cancelled"
	// StateObsolete: another merge took one of the flow's profiles; the
	// flow can never complete.
	StateObsolete State = "obsolete"
)

// live reports whether a flow in state s may still go on.
func (s State) live() bool {
	return s == StateStarted || s == StateCodeSent || s == StateVerified
}

// Candidate is one choice of where the code goes: the address typed at
// Start, or the other profile's verified recovery email.
type Candidate struct {
	// Address is the normalised address in clear; empty for a recovery
	// email the profile does not have (the code then goes nowhere). It is
	// personal data of the other profile: it is never returned by the
	// Service, only Masked is.
	Address string
	// Masked is what the person is shown: "j***@example.com" for the
	// address typed, RecoveryLabel for the recovery email.
	Masked string
	// AccountID is the account whose login address this is; empty for a
	// recovery email or an address that belongs to no profile.
	AccountID string
}

// Record is a stored merge flow. It holds addresses of the other profile
// in clear, so it is erased with the account that started it, with an
// account whose address it offers and with either profile (see Store).
type Record struct {
	ID string
	// AccountID is the signed-in account that started the flow, and
	// ProfileID its profile at that time: the profile that survives.
	AccountID string
	ProfileID string
	// OtherProfileID is the profile that will be merged into ProfileID and
	// deleted; empty when the address named at Start belongs to no
	// profile. Such a flow never sends a code and can never complete.
	OtherProfileID string
	// Candidates are the two choices of where the code goes, in the order
	// shown (ChoiceTyped, ChoiceRecovery); empty once the flow is done,
	// cancelled or obsolete.
	Candidates []Candidate
	State      State
	// Fingerprint is a digest of both profiles and their accounts taken
	// when the code was verified; Commit refuses to merge when it no
	// longer matches (ErrProfileChanged). Empty before verification.
	Fingerprint string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ExpiresAt   time.Time
}

// Store persists merge flows. It is implemented by storage/memory,
// storage/sqlstore and any host adapter that passes storagetest.TestMerge.
// The Service runs on parts of it (Flows, ExpiredFlows); the personal data
// source (Source) on the listing and erasure methods. A merge's writes to
// other data go through the stores that own it (account.Store moves the
// accounts, profile.Store saves the combined progress).
type Store interface {
	// CreateMergeFlow stores a new flow. It returns storage.ErrConflict
	// when the ID exists.
	CreateMergeFlow(ctx context.Context, r Record) error
	// MergeFlow returns the flow with the ID, or storage.ErrNotFound.
	MergeFlow(ctx context.Context, id string) (Record, error)
	// UpdateMergeFlow replaces the State, Candidates, Fingerprint and
	// UpdatedAt of the stored flow r.ID, provided its stored state is
	// from. It returns storage.ErrNotFound for an unknown flow and
	// storage.ErrConflict, changing nothing, when the stored state is not
	// from (a concurrent step won).
	UpdateMergeFlow(ctx context.Context, r Record, from State) error
	// MergeFlowsOfProfile returns the flows in which the profile takes
	// part, as ProfileID or OtherProfileID, oldest first (ties broken by
	// ID), with their candidates.
	MergeFlowsOfProfile(ctx context.Context, profileID string) ([]Record, error)
	// DeleteMergeFlowsOfAccount deletes the flows the account started and
	// those offering the account's address (Candidate.AccountID), and
	// returns how many it deleted; used when the account is erased.
	DeleteMergeFlowsOfAccount(ctx context.Context, accountID string) (int, error)
	// DeleteMergeFlowsOfProfile deletes the flows in which the profile
	// takes part and returns how many it deleted; used when the profile
	// is erased.
	DeleteMergeFlowsOfProfile(ctx context.Context, profileID string) (int, error)
	// DeleteExpiredMergeFlows deletes the flows whose ExpiresAt is before
	// t, in any state, and returns how many it deleted.
	DeleteExpiredMergeFlows(ctx context.Context, t time.Time) (int, error)
}
