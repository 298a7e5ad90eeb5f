package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestAccountStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestAccountStore(t, func(t *testing.T) storagetest.AccountStore { return memory.New() })
	})
}
