package fscollections

// ExportFormat selects UserStore.Export's output.
type ExportFormat int

// The export formats.
const (
	// ExportJSONLines writes one JSON object per line, the old save format:
	// {"name":…,"age":…,"ID":…,"extras":{…}}.
	ExportJSONLines ExportFormat = iota
	// ExportText writes one readable line per user:
	// User "Alice" is 25 years old (ID: …).
	ExportText
)
