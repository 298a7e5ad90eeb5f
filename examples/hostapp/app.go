package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/errs/errhttp"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/token"
)

// CookieName is the host's own session cookie.
const CookieName = "hostapp_session"

// ScopeNotesRead is the one scope of the host's own API.
const ScopeNotesRead = "notes:read"

// App is the host: its users and sessions, its handlers, and the SDK.
type App struct {
	db    *sql.DB
	d     sqlstore.Dialect
	store *sqlstore.Store
	// Settings are the SDK's services, the only way the host reaches the
	// SDK.
	Settings *usersettings.Settings
	mux      *http.ServeMux
	// bcryptCost is the cost of the host's own password hashes.
	bcryptCost int
	// afterProvision, when set, runs after the SDK's insert in the
	// sign-up transaction: the tests make it fail.
	afterProvision func() error
}

// New migrates the host's schema and the SDK's next to it, wires the SDK
// with the host's revocation hook, and provisions the SDK accounts of
// users that have none yet (ImportUsers).
func New(ctx context.Context, db *sql.DB, d sqlstore.Dialect, o usersettings.Options) (*App, error) {
	if err := migrate(ctx, db, d); err != nil {
		return nil, err
	}
	a := &App{db: db, d: d, store: sqlstore.New(db, d), mux: http.NewServeMux(), bcryptCost: bcrypt.DefaultCost}
	if err := a.store.Migrate(ctx); err != nil {
		return nil, err
	}
	o.Revoker = account.RevokerFunc(a.revoke)
	if o.Scopes == nil {
		o.Scopes = []token.Scope{{Name: ScopeNotesRead, Description: "Read your notes"}}
	}
	s, err := usersettings.New(a.store, o)
	if err != nil {
		return nil, err
	}
	a.Settings = s
	if _, err := a.ImportUsers(ctx); err != nil {
		return nil, err
	}
	a.routes()
	return a, nil
}

