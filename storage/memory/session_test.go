package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestSessionStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestSessionStore(t, func(t *testing.T) storagetest.SessionStore { return memory.New() })
	})
}
