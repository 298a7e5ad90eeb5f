package personaldata

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// SecurityLogSource covers the security log of the profile (package
// securitylog): Collect reads all of it, oldest first, into
// View.SecurityLog; EraseProfile deletes it. Events about a deleted
// account stay with the profile, as its security log, until the profile
// is erased or the retention job removes them.
func SecurityLogSource(store SecurityLog) Source {
	if store == nil {
		panic("personaldata: SecurityLogSource needs a SecurityLog")
	}
	return securityLogSource{store}
}

type securityLogSource struct{ store SecurityLog }

func (securityLogSource) Name() string { return "security_log" }

func (s securityLogSource) Collect(ctx context.Context, p Person, v *View) error {
	v.SecurityLog = []SecurityEvent{}
	err := s.store.EachSecurityEvent(ctx, p.ProfileID, func(e securitylog.Event) error {
		v.SecurityLog = append(v.SecurityLog, securityEvent(e))
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading security log: %w", err)
	}
	return nil
}

func (securityLogSource) EraseAccount(context.Context, string) error { return nil }

func (s securityLogSource) EraseProfile(ctx context.Context, profileID string) error {
	if err := s.store.DeleteSecurityEventsOfProfile(ctx, profileID); err != nil {
		return fmt.Errorf("deleting security log: %w", err)
	}
	return nil
}

// SecurityEvent is one event of the security log: what happened, when,
// from which client and about which account. It never holds a secret.
type SecurityEvent struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	At        time.Time `json:"at"`
	AccountID string    `json:"account_id,omitempty"`
	IP        string    `json:"ip,omitempty"`
	Device    string    `json:"device,omitempty"`
	Admin     string    `json:"admin,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// securityEvent converts a stored event.
func securityEvent(e securitylog.Event) SecurityEvent {
	return SecurityEvent{
		ID: e.ID, Kind: string(e.Kind), At: e.At, AccountID: e.AccountID,
		IP: e.IP, Device: e.Device, Admin: e.Admin, Detail: e.Detail,
	}
}
