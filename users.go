package fscollections

import (
	"github.com/fscollections/fscollections/application"
	"github.com/fscollections/fscollections/domain"
)

// User is a person in the user database: ID (generated when zero), Name,
// Age and optional Extras (nil, bool, int, int64, float64, string, []byte,
// []any, map[string]any or time.Time values, nested). Users are equal when
// their IDs are (User.Equal); String gives `User "Alice" is 25 years old`.
// Users are stored with a compact binary encoding (User.MarshalBinary).
type User = domain.User

// UserStore is the user database: users stored as a typed collection with
// a persistent index by name, kept consistent with the users across
// crashes. See OpenUsers.
type UserStore = application.UserStore

// ExportFormat selects UserStore.Export's output.
type ExportFormat = application.ExportFormat

// The export formats.
const (
	// ExportJSONLines writes one JSON object per line, the old save format:
	// {"name":…,"age":…,"ID":…,"extras":{…}}.
	ExportJSONLines = application.ExportJSONLines
	// ExportText writes one readable line per user:
	// User "Alice" is 25 years old (ID: …).
	ExportText = application.ExportText
)

var (
	// ErrInvalidUser is returned for a user whose name is empty, not UTF-8
	// or over 256 bytes, or whose age is outside 0..150; the message says which.
	ErrInvalidUser = domain.ErrInvalidUser
	// ErrEmptyQuery is returned by UserStore.Add, RemoveIDs and RemoveNames
	// called with nothing to add or remove.
	ErrEmptyQuery = application.ErrEmptyQuery
)

// NewUser returns a valid user with a fresh random ID, or ErrInvalidUser.
func NewUser(name string, age int) (User, error) { return domain.NewUser(name, age) }

// OpenUsers opens or creates the user store at path (files
// path.data.fscollection and path.index.fscollection; "" for a temporary
// store). Options work as for the collections, except Shared, which a
// UserStore refuses. For the old database's autosave, use
// Options{Sync: SyncInterval, SyncInterval: d}: changes become durable
// every d in the background, and Close makes everything durable.
func OpenUsers(path string, opts *Options) (*UserStore, error) {
	s, _, _, err := settings[[]byte](path, opts, false)
	if err != nil {
		return nil, err
	}
	return application.OpenUsers(s)
}
