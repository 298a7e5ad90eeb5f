package personaldata

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/merge"
)

// MergeSource covers the profile merge flows (package merge): Collect
// lists the flows the profile takes part in, on either side, in
// View.Merges, never with the other side's addresses or ids;
// EraseAccount deletes the flows the account started or whose addresses
// include the account's; EraseProfile deletes the flows either profile of
// which is the erased one.
func MergeSource(flows MergeFlows) Source {
	if flows == nil {
		panic("personaldata: MergeSource needs MergeFlows")
	}
	return mergeSource{flows}
}

type mergeSource struct{ store MergeFlows }

func (mergeSource) Name() string { return "merges" }

func (s mergeSource) Collect(ctx context.Context, p Person, v *View) error {
	list, err := s.store.MergeFlowsOfProfile(ctx, p.ProfileID)
	if err != nil {
		return fmt.Errorf("reading merge flows: %w", err)
	}
	v.Merges = make([]MergeData, 0, len(list))
	for _, r := range list {
		d := MergeData{ID: r.ID, State: string(r.State), At: r.CreatedAt}
		if r.ProfileID == p.ProfileID {
			d.Role = "kept"
			d.Detail = "started by account " + r.AccountID + " to merge another profile into this one"
		} else {
			d.Role = "merged_away"
			d.Detail = "started from another profile to merge this profile into it"
		}
		if r.State == merge.StateDone {
			d.State = "completed"
		}
		v.Merges = append(v.Merges, d)
	}
	return nil
}

func (s mergeSource) EraseAccount(ctx context.Context, accountID string) error {
	if _, err := s.store.DeleteMergeFlowsOfAccount(ctx, accountID); err != nil {
		return fmt.Errorf("deleting merge flows: %w", err)
	}
	return nil
}

func (s mergeSource) EraseProfile(ctx context.Context, profileID string) error {
	if _, err := s.store.DeleteMergeFlowsOfProfile(ctx, profileID); err != nil {
		return fmt.Errorf("deleting merge flows: %w", err)
	}
	return nil
}

// ClearProfile is EraseProfile: the profile's accounts do not need it.
func (s mergeSource) ClearProfile(ctx context.Context, profileID string) error {
	return s.EraseProfile(ctx, profileID)
}
