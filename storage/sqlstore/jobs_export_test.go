package sqlstore

// SetBatchHook makes the Store tell f the rows of every batch of a
// cleanup.
func SetBatchHook(s *Store, f func(n int64)) { s.batchHook = f }

// CachedStatements returns how many prepared statements the Store's cache
// holds.
func CachedStatements(s *Store) int {
	n := 0
	s.stmts.Range(func(any, any) bool { n++; return true })
	return n
}
