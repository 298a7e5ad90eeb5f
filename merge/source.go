package merge

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/personaldata"
)

// Source returns the personal data source of merge flows, for
// personaldata.Deps.Extra (or usersettings.Options.ExtraSources): Collect
// lists the flows the profile takes part in (personal-data.json "merges"),
// never with the other side's addresses or ids; EraseAccount deletes the
// flows the account started or whose addresses include the account's;
// EraseProfile deletes the flows either profile of which is the erased
// one. It covers the SQL tables merge_flows and merge_flow_addresses and
// the memory adapter's merges.
func Source(store Store) personaldata.Source {
	if store == nil {
		panic("merge: Source needs a Store")
	}
	return source{store}
}

type source struct{ store Store }

func (source) Name() string { return "merges" }

func (source) Covers() []string {
	return []string{"merge_flows", "merge_flow_addresses", "memory.merges"}
}

func (s source) Collect(ctx context.Context, p personaldata.Person, v *personaldata.View) error {
	list, err := s.store.MergeFlowsOfProfile(ctx, p.ProfileID)
	if err != nil {
		return fmt.Errorf("reading merge flows: %w", err)
	}
	for _, r := range list {
		d := personaldata.MergeData{ID: r.ID, State: string(r.State), At: r.CreatedAt}
		if r.ProfileID == p.ProfileID {
			d.Role = "kept"
			d.Detail = "started by account " + r.AccountID + " to merge another profile into this one"
		} else {
			d.Role = "merged_away"
			d.Detail = "started from another profile to merge this profile into it"
		}
		if r.State == StateDone {
			d.State = "completed"
		}
		v.Merges = append(v.Merges, d)
	}
	return nil
}

func (s source) EraseAccount(ctx context.Context, accountID string) error {
	if _, err := s.store.DeleteMergeFlowsOfAccount(ctx, accountID); err != nil {
		return fmt.Errorf("deleting merge flows: %w", err)
	}
	return nil
}

func (s source) EraseProfile(ctx context.Context, profileID string) error {
	if _, err := s.store.DeleteMergeFlowsOfProfile(ctx, profileID); err != nil {
		return fmt.Errorf("deleting merge flows: %w", err)
	}
	return nil
}
