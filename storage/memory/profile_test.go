package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestProfileStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestProfileStore(t, func(t *testing.T) storagetest.ProfileStore {
			return memory.New()
		})
	})
}
