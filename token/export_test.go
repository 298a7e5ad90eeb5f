package token

// CacheLen returns the number of cached API key validations, for tests.
func CacheLen(s *Service) int {
	if s.cache == nil {
		return 0
	}
	return s.cache.len()
}
