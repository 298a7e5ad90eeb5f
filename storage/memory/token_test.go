package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestTokenStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestTokenStore(t, func(t *testing.T) storagetest.TokenStore { return memory.New() })
	})
}
