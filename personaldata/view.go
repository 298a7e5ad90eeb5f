package personaldata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// SchemaVersion is the version of the personal-data.json schema written
// by ExportJSON and ExportZIP. It changes only when a field is renamed or
// removed or its meaning changes; new fields may appear within a version.
const SchemaVersion = 1

// View is everything stored about one person: the profile and, for each
// of its accounts, what the SDK keeps about the account. It never holds a
// password, password hash, token, key, digest, code or TOTP secret, and
// never data of another profile. Its JSON form is personal-data.json (see
// the package documentation for the schema).
type View struct {
	SchemaVersion int `json:"schema_version"`
	// ExportedAt is when the view was collected.
	ExportedAt time.Time `json:"exported_at"`
	// TrackingSince is when the host started to record the change
	// history; changes made before are not in History.
	TrackingSince time.Time `json:"tracking_since"`

	Profile       ProfileData      `json:"profile"`
	Progress      profile.Progress `json:"community_progress"`
	Accounts      []AccountData    `json:"accounts"`
	CodesSent     []CodeSend       `json:"verification_codes_sent"`
	Mail          []MailData       `json:"mail"`
	TwoFactor     []TwoFactorData  `json:"two_factor"`
	Passkeys      []PasskeyData    `json:"passkeys"`
	Tokens        []TokenData      `json:"personal_access_tokens"`
	APIKeys       []APIKeyData     `json:"api_keys"`
	Notifications NotificationData `json:"notifications"`
	Merges        []MergeData      `json:"merges"`
	Sessions      []SessionData    `json:"sessions"`
	// SecurityLog is the security log, oldest first.
	SecurityLog []SecurityEvent `json:"security_log"`
	// Extra holds the sections of the host's own sources, by name; the
	// SDK's sources never write to it.
	Extra   map[string]any `json:"extra,omitempty"`
	History []HistoryEntry `json:"history"`
}

// ProfileData is the profile with its private fields, as its owner sees
// it. Its fields are those of profile.Profile, promoted, except Avatar.
// Its JSON form follows the profile's field table (profile.Fields): "id",
// then every field by its JSON name in table order (lists as arrays,
// never null), then the Extra fields by name, then "avatar",
// "created_at" and "updated_at".
type ProfileData struct {
	profile.Profile
	// Avatar describes the avatar image; nil when there is none. It
	// shadows Profile.Avatar, which keeps the stored description.
	Avatar *AvatarData
	// Extra holds the values of the fields of a host's own table (see
	// NewProfileData) that profile.Fields does not know, by JSON name.
	Extra map[string]any
}

// AvatarData describes the avatar image. In a ZIP download the image is
// the file named File.
type AvatarData struct {
	File        string `json:"file"` // "avatar.png", "avatar.jpg", "avatar.gif" or "avatar.webp"
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	SHA256      string `json:"sha256"`
}

// AccountData is one login account of the profile, without its password
// hash.
type AccountData struct {
	ID      string `json:"id"`
	Email   string `json:"email"`
	Company string `json:"company"`
	SSO     bool   `json:"sso"`
	Status  string `json:"status"`
	// HasPassword is false for single-sign-on accounts without one.
	HasPassword       bool      `json:"has_password"`
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
	Marketing         bool      `json:"marketing"`
	Credits           int64     `json:"credits"`
	CreatedAt         time.Time `json:"created_at"`
}

// CodeSend is one emailed verification code: where and when it was sent,
// never the code.
type CodeSend struct {
	Address string    `json:"address"`
	SentAt  time.Time `json:"sent_at"`
}

// PasskeyData is one passkey of an account: its name, dates, transports,
// backup flags and authenticator model, never its credential ID or
// public key.
type PasskeyData struct {
	ID             string    `json:"id"`
	AccountID      string    `json:"account_id"`
	Name           string    `json:"name"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
	Transports     []string  `json:"transports"`
	BackupEligible bool      `json:"backup_eligible"`
	BackupState    bool      `json:"backup_state"`
	AAGUID         string    `json:"aaguid"`
}

// TwoFactorData is the second factor of one account: its method and when
// it was enabled, never the secret, phone number or codes.
type TwoFactorData struct {
	AccountID string    `json:"account_id"`
	Method    string    `json:"method"` // "none", "sms" or "authenticator"
	EnabledAt time.Time `json:"enabled_at,omitzero"`
}

// TokenData describes a personal access token without its secret or
// digest.
type TokenData struct {
	ID         string    `json:"id"`
	AccountID  string    `json:"account_id"`
	Name       string    `json:"name"`
	Scopes     []string  `json:"scopes"`
	Last4      string    `json:"last4"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
}

// APIKeyData describes an API key without the key or its digest.
type APIKeyData struct {
	ID          string    `json:"id"`
	AccountID   string    `json:"account_id"`
	Description string    `json:"description"`
	Last4       string    `json:"last4"`
	CreatedAt   time.Time `json:"created_at"`
}

// NotificationData holds the notification settings and watched apps.
type NotificationData struct {
	// Saved is false when the profile never saved settings; the values
	// are then the defaults.
	Saved         bool         `json:"saved"`
	DailyDigest   bool         `json:"daily_digest"`
	ThreadUpdates bool         `json:"thread_updates"`
	WatchedApps   []WatchedApp `json:"watched_apps"`
}

// WatchedApp is an app the profile watches.
type WatchedApp struct {
	AppID   string    `json:"app_id"`
	AppName string    `json:"app_name"`
	Since   time.Time `json:"since"`
}

// MergeData is one profile merge this profile took part in: what the
// person did and when, never the other profile's data.
type MergeData struct {
	ID     string    `json:"id"`
	Role   string    `json:"role"`   // "kept" (this profile received the data) or "merged_away"
	State  string    `json:"state"`  // the state of the merge flow, or "completed"
	At     time.Time `json:"at"`     // when the record was made
	Detail string    `json:"detail"` // non-secret description
}

