package web

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// storedKinds returns every securitylog.Kind but NoticeFailed, which is
// never stored.
func storedKinds() []securitylog.Kind {
	var kinds []securitylog.Kind
	for _, k := range securitylog.Kinds {
		if k != securitylog.NoticeFailed {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// TestEventLabelsComplete checks that the Security log page names every
// kind of event the SDK stores in words.
func TestEventLabelsComplete(t *testing.T) {
	for _, k := range storedKinds() {
		if _, ok := eventLabels[k]; !ok {
			t.Errorf("no label for the event kind %q", k)
		}
	}
}
