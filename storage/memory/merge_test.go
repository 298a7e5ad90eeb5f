package memory_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestMerge(t *testing.T) {
	t.Run("db=memory", func(t *testing.T) {
		storagetest.TestMerge(t, func(t *testing.T) storagetest.MergeStore { return memory.New() })
	})
}