// SessionData is one sign-in session of an account: which account signed
// in when and how, last proved who it was when, was last seen when, and
// from which client (IP address, User-Agent and the device label made of
// it); never the secret or its digest.
type SessionData struct {
	ID              string    `json:"id"`
	AccountID       string    `json:"account_id"`
	Method          string    `json:"method"`
	CreatedAt       time.Time `json:"created_at"`
	AuthenticatedAt time.Time `json:"authenticated_at"`
	LastSeenAt      time.Time `json:"last_seen_at"`
	IP              string    `json:"ip"`
	UserAgent       string    `json:"user_agent"`
	Device          string    `json:"device"`
}

// HistoryEntry is one recorded change of personal data: which item, how,
// when and by which account. It never holds a value of a secret.
type HistoryEntry struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Item      string    `json:"item"`
	Action    string    `json:"action"`
	Detail    string    `json:"detail,omitempty"`
	AccountID string    `json:"account_id,omitempty"`
}

// historyEntry converts a stored entry.
func historyEntry(e history.Entry) HistoryEntry {
	return HistoryEntry{
		ID: e.ID, At: e.At, Item: e.Item, Action: string(e.Action),
		Detail: e.Detail, AccountID: e.AccountID,
	}
}

// HistoryPage is one page of the change history, newest first.
type HistoryPage struct {
	Entries  []HistoryEntry `json:"entries"`
	Page     int            `json:"page"`      // 1-based
	PageSize int            `json:"page_size"` // entries per page
	// More reports whether older entries follow.
	More bool `json:"more"`
}

// NewProfileData returns the personal-data view of p following the field
// table t (nil means profile.Fields): the values of the fields that
// profile.Fields does not know, a host's own, go to Extra.
func NewProfileData(t profile.Table, p profile.Profile) ProfileData {
	d := ProfileData{Profile: p}
	d.Profile.Skills, d.Profile.Industries = nonNil(p.Skills), nonNil(p.Industries)
	builtin := profile.Fields()
	for _, f := range t {
		if _, ok := builtin.Lookup(f.JSON); ok {
			continue
		}
		if d.Extra == nil {
			d.Extra = map[string]any{}
		}
		d.Extra[f.JSON] = f.Get(p)
	}
	if !p.Avatar.IsZero() {
		d.Avatar = &AvatarData{
			File: AvatarFileName(p.Avatar.ContentType), ContentType: p.Avatar.ContentType,
			Size: p.Avatar.Size, Width: p.Avatar.Width, Height: p.Avatar.Height, SHA256: p.Avatar.Digest,
		}
	}
	return d
}

// MarshalJSON writes the profile's fields as the field table lists them.
func (d ProfileData) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	put := func(name string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("personaldata: profile field %s: %w", name, err)
		}
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(name) // a string always marshals
		b.Write(key)
		b.WriteByte(':')
		b.Write(data)
		return nil
	}
	if err := put("id", d.ID); err != nil {
		return nil, err
	}
	for _, f := range profile.Fields() {
		if f.Kind == profile.KindAvatar {
			continue
		}
		v := f.Get(d.Profile)
		if l, ok := v.([]string); ok {
			v = nonNilKeep(l)
		}
		if err := put(f.JSON, v); err != nil {
			return nil, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(d.Extra)) {
		if err := put(name, d.Extra[name]); err != nil {
			return nil, err
		}
	}
	for _, kv := range []struct {
		name string
		v    any
	}{{"avatar", d.Avatar}, {"created_at", d.CreatedAt}, {"updated_at", d.UpdatedAt}} {
		if err := put(kv.name, kv.v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes; fields absent from data
// keep their zero value, and names profile.Fields does not know go to
// Extra as raw JSON.
func (d *ProfileData) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	var out ProfileData
	for name, dst := range map[string]any{"id": &out.ID, "avatar": &out.Avatar, "created_at": &out.CreatedAt, "updated_at": &out.UpdatedAt} {
		if m, ok := raw[name]; ok {
			if err := json.Unmarshal(m, dst); err != nil {
				return fmt.Errorf("personaldata: profile field %s: %w", name, err)
			}
			delete(raw, name)
		}
	}
	for _, f := range profile.Fields() {
		m, ok := raw[f.JSON]
		if !ok {
			continue
		}
		delete(raw, f.JSON)
		if f.Kind == profile.KindAvatar {
			continue
		}
		if err := unmarshalField(f, m, &out.Profile); err != nil {
			return err
		}
	}
	for name, m := range raw {
		if out.Extra == nil {
			out.Extra = map[string]any{}
		}
		out.Extra[name] = m
	}
	if out.Avatar != nil {
		out.Profile.Avatar = profile.AvatarInfo{
			ContentType: out.Avatar.ContentType, Size: out.Avatar.Size,
			Width: out.Avatar.Width, Height: out.Avatar.Height, Digest: out.Avatar.SHA256,
		}
	}
	*d = out
	return nil
}

// unmarshalField decodes the JSON value m of the field f into p.
func unmarshalField(f profile.Field, m json.RawMessage, p *profile.Profile) error {
	var err error
	switch v := f.Zero().(type) {
	case string:
		err = json.Unmarshal(m, &v)
		f.Set(p, v)
	case []string:
		err = json.Unmarshal(m, &v)
		f.Set(p, v)
	case bool:
		err = json.Unmarshal(m, &v)
		f.Set(p, v)
	}
	if err != nil {
		return fmt.Errorf("personaldata: profile field %s: %w", f.JSON, err)
	}
	return nil
}
