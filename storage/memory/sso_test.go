package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestSSOStore(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestSSOStore(t, func(t *testing.T) storagetest.SSOStore { return memory.New() })
	})
}
