package storage

import "context"

// AfterCommit arranges for fn to run once the transaction ctx carries has
// committed: when the outermost InTx returns nil, after the adapter
// released its locks, with the context that InTx was given (which carries
// no transaction). When the transaction rolls back, fn never runs. When
// ctx carries no transaction, or one of an adapter that does not keep
// CommitHooks, fn runs at once: a write made outside InTx is committed
// when it returns.
//
// It is how a service tells the world about a change (a hook, a cache)
// only once the change is durable.
func AfterCommit(ctx context.Context, fn func(ctx context.Context)) {
	if h, _ := ctx.Value(commitHooksKey{}).(*CommitHooks); h != nil {
		h.fns = append(h.fns, fn)
		return
	}
	fn(ctx)
}

// CommitHooks are the functions AfterCommit registered in one
// transaction. An adapter makes one with WithCommitHooks when InTx begins
// an outermost transaction (again for each retry) and calls Run after
// the commit succeeded; a rolled-back transaction's hooks are dropped.
type CommitHooks struct {
	ctx context.Context
	fns []func(context.Context)
}

type commitHooksKey struct{}

// WithCommitHooks returns ctx carrying new, empty CommitHooks, which Run
// calls with ctx itself.
func WithCommitHooks(ctx context.Context) (context.Context, *CommitHooks) {
	h := &CommitHooks{ctx: ctx}
	return context.WithValue(ctx, commitHooksKey{}, h), h
}

// Run calls the registered functions in the order AfterCommit registered
// them. A function registered while they run (by a hook that calls
// AfterCommit) runs at once.
func (h *CommitHooks) Run() {
	fns := h.fns
	h.fns = nil
	for _, fn := range fns {
		fn(h.ctx)
	}
}
