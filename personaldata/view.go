package personaldata

import (
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
// it.
type ProfileData struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	JobTitle      string   `json:"job_title"`
	Department    string   `json:"department"`
	Country       string   `json:"country"`
	AboutYou      string   `json:"about_you"`
	Skills        []string `json:"skills"`
	Industries    []string `json:"industry_experience"`
	TwitterURL    string   `json:"twitter_url"`
	LinkedInURL   string   `json:"linkedin_url"`
	RecoveryEmail string   `json:"recovery_email"`
	// PendingRecoveryEmail is a recovery email waiting for its code.
	PendingRecoveryEmail string `json:"pending_recovery_email"`
	Public               bool   `json:"public"`
	// Avatar describes the avatar image; nil when there is none.
	Avatar    *AvatarData `json:"avatar"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
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
