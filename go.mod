module github.com/fscollections/fscollections

go 1.26.8

require (
	github.com/edsrzf/mmap-go v1.2.0
	github.com/gofrs/flock v0.13.0
	github.com/google/uuid v1.6.0
	github.com/hashicorp/golang-lru/v2 v2.0.7
)

require golang.org/x/sys v0.37.0 // indirect
