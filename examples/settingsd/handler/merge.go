package handler

// mergeRoutes registers the merge routes once package merge has its
// Service; until then the routes answer 404.
func (h *Handler) mergeRoutes() {}
