package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
)

var _ sso.Store = (*Store)(nil)

// ssoTables hold single-sign-on connections, the domains they own and
// the sign-in flows waiting for their provider.
type ssoTables struct {
	conns   map[string]sso.Record
	domains map[string]string // domain → connection id
	flows   map[sso.Digest]sso.Flow
}

func (t *ssoTables) init() {
	t.conns = map[string]sso.Record{}
	t.domains = map[string]string{}
	t.flows = map[sso.Digest]sso.Flow{}
}

// copyRecord copies the slices of r, so no caller shares them with the
// store.
func copyRecord(r sso.Record) sso.Record {
	r.Domains = slices.Clone(r.Domains)
	r.Scopes = slices.Clone(r.Scopes)
	r.SealedSecret = slices.Clone(r.SealedSecret)
	return r
}

// CreateConnection implements sso.Store.
func (s *Store) CreateConnection(ctx context.Context, r sso.Record) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.sso.conns[r.ID]; ok {
			return conflict("sso connection id taken")
		}
		if err := s.claimDomains(t, r); err != nil {
			return err
		}
		put(t, s.sso.conns, r.ID, copyRecord(r))
		return nil
	})
}

// claimDomains gives r's domains to r, refusing a domain of another
// connection.
func (s *Store) claimDomains(t *tx, r sso.Record) error {
	for _, d := range r.Domains {
		if owner, ok := s.sso.domains[d]; ok && owner != r.ID {
			return conflict("sso domain taken")
		}
	}
	for _, d := range r.Domains {
		put(t, s.sso.domains, d, r.ID)
	}
	return nil
}

// Connection implements sso.Store.
func (s *Store) Connection(ctx context.Context, id string) (sso.Record, error) {
	var out sso.Record
	err := s.read(ctx, func() error {
		r, ok := s.sso.conns[id]
		if !ok {
			return notFound("sso connection", id)
		}
		out = copyRecord(r)
		return nil
	})
	return out, err
}

// ConnectionByDomain implements sso.Store.
func (s *Store) ConnectionByDomain(ctx context.Context, domain string) (sso.Record, error) {
	var out sso.Record
	err := s.read(ctx, func() error {
		id, ok := s.sso.domains[domain]
		if !ok {
			return notFound("sso connection of domain", domain)
		}
		out = copyRecord(s.sso.conns[id])
		return nil
	})
	return out, err
}

// Connections implements sso.Store.
func (s *Store) Connections(ctx context.Context) ([]sso.Record, error) {
	var out []sso.Record
	err := s.read(ctx, func() error {
		for _, r := range s.sso.conns {
			out = append(out, copyRecord(r))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b sso.Record) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// UpdateConnection implements sso.Store.
func (s *Store) UpdateConnection(ctx context.Context, r sso.Record) error {
	return s.write(ctx, func(t *tx) error {
		old, ok := s.sso.conns[r.ID]
		if !ok {
			return notFound("sso connection", r.ID)
		}
		for _, d := range old.Domains {
			del(t, s.sso.domains, d)
		}
		if err := s.claimDomains(t, r); err != nil {
			return err
		}
		r.CreatedAt = old.CreatedAt
		put(t, s.sso.conns, r.ID, copyRecord(r))
		return nil
	})
}

// DeleteConnection implements sso.Store.
func (s *Store) DeleteConnection(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		old, ok := s.sso.conns[id]
		if !ok {
			return notFound("sso connection", id)
		}
		for _, d := range old.Domains {
			del(t, s.sso.domains, d)
		}
		for k, f := range s.sso.flows {
			if f.ConnectionID == id {
				del(t, s.sso.flows, k)
			}
		}
		for _, a := range s.accounts.byID {
			if a.SSOConnection == id {
				del(t, s.accounts.bySubject, subjectKey{a.SSOConnection, a.SSOSubject})
				a.SSOConnection, a.SSOSubject = "", ""
				s.putAccount(t, a)
			}
		}
		del(t, s.sso.conns, id)
		return nil
	})
}

// CreateFlow implements sso.Store.
func (s *Store) CreateFlow(ctx context.Context, f sso.Flow) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.sso.flows[f.State]; ok {
			return conflict("sso flow state taken")
		}
		if _, ok := s.sso.conns[f.ConnectionID]; !ok {
			return notFound("sso connection", f.ConnectionID)
		}
		f.Verifier = slices.Clone(f.Verifier)
		put(t, s.sso.flows, f.State, f)
		return nil
	})
}

// TakeFlow implements sso.Store.
func (s *Store) TakeFlow(ctx context.Context, state sso.Digest) (sso.Flow, error) {
	var out sso.Flow
	err := s.write(ctx, func(t *tx) error {
		f, ok := s.sso.flows[state]
		if !ok {
			return notFound("sso flow", "by state")
		}
		del(t, s.sso.flows, state)
		out = f
		return nil
	})
	return out, err
}

// DeleteFlowsBefore implements sso.Store.
func (s *Store) DeleteFlowsBefore(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for k, f := range s.sso.flows {
			if f.ExpiresAt.Before(before) {
				del(t, s.sso.flows, k)
				n++
			}
		}
		return nil
	})
	return n, err
}

// AccountBySubject implements sso.Store.
func (s *Store) AccountBySubject(ctx context.Context, connectionID, subject string) (account.Account, error) {
	var out account.Account
	err := s.read(ctx, func() error {
		id, ok := s.accounts.bySubject[subjectKey{connectionID, subject}]
		if !ok || connectionID == "" {
			return notFound("account of sso subject", "")
		}
		out = s.accounts.byID[id]
		return nil
	})
	return out, err
}
