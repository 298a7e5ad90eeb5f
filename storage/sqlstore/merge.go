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

// Queries of merge flows.
const (
	queryMergeFlow          = `SELECT ` + mergeFlowColumns + ` FROM us_merge_flows WHERE id = ?`
	queryMergeFlowAddresses = `SELECT address, masked, account_id FROM us_merge_flow_addresses
	WHERE flow_id = ? ORDER BY pos`
	queryMergeFlowsOfProfile = `SELECT ` + mergeFlowColumns + ` FROM us_merge_flows
	WHERE profile_id = ? OR other_profile_id = ? ORDER BY created_at, id`
)

func scanMergeFlow(row interface{ Scan(...any) error }, r *merge.Record) error {
	var state string
	err := row.Scan(&r.ID, &r.AccountID, &r.ProfileID, &r.OtherProfileID, &state, &r.Fingerprint,
		dbTime{&r.CreatedAt}, dbTime{&r.UpdatedAt}, dbTime{&r.ExpiresAt})
	r.State = merge.State(state)
	return err
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

// MergeFlow implements merge.Store.
func (s *Store) MergeFlow(ctx context.Context, id string) (merge.Record, error) {
	var r merge.Record
	st, err := s.prepared(ctx, queryMergeFlow)
	if err != nil {
		return r, translate(ctx, "merge flow", err)
	}
	if err := translate(ctx, "merge flow", scanMergeFlow(st.QueryRowContext(ctx, id), &r)); err != nil {
		return merge.Record{}, err
	}
	return r, s.mergeAddresses(ctx, &r)
}

// mergeAddresses reads the candidates of r.
func (s *Store) mergeAddresses(ctx context.Context, r *merge.Record) error {
	r.Candidates = nil
	return s.query(ctx, "merge flow addresses", queryMergeFlowAddresses, []any{r.ID}, func(rows *sql.Rows) error {
		var c merge.Candidate
		err := rows.Scan(&c.Address, &c.Masked, &c.AccountID)
		r.Candidates = append(r.Candidates, c)
		return err
	})
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

// MergeFlowsOfProfile implements merge.Store.
func (s *Store) MergeFlowsOfProfile(ctx context.Context, profileID string) ([]merge.Record, error) {
	var out []merge.Record
	err := s.query(ctx, "merge flows of profile", queryMergeFlowsOfProfile, []any{profileID, profileID},
		func(rows *sql.Rows) error {
			var r merge.Record
			err := scanMergeFlow(rows, &r)
			out = append(out, r)
			return err
		})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.mergeAddresses(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
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

// DeleteExpiredMergeFlows implements merge.Store.
func (s *Store) DeleteExpiredMergeFlows(ctx context.Context, before time.Time) (int, error) {
	return s.deleteMergeFlows(ctx, "delete expired merge flows",
		`DELETE FROM us_merge_flows WHERE expires_at < ?`, s.d.timeArg(before))
}

// MoveAccounts implements merge.Store with one UPDATE.
func (s *Store) MoveAccounts(ctx context.Context, from, to string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if err := s.profileExists(ctx, "move accounts: profile", to); err != nil {
			return err
		}
		if from == to {
			return nil
		}
		_, err := s.exec(ctx, "move accounts", `UPDATE us_accounts SET profile_id = ? WHERE profile_id = ?`, to, from)
		return err
	})
}

// progressMerge is one statement of MergeProgress; args names its
// arguments: 'f' is the profile merged away, 't' the one kept.
type progressMerge struct {
	what, query, args string
}

// progressMerges combine the progress of two profiles in SQL, with the
// rules of merge.CombineProgress: for each list, first the kept profile's
// items that lose to the other's are deleted, then the other's items that
// are still duplicates, then the rest of the other's items move. Each
// statement is a set operation, so the cost grows with the rows moved and
// not with the number of statements.
var progressMerges = []progressMerge{
	{"points", `UPDATE us_progress SET points = points + (SELECT f.points FROM us_progress f WHERE f.profile_id = ?)
		WHERE profile_id = ? AND EXISTS (SELECT 1 FROM us_progress f WHERE f.profile_id = ?)`, "ftf"},
	{"points row", `UPDATE us_progress SET profile_id = ? WHERE profile_id = ?
		AND NOT EXISTS (SELECT 1 FROM us_progress t WHERE t.profile_id = ?)`, "tft"},
	{"old points", `DELETE FROM us_progress WHERE profile_id = ?`, "f"},

	{"earlier achievements", `DELETE FROM us_achievements WHERE profile_id = ? AND EXISTS (
		SELECT 1 FROM us_achievements f WHERE f.profile_id = ? AND f.id = us_achievements.id
		AND f.awarded_at < us_achievements.awarded_at)`, "tf"},
	{"duplicate achievements", `DELETE FROM us_achievements WHERE profile_id = ? AND EXISTS (
		SELECT 1 FROM us_achievements t WHERE t.profile_id = ? AND t.id = us_achievements.id)`, "ft"},
	{"achievements", `UPDATE us_achievements SET profile_id = ? WHERE profile_id = ?`, "tf"},

	{"later certifications", `DELETE FROM us_certifications WHERE profile_id = ? AND EXISTS (
		SELECT 1 FROM us_certifications f WHERE f.profile_id = ? AND f.id = us_certifications.id
		AND f.valid_until > us_certifications.valid_until)`, "tf"},
	{"duplicate certifications", `DELETE FROM us_certifications WHERE profile_id = ? AND EXISTS (
		SELECT 1 FROM us_certifications t WHERE t.profile_id = ? AND t.id = us_certifications.id)`, "ft"},
	{"certifications", `UPDATE us_certifications SET profile_id = ? WHERE profile_id = ?`, "tf"},

	{"further courses", `DELETE FROM us_academy_progress WHERE profile_id = ? AND EXISTS (
		SELECT 1 FROM us_academy_progress f WHERE f.profile_id = ? AND f.course_id = us_academy_progress.course_id
		AND ((f.completed AND NOT us_academy_progress.completed)
		  OR (f.completed = us_academy_progress.completed AND f.percent > us_academy_progress.percent)))`, "tf"},
	{"duplicate courses", `DELETE FROM us_academy_progress WHERE profile_id = ? AND EXISTS (
		SELECT 1 FROM us_academy_progress t WHERE t.profile_id = ? AND t.course_id = us_academy_progress.course_id)`, "ft"},
	{"courses", `UPDATE us_academy_progress SET profile_id = ? WHERE profile_id = ?`, "tf"},
}

// MergeProgress implements merge.Store with the set operations of
// progressMerges, in one transaction.
func (s *Store) MergeProgress(ctx context.Context, from, to string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		for _, id := range []string{from, to} {
			if err := s.profileExists(ctx, "merge progress: profile", id); err != nil {
				return err
			}
		}
		if from == to {
			return nil
		}
		for _, m := range progressMerges {
			args := make([]any, len(m.args))
			for i, c := range m.args {
				args[i] = from
				if c == 't' {
					args[i] = to
				}
			}
			if _, err := s.exec(ctx, "merge progress: "+m.what, m.query, args...); err != nil {
				return err
			}
		}
		return nil
	})
}
