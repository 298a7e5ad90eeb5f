package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/merge"
)

var _ merge.Store = (*Store)(nil)

type mergeTables struct {
	flows map[string]merge.Record
}

func (m *mergeTables) init() { m.flows = map[string]merge.Record{} }

func copyFlow(r merge.Record) merge.Record {
	r.Candidates = slices.Clone(r.Candidates)
	return r
}

// CreateMergeFlow implements merge.Store.
func (s *Store) CreateMergeFlow(ctx context.Context, r merge.Record) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.merges.flows[r.ID]; ok {
			return conflict("merge flow id taken")
		}
		put(t, s.merges.flows, r.ID, copyFlow(r))
		return nil
	})
}

// MergeFlow implements merge.Store.
func (s *Store) MergeFlow(ctx context.Context, id string) (merge.Record, error) {
	var r merge.Record
	err := s.read(ctx, func() error {
		got, ok := s.merges.flows[id]
		if !ok {
			return notFound("merge flow", id)
		}
		r = copyFlow(got)
		return nil
	})
	return r, err
}

// UpdateMergeFlow implements merge.Store.
func (s *Store) UpdateMergeFlow(ctx context.Context, r merge.Record, from merge.State) error {
	return s.write(ctx, func(t *tx) error {
		old, ok := s.merges.flows[r.ID]
		if !ok {
			return notFound("merge flow", r.ID)
		}
		if old.State != from {
			return conflict("merge flow state changed")
		}
		old.State, old.Candidates = r.State, slices.Clone(r.Candidates)
		old.Fingerprint, old.UpdatedAt = r.Fingerprint, r.UpdatedAt
		put(t, s.merges.flows, r.ID, old)
		return nil
	})
}

// MergeFlowsOfProfile implements merge.Store.
func (s *Store) MergeFlowsOfProfile(ctx context.Context, profileID string) ([]merge.Record, error) {
	var out []merge.Record
	err := s.read(ctx, func() error {
		for _, r := range s.merges.flows {
			if r.ProfileID == profileID || r.OtherProfileID == profileID {
				out = append(out, copyFlow(r))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b merge.Record) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, err
}

// deleteFlows deletes the flows for which match is true and returns how
// many it deleted.
func (s *Store) deleteFlows(ctx context.Context, match func(merge.Record) bool) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for id, r := range s.merges.flows {
			if match(r) {
				del(t, s.merges.flows, id)
				n++
			}
		}
		return nil
	})
	return n, err
}

// DeleteMergeFlowsOfAccount implements merge.Store.
func (s *Store) DeleteMergeFlowsOfAccount(ctx context.Context, accountID string) (int, error) {
	return s.deleteFlows(ctx, func(r merge.Record) bool {
		return r.AccountID == accountID || slices.ContainsFunc(r.Candidates,
			func(c merge.Candidate) bool { return c.AccountID == accountID })
	})
}

// DeleteMergeFlowsOfProfile implements merge.Store.
func (s *Store) DeleteMergeFlowsOfProfile(ctx context.Context, profileID string) (int, error) {
	return s.deleteFlows(ctx, func(r merge.Record) bool {
		return r.ProfileID == profileID || r.OtherProfileID == profileID
	})
}

// DeleteExpiredMergeFlows implements merge.Store.
func (s *Store) DeleteExpiredMergeFlows(ctx context.Context, before time.Time) (int, error) {
	return s.deleteFlows(ctx, func(r merge.Record) bool { return r.ExpiresAt.Before(before) })
}
