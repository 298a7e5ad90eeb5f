package auth

import "fmt"

// Admin is a member of support staff acting on a person's behalf through
// one of the SDK's explicitly named support operations (such as
// profile.Service.SetRecoveryEmail). It is never a Caller: a support
// operation takes it as its own argument, and every use is recorded in
// the person's history and security log with ID and Reason.
type Admin struct {
	// ID names the support person, as the host's staff directory knows
	// them.
	ID string
	// Reason is why they act, such as a support ticket; it is shown to
	// the person in the security log.
	Reason string
}

// Valid returns ErrInvalidCaller for an Admin without an ID or a Reason.
func (a Admin) Valid() error {
	switch {
	case a.ID == "":
		return fmt.Errorf("%w: admin without id", ErrInvalidCaller)
	case a.Reason == "":
		return fmt.Errorf("%w: admin without reason", ErrInvalidCaller)
	}
	return nil
}
