package domain_test

import (
	"testing"

	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/domain/domaintest"
)

// The contract suite on the in-memory fake: the domain's logic with no I/O.
func TestContractOnMemStorage(t *testing.T) {
	domaintest.RunStorageContract(t, func(t *testing.T) domaintest.Opener {
		disk := &domaintest.Disk{}
		return func(*testing.T) domain.Storage { return domaintest.NewMemStorage(disk) }
	})
}
