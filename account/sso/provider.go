package sso

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/seed-a97ca23f/usersettings/internal/clock"
)

// providers caches discovered providers per issuer in this process, each
// for a TTL. It holds at most one entry per issuer a connection of the
// store named while the process ran; an update or deletion of a
// connection forgets its issuer here, and other replicas re-read it
// within the TTL. Signing keys are go-oidc's business: its key set
// fetches the provider's JWKS again when a token names an unknown key.
type providers struct {
	ttl    time.Duration
	client *http.Client
	now    clock.Clock

	mu sync.Mutex
	m  map[string]cachedProvider
}

type cachedProvider struct {
	p       *oidc.Provider
	expires time.Time
}

func newProviders(ttl time.Duration, client *http.Client, now clock.Clock) *providers {
	return &providers{ttl: ttl, client: client, now: now, m: map[string]cachedProvider{}}
}

// get returns the provider of the issuer, discovering it when it is not
// cached or its entry expired. A failure is ErrProviderUnavailable.
func (ps *providers) get(ctx context.Context, issuer string) (*oidc.Provider, error) {
	now := ps.now()
	ps.mu.Lock()
	c, ok := ps.m[issuer]
	ps.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, ps.client), issuer)
	if err != nil {
		return nil, fmt.Errorf("sso: discovery of %s: %v: %w", issuer, err, ErrProviderUnavailable)
	}
	ps.mu.Lock()
	ps.m[issuer] = cachedProvider{p: p, expires: now.Add(ps.ttl)}
	ps.mu.Unlock()
	return p, nil
}

// forget drops the issuer's entry.
func (ps *providers) forget(issuer string) {
	ps.mu.Lock()
	delete(ps.m, issuer)
	ps.mu.Unlock()
}

// httpContext makes the oauth2 and go-oidc calls of ctx use the client.
func (ps *providers) httpContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, ps.client)
}
