package auth

import (
	"fmt"
	"strings"
)

// Admin is the support person behind an admin operation: an operation a
// service does on a person's behalf, outside self-service (deactivating
// an account, deleting an account its person can no longer reach, …).
// Admin operations are separate, explicitly named methods (AdminDelete,
// AdminDeactivate, …) that take an Admin instead of a Caller; each use is
// recorded in the person's change history and security log with ID and
// Reason. The host authenticates and authorises its support staff
// itself: the SDK only refuses an Admin without an ID or a reason.
type Admin struct {
	// ID names the support person, as the host knows them (an employee
	// id or address); shown to the person in the security log.
	ID string
	// Reason says why, such as a ticket number; recorded with the
	// operation.
	Reason string
}

// Valid returns ErrInvalidCaller for an Admin without an ID or a reason.
func (a Admin) Valid() error {
	switch {
	case strings.TrimSpace(a.ID) == "":
		return fmt.Errorf("auth: admin without an id: %w", ErrInvalidCaller)
	case strings.TrimSpace(a.Reason) == "":
		return fmt.Errorf("auth: admin operation without a reason: %w", ErrInvalidCaller)
	}
	return nil
}

// String describes the admin and the reason, as recorded in the history.
func (a Admin) String() string { return "admin " + a.ID + ": " + a.Reason }
