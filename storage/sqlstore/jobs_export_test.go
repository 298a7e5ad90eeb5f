package sqlstore

// SetBatchHook makes the Store tell f the rows of every batch of a
// cleanup.
func SetBatchHook(s *Store, f func(n int64)) { s.batchHook = f }
