package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestTwoFactorStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestTwoFactorStore(t, func(t *testing.T) storagetest.TwoFactorStore { return memory.New() })
	})
}
