package memory

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/token"
)

var _ token.Revocations = (*Store)(nil)

// BumpRevocations implements token.Revocations; a rolled-back
// transaction takes its bump back.
func (s *Store) BumpRevocations(ctx context.Context) error {
	return s.write(ctx, func(t *tx) error {
		s.revSeq++
		t.onUndo(func() { s.revSeq-- })
		return nil
	})
}

// RevocationSeq implements token.Revocations.
func (s *Store) RevocationSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.read(ctx, func() error {
		n = s.revSeq
		return nil
	})
	return n, err
}
