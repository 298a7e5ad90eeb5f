package sqlstore

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/token"
)

var _ token.Revocations = (*Store)(nil)

// BumpRevocations implements token.Revocations with one UPDATE of the
// one row of us_revocations, in ctx's transaction when it carries one.
// Its row lock orders concurrent bumps until they commit.
func (s *Store) BumpRevocations(ctx context.Context) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "bump revocations", `UPDATE us_revocations SET seq = seq + 1 WHERE id = 1`)
		if err == nil && n != 1 {
			return errf("bump revocations: the row of us_revocations is missing")
		}
		return err
	})
}

// RevocationSeq implements token.Revocations with one primary-key read.
func (s *Store) RevocationSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.queryRow(ctx, "read revocations", `SELECT seq FROM us_revocations WHERE id = 1`, nil, &n)
	return n, err
}
