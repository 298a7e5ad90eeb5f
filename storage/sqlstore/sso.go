package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
)

var _ sso.Store = (*Store)(nil)

const ssoColumns = `c.id, c.name, c.issuer, c.client_id, c.client_secret, c.scopes,
	c.claim_email, c.claim_email_verified, c.claim_name, c.link_policy, c.created_at, c.updated_at`

// Hot lookups: the company of an address is resolved on every password
// flow, the identity on every single sign-on.
const (
	queryConnectionByDomain = `SELECT ` + ssoColumns + ` FROM us_sso_domains d
	JOIN us_sso_connections c ON c.id = d.connection_id WHERE d.domain = ?`
	queryAccountBySubject = `SELECT ` + accountColumns + ` FROM us_accounts
	WHERE sso_connection = ? AND sso_subject = ?`
)

func scanConnection(row interface{ Scan(...any) error }, r *sso.Record) error {
	var link string
	err := row.Scan(&r.ID, &r.Name, &r.Issuer, &r.ClientID, &r.SealedSecret, strList{&r.Scopes},
		&r.Claims.Email, &r.Claims.EmailVerified, &r.Claims.Name, &link, dbTime{&r.CreatedAt}, dbTime{&r.UpdatedAt})
	r.Link = sso.LinkPolicy(link)
	if len(r.SealedSecret) == 0 {
		r.SealedSecret = nil
	}
	return err
}

// bytesArg stores nil as an empty value of a NOT NULL column.
func bytesArg(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// CreateConnection implements sso.Store.
func (s *Store) CreateConnection(ctx context.Context, r sso.Record) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create sso connection", `INSERT INTO us_sso_connections (id, name, issuer, client_id,
			client_secret, scopes, claim_email, claim_email_verified, claim_name, link_policy, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.ID, r.Name, r.Issuer, r.ClientID, bytesArg(r.SealedSecret), listArg(r.Scopes),
			r.Claims.Email, r.Claims.EmailVerified, r.Claims.Name, string(r.Link),
			s.d.timeArg(r.CreatedAt), s.d.timeArg(r.UpdatedAt))
		if err == nil && n == 0 {
			err = conflict("create sso connection: id taken")
		}
		if err != nil {
			return err
		}
		return s.insertDomains(ctx, r)
	})
}

// insertDomains gives r's domains to r; a domain of another connection is
// storage.ErrConflict.
func (s *Store) insertDomains(ctx context.Context, r sso.Record) error {
	for _, d := range r.Domains {
		n, err := s.exec(ctx, "claim sso domain", `INSERT INTO us_sso_domains (domain, connection_id)
			VALUES (?, ?) ON CONFLICT DO NOTHING`, d, r.ID)
		if err == nil && n == 0 {
			err = conflict("claim sso domain: taken")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// domainsOf fills r.Domains.
func (s *Store) domainsOf(ctx context.Context, r *sso.Record) error {
	r.Domains = nil
	return s.query(ctx, "sso domains", `SELECT domain FROM us_sso_domains WHERE connection_id = ? ORDER BY domain`,
		[]any{r.ID}, func(rows *sql.Rows) error {
			var d string
			err := rows.Scan(&d)
			r.Domains = append(r.Domains, d)
			return err
		})
}

// Connection implements sso.Store.
func (s *Store) Connection(ctx context.Context, id string) (sso.Record, error) {
	var r sso.Record
	st, err := s.prepared(ctx, `SELECT `+ssoColumns+` FROM us_sso_connections c WHERE c.id = ?`)
	if err != nil {
		return r, translate(ctx, "sso connection", err)
	}
	if err := translate(ctx, "sso connection", scanConnection(st.QueryRowContext(ctx, id), &r)); err != nil {
		return sso.Record{}, err
	}
	return r, s.domainsOf(ctx, &r)
}

// ConnectionByDomain implements sso.Store.
func (s *Store) ConnectionByDomain(ctx context.Context, domain string) (sso.Record, error) {
	var r sso.Record
	st, err := s.prepared(ctx, queryConnectionByDomain)
	if err != nil {
		return r, translate(ctx, "sso connection by domain", err)
	}
	if err := translate(ctx, "sso connection by domain", scanConnection(st.QueryRowContext(ctx, domain), &r)); err != nil {
		return sso.Record{}, err
	}
	return r, s.domainsOf(ctx, &r)
}

// Connections implements sso.Store.
func (s *Store) Connections(ctx context.Context) ([]sso.Record, error) {
	var out []sso.Record
	err := s.query(ctx, "sso connections", `SELECT `+ssoColumns+` FROM us_sso_connections c ORDER BY c.id`, nil,
		func(rows *sql.Rows) error {
			var r sso.Record
			err := scanConnection(rows, &r)
			out = append(out, r)
			return err
		})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*sso.Record, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	err = s.query(ctx, "sso domains", `SELECT connection_id, domain FROM us_sso_domains ORDER BY domain`, nil,
		func(rows *sql.Rows) error {
			var id, d string
			if err := rows.Scan(&id, &d); err != nil {
				return err
			}
			if r := byID[id]; r != nil {
				r.Domains = append(r.Domains, d)
			}
			return nil
		})
	return out, err
}

// UpdateConnection implements sso.Store.
func (s *Store) UpdateConnection(ctx context.Context, r sso.Record) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "update sso connection", `UPDATE us_sso_connections SET name = ?, issuer = ?,
			client_id = ?, client_secret = ?, scopes = ?, claim_email = ?, claim_email_verified = ?, claim_name = ?,
			link_policy = ?, updated_at = ? WHERE id = ?`,
			r.Name, r.Issuer, r.ClientID, bytesArg(r.SealedSecret), listArg(r.Scopes), r.Claims.Email,
			r.Claims.EmailVerified, r.Claims.Name, string(r.Link), s.d.timeArg(r.UpdatedAt), r.ID)
		if err == nil && n == 0 {
			err = notFound("update sso connection")
		}
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, "release sso domains", `DELETE FROM us_sso_domains WHERE connection_id = ?`, r.ID); err != nil {
			return err
		}
		return s.insertDomains(ctx, r)
	})
}

