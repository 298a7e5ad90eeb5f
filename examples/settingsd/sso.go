package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/seed-a97ca23f/usersettings/account/sso"
)

// ssoFile is the JSON file of -sso:
//
//	{"connections": [{
//	  "id": "acme", "name": "Acme", "domains": ["acme.example"],
//	  "issuer": "https://login.acme.example",
//	  "client_id": "settingsd", "client_secret_env": "ACME_CLIENT_SECRET",
//	  "scopes": ["openid", "email", "profile"], "link": "verified_email"
//	}]}
//
// A client secret is given in the file (client_secret) or, better, named
// by an environment variable (client_secret_env); not both.
type ssoFile struct {
	Connections []ssoConnection `json:"connections"`
}

type ssoConnection struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	Domains         []string    `json:"domains"`
	Issuer          string      `json:"issuer"`
	ClientID        string      `json:"client_id"`
	ClientSecret    string      `json:"client_secret"`
	ClientSecretEnv string      `json:"client_secret_env"`
	Scopes          []string    `json:"scopes"`
	Claims          *sso.Claims `json:"claims"`
	Link            string      `json:"link"`
}

// readSSO reads and checks the connections of an -sso file.
func readSSO(path string) ([]sso.Connection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading -sso file: %w", err)
	}
	var f ssoFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("-sso file %s: %w", path, err)
	}
	out := make([]sso.Connection, 0, len(f.Connections))
	for i, c := range f.Connections {
		if c.ID == "" {
			return nil, fmt.Errorf("-sso file %s: connection %d has no id", path, i+1)
		}
		secret := c.ClientSecret
		if c.ClientSecretEnv != "" {
			if secret != "" {
				return nil, fmt.Errorf("-sso file %s: connection %s has both client_secret and client_secret_env", path, c.ID)
			}
			if secret = os.Getenv(c.ClientSecretEnv); secret == "" {
				return nil, fmt.Errorf("-sso file %s: connection %s: environment variable %s is empty", path, c.ID, c.ClientSecretEnv)
			}
		}
		conn := sso.Connection{
			ID: c.ID, Name: c.Name, Domains: c.Domains, Issuer: c.Issuer, ClientID: c.ClientID,
			ClientSecret: sso.NewSecret(secret), Scopes: c.Scopes, Link: sso.LinkPolicy(c.Link),
		}
		if c.Claims != nil {
			conn.Claims = *c.Claims
		}
		if _, err := sso.Normalize(conn); err != nil {
			return nil, fmt.Errorf("-sso file %s: connection %s: %w", path, c.ID, err)
		}
		out = append(out, conn)
	}
	return out, nil
}

// applySSO creates or updates each connection in the store.
func applySSO(ctx context.Context, svc *sso.Service, conns []sso.Connection) error {
	for _, c := range conns {
		_, err := svc.UpdateConnection(ctx, c)
		if errors.Is(err, sso.ErrUnknownConnection) {
			_, err = svc.CreateConnection(ctx, c)
		}
		if err != nil {
			return fmt.Errorf("single-sign-on connection %s: %w", c.ID, err)
		}
	}
	return nil
}

// redirectURL is the callback URL of the server as the identity
// providers know it.
func redirectURL(c config) string { return publicBase(c) + "/v1/sso/callback" }

// publicBase is the server's URL as browsers reach it, without a
// trailing slash: -public-url, else http://<addr>.
func publicBase(c config) string {
	base := c.publicURL
	if base == "" {
		base = "http://" + c.addr
	}
	return strings.TrimSuffix(base, "/")
}