// ServeHTTP serves the host's routes.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// revoke is the host's revocation hook (usersettings.Options.Revoker): it
// ends the host's own sessions that the revocation names, in the SDK's
// transaction of the change, so that both commit or roll back together.
func (a *App) revoke(ctx context.Context, r account.Revocation) error {
	var q querier = a.db
	if tx, ok := a.store.Tx(ctx); ok {
		q = tx
	}
	rows, err := q.QueryContext(ctx, rebind(a.d, `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.account_id = ?`), r.AccountID)
	if err != nil {
		return err
	}
	var ended []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if r.Ends(id) {
			ended = append(ended, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ended {
		if _, err := q.ExecContext(ctx, rebind(a.d, `DELETE FROM sessions WHERE id = ?`), id); err != nil {
			return err
		}
	}
	return nil
}

// querier is what the host runs its SQL on: its handle or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ImportUsers provisions an account of the SDK for every user of the
// host that has none yet (the users from before the SDK was embedded),
// with the user's bcrypt hash: the SDK verifies it and replaces it with
// argon2id at the account's first password check. It returns how many it
// provisioned.
func (a *App) ImportUsers(ctx context.Context) (int, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT id, email, password_hash FROM users WHERE account_id IS NULL`)
	if err != nil {
		return 0, err
	}
	type legacy struct{ id, email, hash string }
	var todo []legacy
	for rows.Next() {
		var u legacy
		if err := rows.Scan(&u.id, &u.email, &u.hash); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, u := range todo {
		err := a.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			p, err := a.Settings.Accounts.Provision(ctx, account.ProvisionInput{Email: u.email, PasswordHash: u.hash})
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, rebind(a.d, `UPDATE users SET account_id = ? WHERE id = ?`), p.Account.ID, u.id)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("hostapp: importing %s: %w", u.id, err)
		}
	}
	return len(todo), nil
}

// withTx runs fn in one transaction of the host's, with a context that
// makes every SDK call join it (sqlstore.Store.WithTx): the host's rows
// and the SDK's commit or roll back together.
func (a *App) withTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	txctx, committed := a.store.WithTx(ctx, tx)
	if err := fn(txctx, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	committed()
	return nil
}

// newID returns prefix and 16 random bytes in hex.
func newID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// dummyHash is checked for an unknown address, so that its answer takes
// as long as a wrong password's.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no user has this password"), bcrypt.DefaultCost)

// tokenHash is what the host stores of its cookie's secret.
func tokenHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Errors of the host's own handlers, in the SDK's vocabulary so that one
// mapping (errhttp) answers them all.
var (
	errUnauthenticated = errs.New(errs.Unauthenticated, "unauthenticated", "hostapp: not signed in")
	errBadRequest      = errs.New(errs.Malformed, "invalid_json", "hostapp: the body is not the JSON expected")
	errCredentials     = errs.New(errs.Unauthenticated, "invalid_credentials", "hostapp: wrong address or password")
	errSecondFactor    = errs.New(errs.Unauthenticated, "second_factor_required", "hostapp: the second factor is missing")
)

// fail answers err with the SDK's one HTTP mapping, and logs what it
// answers 500 (errors of the SDK hold no secret).
func fail(w http.ResponseWriter, r *http.Request, err error) {
	if a := errhttp.Write(w, r, err); a.Status >= http.StatusInternalServerError {
		slog.Error("request failed", "route", r.Pattern, "err", err.Error())
	}
}

// decode reads the JSON body into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadRequest
	}
	return nil
}

// reply answers v as JSON with the status.
func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// client is where the request comes from, for the SDK's log and lists.
func client(r *http.Request) auth.Client {
	return auth.Client{IP: r.RemoteAddr, UserAgent: r.UserAgent()}
}

// signUp is POST /signup {email, password}: the host's user and the
// SDK's account (with the host's bcrypt hash, and an empty profile) in
// one transaction.
func (a *App) signUp(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	if len(req.Password) < 12 || len(req.Password) > 72 {
		fail(w, r, errs.New(errs.Invalid, "password_policy", "hostapp: the password must have 12 to 72 bytes"))
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(req.Password), a.bcryptCost)
	if err != nil {
		fail(w, r, err)
		return
	}
	userID := newID("usr_")
	var acct account.Account
	err = a.withTx(r.Context(), func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, rebind(a.d, `INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)`),
			userID, req.Email, string(hash), time.Now().UTC().Format(time.RFC3339)); err != nil {
			return errs.Wrap(errs.Conflict, "email_taken", "hostapp: the address has a user", err)
		}
		p, err := a.Settings.Accounts.Provision(ctx, account.ProvisionInput{Email: req.Email, PasswordHash: string(hash)})
		if err != nil {
			return err
		}
		acct = p.Account
		if a.afterProvision != nil {
			if err := a.afterProvision(); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, rebind(a.d, `UPDATE users SET account_id = ? WHERE id = ?`), acct.ID, userID)
		return err
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, http.StatusCreated, map[string]string{"user_id": userID, "account_id": acct.ID})
}

// logIn is POST /login {email, password, otp}: the host checks its own
// bcrypt hash, with the SDK's throttle around the check
// (BeginHostSignIn), then starts its own session and registers it with
// the SDK (StartHost) in one transaction.
func (a *App) logIn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		OTP      string `json:"otp"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, r, err)
		return
	}
	ctx := r.Context()
	device := ""
	if c, err := r.Cookie("hostapp_device"); err == nil {
		device = c.Value
	}
	att, err := a.Settings.Accounts.BeginHostSignIn(ctx, account.HostLogin{Email: req.Email, Client: client(r), Device: device})
	if err != nil {
		fail(w, r, err) // throttled: 429 with Retry-After
		return
	}
	var userID, hash string
	var accountID sql.NullString
	err = a.db.QueryRowContext(ctx, rebind(a.d, `SELECT id, password_hash, account_id FROM users WHERE email = ?`), req.Email).
		Scan(&userID, &hash, &accountID)
	if errors.Is(err, sql.ErrNoRows) {
		hash = string(dummyHash) // the same work as a real check
	} else if err != nil {
		fail(w, r, err)
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(req.Password)) != nil || !accountID.Valid {
		if err := att.Failed(ctx); err != nil {
			fail(w, r, err)
			return
		}
		fail(w, r, errCredentials)
		return
	}
	res, err := att.Succeeded(ctx)
	if err != nil {
		fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "hostapp_device", Value: res.Device, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: 365 * 24 * 3600})
	method := auth.MethodPassword
	if res.SecondFactorRequired {
		if req.OTP == "" {
			fail(w, r, errSecondFactor)
			return
		}
		if err := a.Settings.TwoFactor.Verify(ctx, accountID.String, req.OTP, client(r)); err != nil {
			fail(w, r, err)
			return
		}
		method = auth.MethodSecondFactor
	}
	sessionID, secret := newID("hs_"), newID("")
	err = a.withTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, rebind(a.d, `INSERT INTO sessions (id, token_hash, user_id, created_at) VALUES (?, ?, ?, ?)`),
			sessionID, tokenHash(secret), userID, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		_, err := a.Settings.Sessions.StartHost(ctx, session.HostBegin{ID: sessionID, AccountID: accountID.String, Method: method, Client: client(r)})
		return err
	})
	if err != nil {
		fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	reply(w, http.StatusOK, map[string]any{"session_id": sessionID, "password_expired": res.PasswordExpired})
}

// me wraps a handler of a signed-in user: it finds the host's session of
// the cookie and asks the SDK whether it still stands (TouchHost: ended
// by a revocation, expired, or the account deactivated), then hands the
// handler the caller the SDK acts for.
func (a *App) me(h func(http.ResponseWriter, *http.Request, auth.Caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil {
			fail(w, r, errUnauthenticated)
			return
		}
		ctx := r.Context()
		var sessionID string
		err = a.db.QueryRowContext(ctx, rebind(a.d, `SELECT id FROM sessions WHERE token_hash = ?`), tokenHash(c.Value)).Scan(&sessionID)
		if err != nil {
			fail(w, r, errUnauthenticated)
			return
		}
		ses, err := a.Settings.Sessions.TouchHost(ctx, sessionID, client(r))
		if errors.Is(err, session.ErrInvalidSession) {
			_, _ = a.db.ExecContext(ctx, rebind(a.d, `DELETE FROM sessions WHERE id = ?`), sessionID)
			fail(w, r, errUnauthenticated)
			return
		}
		if err != nil {
			fail(w, r, err)
			return
		}
		caller := ses.Caller()
		caller.Client = client(r)
		h(w, r, caller)
	}
}
