package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestVerificationStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestVerificationStore(t, func(t *testing.T) storagetest.VerificationStore { return memory.New() })
	})
}
