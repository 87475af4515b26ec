package infrastructure_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/domain/domaintest"
	"github.com/fscollections/fscollections/infrastructure"
)

// The same contract suite on real files.
func TestContractOnFiles(t *testing.T) {
	domaintest.RunStorageContract(t, func(t *testing.T) domaintest.Opener {
		base := filepath.Join(t.TempDir(), "c")
		return func(t *testing.T) domain.Storage {
			// Shared mode per operation, so several handles may be open
			// at once as the shared-handles contract needs.
			s, err := infrastructure.OpenStorage(base, infrastructure.Shared, time.Second, nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}
