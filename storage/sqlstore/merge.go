package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/merge"
)

var _ merge.Store = (*Store)(nil)

const mergeFlowColumns = `id, account_id, profile_id, other_profile_id, state, fingerprint,
	created_at, updated_at, expires_at`

// Queries of merge flows: a flow and its addresses are read in one query
// (a flow without addresses yields one row of NULL address columns).
const (
	selectMergeFlows = `SELECT f.id, f.account_id, f.profile_id, f.other_profile_id, f.state,
	f.fingerprint, f.created_at, f.updated_at, f.expires_at, a.address, a.masked, a.account_id
	FROM us_merge_flows f LEFT JOIN us_merge_flow_addresses a ON a.flow_id = f.id`
	queryMergeFlow           = selectMergeFlows + ` WHERE f.id = ? ORDER BY a.pos`
	queryMergeFlowsOfProfile = selectMergeFlows + `
	WHERE f.profile_id = ? OR f.other_profile_id = ? ORDER BY f.created_at, f.id, a.pos`
)

// mergeFlows runs a query of selectMergeFlows and returns its flows with
// their candidates; the rows of one flow come together, in address order.
func (s *Store) mergeFlows(ctx context.Context, what, query string, args ...any) ([]merge.Record, error) {
	var out []merge.Record
	err := s.query(ctx, what, query, args, func(rows *sql.Rows) error {
		var (
			r                    merge.Record
			state                string
			addr, masked, acctID sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.AccountID, &r.ProfileID, &r.OtherProfileID, &state, &r.Fingerprint,
			dbTime{&r.CreatedAt}, dbTime{&r.UpdatedAt}, dbTime{&r.ExpiresAt}, &addr, &masked, &acctID); err != nil {
			return err
		}
		if n := len(out); n == 0 || out[n-1].ID != r.ID {
			r.State = merge.State(state)
			out = append(out, r)
		}
		if addr.Valid {
			last := &out[len(out)-1]
			last.Candidates = append(last.Candidates,
				merge.Candidate{Address: addr.String, Masked: masked.String, AccountID: acctID.String})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateMergeFlow implements merge.Store. A flow of an account that does
// not exist is storage.ErrConflict (foreign key).
func (s *Store) CreateMergeFlow(ctx context.Context, r merge.Record) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create merge flow", `INSERT INTO us_merge_flows (`+mergeFlowColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.ID, r.AccountID, r.ProfileID, r.OtherProfileID, string(r.State), r.Fingerprint,
			s.d.timeArg(r.CreatedAt), s.d.timeArg(r.UpdatedAt), s.d.timeArg(r.ExpiresAt))
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("create merge flow: id taken")
		}
		return s.insertMergeAddresses(ctx, r)
	})
}

// insertMergeAddresses stores the candidates of r, whose old ones were
// deleted.
func (s *Store) insertMergeAddresses(ctx context.Context, r merge.Record) error {
	for i, c := range r.Candidates {
		if _, err := s.exec(ctx, "store merge flow address", `INSERT INTO us_merge_flow_addresses
			(flow_id, pos, address, masked, account_id) VALUES (?, ?, ?, ?, ?)`,
			r.ID, i, c.Address, c.Masked, c.AccountID); err != nil {
			return err
		}
	}
	return nil
}

// MergeFlow implements merge.Store with one query.
func (s *Store) MergeFlow(ctx context.Context, id string) (merge.Record, error) {
	list, err := s.mergeFlows(ctx, "merge flow", queryMergeFlow, id)
	if err != nil {
		return merge.Record{}, err
	}
	if len(list) == 0 {
		return merge.Record{}, notFound("merge flow")
	}
	return list[0], nil
}

// UpdateMergeFlow implements merge.Store: the state moves only from the
// expected state (UPDATE … WHERE state = ?), so of concurrent steps one
// wins.
func (s *Store) UpdateMergeFlow(ctx context.Context, r merge.Record, from merge.State) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "update merge flow", `UPDATE us_merge_flows
			SET state = ?, fingerprint = ?, updated_at = ? WHERE id = ? AND state = ?`,
			string(r.State), r.Fingerprint, s.d.timeArg(r.UpdatedAt), r.ID, string(from))
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			err := s.queryRow(ctx, "update merge flow", `SELECT 1 FROM us_merge_flows WHERE id = ?`, []any{r.ID}, &one)
			if err == nil {
				err = conflict("update merge flow: state changed")
			}
			return err
		}
		if _, err := s.exec(ctx, "update merge flow: clear addresses",
			`DELETE FROM us_merge_flow_addresses WHERE flow_id = ?`, r.ID); err != nil {
			return err
		}
		return s.insertMergeAddresses(ctx, r)
	})
}

// MergeFlowsOfProfile implements merge.Store with one query, whatever the
// number of flows.
func (s *Store) MergeFlowsOfProfile(ctx context.Context, profileID string) ([]merge.Record, error) {
	return s.mergeFlows(ctx, "merge flows of profile", queryMergeFlowsOfProfile, profileID, profileID)
}

// deleteMergeFlows runs one DELETE of flows (their addresses go with them)
// and returns how many it deleted.
func (s *Store) deleteMergeFlows(ctx context.Context, what, query string, args ...any) (int, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, what, query, args...)
		return err
	})
	return int(n), err
}

// DeleteMergeFlowsOfAccount implements merge.Store.
func (s *Store) DeleteMergeFlowsOfAccount(ctx context.Context, accountID string) (int, error) {
	if accountID == "" {
		return 0, ctx.Err()
	}
	return s.deleteMergeFlows(ctx, "delete merge flows of account", `DELETE FROM us_merge_flows
		WHERE account_id = ? OR id IN (SELECT flow_id FROM us_merge_flow_addresses WHERE account_id = ?)`,
		accountID, accountID)
}

// DeleteMergeFlowsOfProfile implements merge.Store.
func (s *Store) DeleteMergeFlowsOfProfile(ctx context.Context, profileID string) (int, error) {
	if profileID == "" {
		return 0, ctx.Err()
	}
	return s.deleteMergeFlows(ctx, "delete merge flows of profile", `DELETE FROM us_merge_flows
		WHERE profile_id = ? OR other_profile_id = ?`, profileID, profileID)
}

// DeleteExpiredMergeFlows implements merge.Store in batches
// (WithDeleteBatch); the addresses of the flows go with them.
func (s *Store) DeleteExpiredMergeFlows(ctx context.Context, before time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete expired merge flows", "us_merge_flows", "id",
		`expires_at < ?`, s.d.timeArg(before))
}