// DeleteConnection implements sso.Store. Domains and flows go with the
// connection (ON DELETE CASCADE); its accounts are unbound first.
func (s *Store) DeleteConnection(ctx context.Context, id string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, "unbind sso accounts", `UPDATE us_accounts SET sso_connection = NULL, sso_subject = ''
			WHERE sso_connection = ?`, id); err != nil {
			return err
		}
		n, err := s.exec(ctx, "delete sso connection", `DELETE FROM us_sso_connections WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = notFound("delete sso connection")
		}
		return err
	})
}

// CreateFlow implements sso.Store.
func (s *Store) CreateFlow(ctx context.Context, f sso.Flow) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "create sso flow", `INSERT INTO us_sso_flows (state_digest, connection_id,
			nonce_digest, verifier, return_to, created_at, expires_at)
			SELECT ?, id, ?, ?, ?, ?, ? FROM us_sso_connections WHERE id = ? ON CONFLICT DO NOTHING`,
			f.State[:], f.Nonce[:], bytesArg(f.Verifier), f.ReturnTo, s.d.timeArg(f.CreatedAt), s.d.timeArg(f.ExpiresAt),
			f.ConnectionID)
		if err != nil || n > 0 {
			return err
		}
		var one int
		if err := s.queryRow(ctx, "create sso flow: connection", `SELECT 1 FROM us_sso_connections WHERE id = ?`,
			[]any{f.ConnectionID}, &one); err != nil {
			return err
		}
		return conflict("create sso flow: state taken")
	})
}

// TakeFlow implements sso.Store: one DELETE … RETURNING, so concurrent
// callers cannot both get the flow.
func (s *Store) TakeFlow(ctx context.Context, state sso.Digest) (sso.Flow, error) {
	f := sso.Flow{State: state}
	var nonce []byte
	err := s.writeOne(ctx, func(ctx context.Context) error {
		return s.queryRow(ctx, "take sso flow", `DELETE FROM us_sso_flows WHERE state_digest = ?
			RETURNING connection_id, nonce_digest, verifier, return_to, created_at, expires_at`,
			[]any{state[:]}, &f.ConnectionID, &nonce, &f.Verifier, &f.ReturnTo, dbTime{&f.CreatedAt}, dbTime{&f.ExpiresAt})
	})
	if err != nil {
		return sso.Flow{}, err
	}
	if len(nonce) != len(f.Nonce) {
		return sso.Flow{}, errf("take sso flow: nonce digest of %d bytes", len(nonce))
	}
	copy(f.Nonce[:], nonce)
	return f, nil
}

// DeleteFlowsBefore implements sso.Store in batches (WithDeleteBatch).
func (s *Store) DeleteFlowsBefore(ctx context.Context, t time.Time) (int, error) {
	return s.deleteBatched(ctx, "delete expired sso flows", "us_sso_flows", "state_digest",
		`expires_at < ?`, s.d.timeArg(t))
}

// AccountBySubject implements sso.Store.
func (s *Store) AccountBySubject(ctx context.Context, connectionID, subject string) (account.Account, error) {
	var a account.Account
	st, err := s.prepared(ctx, queryAccountBySubject)
	if err != nil {
		return a, translate(ctx, "account by sso subject", err)
	}
	return a, translate(ctx, "account by sso subject", scanAccount(st.QueryRowContext(ctx, connectionID, subject), &a))
}
