package domain

// HashKey exposes hashKey to the external tests.
var HashKey = hashKey
