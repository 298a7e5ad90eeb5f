package token

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Scope is one authorization a token may carry, registered by the host.
type Scope struct {
	Name        string `json:"name"` // normalised: lower case, trimmed
	Description string `json:"description"`
}

// MaxScopeLen is the longest scope name Register accepts.
const MaxScopeLen = 100

// Registry holds the scopes the host's services support. It is safe for
// concurrent use; hosts usually register every scope at start-up.
type Registry struct {
	mu     sync.RWMutex
	scopes map[string]string // name → description
}

// NewRegistry returns a registry with the given scopes registered; it
// panics if one is invalid or repeated (a programming error).
func NewRegistry(scopes ...Scope) *Registry {
	r := &Registry{scopes: map[string]string{}}
	for _, s := range scopes {
		if err := r.Register(s.Name, s.Description); err != nil {
			panic(err)
		}
	}
	return r
}

// Register adds a scope. The name is normalised (trimmed, lower case) and
// must then be 1–100 characters of a–z, 0–9 and the punctuation "_-.:/",
// starting with a letter or digit; otherwise Register returns
// ErrInvalidScope. Registering a name twice returns ErrScopeExists.
func (r *Registry) Register(name, description string) error {
	n := normalizeScope(name)
	if !validScopeName(n) {
		return fmt.Errorf("registering scope %q: %w", name, ErrInvalidScope)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.scopes == nil {
		r.scopes = map[string]string{}
	}
	if _, ok := r.scopes[n]; ok {
		return fmt.Errorf("registering scope %q: %w", n, ErrScopeExists)
	}
	r.scopes[n] = strings.TrimSpace(description)
	return nil
}

// Scopes returns every registered scope, sorted by name.
func (r *Registry) Scopes() []Scope {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Scope, 0, len(r.scopes))
	for n, d := range r.scopes {
		out = append(out, Scope{Name: n, Description: d})
	}
	slices.SortFunc(out, func(a, b Scope) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Normalize returns the scopes normalised, de-duplicated and sorted. It
// returns ErrNoScope for an empty list and an *UnknownScopeError naming
// every scope that is not registered.
func (r *Registry) Normalize(scopes []string) ([]string, error) {
	out := NormalizeScopes(scopes)
	if len(out) == 0 {
		return nil, ErrNoScope
	}
	r.mu.RLock()
	var unknown []string
	for _, s := range out {
		if _, ok := r.scopes[s]; !ok {
			unknown = append(unknown, s)
		}
	}
	r.mu.RUnlock()
	if len(unknown) > 0 {
		return nil, &UnknownScopeError{Scopes: unknown}
	}
	return out, nil
}

// NormalizeScopes trims and lower-cases every scope, drops empty ones and
// returns them sorted without duplicates. It is pure.
func NormalizeScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if n := normalizeScope(s); n != "" {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func normalizeScope(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func validScopeName(n string) bool {
	if n == "" || len(n) > MaxScopeLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && strings.IndexByte("_-.:/", c) >= 0:
		default:
			return false
		}
	}
	return true
}
