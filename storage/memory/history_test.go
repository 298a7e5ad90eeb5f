package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestHistoryStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestHistoryStore(t, func(t *testing.T) storagetest.HistoryStore {
			return memory.New()
		})
	})
}
