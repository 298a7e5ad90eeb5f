// Package clock holds the one clock rule of the SDK's services: every
// time a service stamps or compares is in UTC, truncated to the
// microsecond, which is the precision that PostgreSQL keeps. A time
// written to any store therefore reads back equal to the one a service
// holds in memory.
package clock

import "time"

// Clock returns the current time by the rule of the package.
type Clock func() time.Time

// New returns the Clock that reads now, or time.Now when now is nil.
func New(now func() time.Time) Clock {
	if now == nil {
		now = time.Now
	}
	return func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}
