package fsredis

import (
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/fscollections/fscollections"
	"github.com/fscollections/fscollections/domain"
	"github.com/fscollections/fscollections/internal/engine"
)

// OpenList opens the list called name on the server (or Cluster) that
// client talks to, creating it if needed. opts nil means defaults; see
// the package documentation for the options that apply.
func OpenList[T any](client redis.UniversalClient, name string, opts *fscollections.Options) (*fscollections.FSList[T], error) {
	b, codec, err := open[T](client, name, opts, "list")
	if err != nil {
		return nil, err
	}
	h := new(fscollections.FSList[T])
	if err := engine.Attach(h, &list[T]{base: b, codec: codec}, name, opts); err != nil {
		return nil, err
	}
	return h, nil
}

// OpenMap opens the map called name; see OpenList.
func OpenMap[V any](client redis.UniversalClient, name string, opts *fscollections.Options) (*fscollections.FSMap[V], error) {
	b, codec, err := open[V](client, name, opts, "map")
	if err != nil {
		return nil, err
	}
	h := new(fscollections.FSMap[V])
	m := &hashMap[V]{base: b, codec: codec}
	m.mapKeys = []string{b.keys.vals, b.keys.order, b.keys.meta}
	m.mapIteration.m, m.mapAtomic.m, m.mapBatches.m = m, m, m
	if err := engine.Attach(h, m, name, opts); err != nil {
		return nil, err
	}
	return h, nil
}

// OpenSet opens the set called name; see OpenList.
func OpenSet[T any](client redis.UniversalClient, name string, opts *fscollections.Options) (*fscollections.FSSet[T], error) {
	b, codec, err := open[T](client, name, opts, "set")
	if err != nil {
		return nil, err
	}
	h := new(fscollections.FSSet[T])
	if err := engine.Attach(h, &set[T]{base: b, codec: codec}, name, opts); err != nil {
		return nil, err
	}
	return h, nil
}

// invalid is an ErrInvalidOptions error naming the field.
func invalid(field, why string) error {
	return fmt.Errorf("%w: %s %s on Redis", fscollections.ErrInvalidOptions, field, why)
}

// checkOptions refuses the options that mean nothing on Redis, naming the field.
func checkOptions(o *fscollections.Options) error {
	switch {
	case o.Cache != fscollections.NoCache || o.CacheSize != 0:
		return invalid("Cache/CacheSize", "has no meaning: values are read from the server")
	case o.Sync != fscollections.SyncNever || o.SyncInterval != 0:
		return invalid("Sync/SyncInterval", "has no meaning: durability is the server's appendonly and appendfsync configuration")
	case o.CompactionThreshold != 0:
		return invalid("CompactionThreshold", "has no meaning: there are no dead records to compact")
	case o.AutoCompact:
		return invalid("AutoCompact", "has no meaning: there are no dead records to compact")
	case o.Shared:
		return invalid("Shared", "is not needed: every Redis collection is shared by all its clients")
	case o.Compression != fscollections.NoCompression:
		return invalid("Compression", "is for file collections: Redis keeps each value as the codec's bytes")
	case o.LockTimeout != 0:
		return invalid("LockTimeout", "has no meaning: there is no file lock; the client's timeouts bound each call")
	}
	return nil
}

// open validates the arguments, checks or creates the collection's
// metadata and returns the engine's shared part and the codec.
func open[T any](client redis.UniversalClient, name string, opts *fscollections.Options, kind string) (*base, domain.Codec[T], error) {
	var o fscollections.Options
	if opts != nil {
		o = *opts
	}
	if client == nil {
		return nil, nil, fmt.Errorf("%w: a nil Redis client", fscollections.ErrInvalidOptions)
	}
	if name == "" {
		return nil, nil, fmt.Errorf("%w: a Redis collection needs a name", fscollections.ErrInvalidOptions)
	}
	if err := checkOptions(&o); err != nil {
		return nil, nil, err
	}
	codec, err := codecOf[T](o.Codec)
	if err != nil {
		return nil, nil, err
	}
	b := &base{rdb: client, name: name, keys: keysOf(name), readOnly: o.ReadOnly, appendOnly: o.AppendOnly}
	create := "1"
	if o.ReadOnly {
		create = "0"
	}
	res, err := openScript.Run(ctx, client, []string{b.keys.meta}, kind, codec.TypeName(), create).StringSlice()
	if err != nil {
		return nil, nil, b.wrap("Open", err)
	}
	switch len(res) {
	case 0:
		return b, codec, nil
	case 1:
		return nil, nil, fmt.Errorf("%w: the Redis %s %q does not exist (ReadOnly does not create it)", fscollections.ErrNotFound, kind, name)
	default:
		return nil, nil, fmt.Errorf("%w: %q on Redis is a %s of %s, not a %s of %s",
			fscollections.ErrTypeMismatch, name, res[0], res[1], kind, codec.TypeName())
	}
}

// codecOf returns the codec for T: the Options' Codec, or the built-in
// one. Collection handles as values are refused: a reference names files.
func codecOf[T any](custom any) (domain.Codec[T], error) {
	var zero T
	if custom != nil {
		c, ok := custom.(fscollections.Codec[T])
		if !ok {
			return nil, fmt.Errorf("%w: Codec is a %T, not a Codec[%T]", fscollections.ErrInvalidOptions, custom, zero)
		}
		return c, nil
	}
	switch any(zero).(type) {
	case interface {
		Path() string
		Len() int
	}:
		return nil, fmt.Errorf("%w: %T as a value on Redis: nested collections are references to files",
			fscollections.ErrUnsupportedType, zero)
	}
	c, err := fscollections.CodecFor[T]()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// LoadScripts loads the engine's Lua scripts into the server (every master
// of a Cluster), so that the first call of each is already by SHA. It is
// optional: a script the server does not have is loaded on first use.
func LoadScripts(client redis.UniversalClient) error {
	var errs []error
	for _, s := range allScripts {
		if err := s.Load(ctx, client).Err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// The Redis engine implements the seam.
var (
	_ engine.List[int] = (*list[int])(nil)
	_ engine.Map[int]  = (*hashMap[int])(nil)
	_ engine.Set[int]  = (*set[int])(nil)
)
