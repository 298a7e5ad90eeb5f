package handler

import "net/http"

// Patterns returns the route patterns h registered, in order.
func Patterns(h http.Handler) []string { return append([]string(nil), h.(*Handler).patterns...) }
