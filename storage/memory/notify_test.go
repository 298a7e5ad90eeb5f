package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestNotifyStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestNotifyStore(t, func(t *testing.T) storagetest.NotifyStore {
			return memory.New()
		})
	})
}
