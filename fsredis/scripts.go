package fsredis

import "github.com/redis/go-redis/v9"

// The Lua scripts. Each runs atomically on the server and touches only
// the keys of one collection (one hash tag, so one Cluster slot).
// go-redis calls them by SHA (EVALSHA) and loads them on the first
// NOSCRIPT, after a server restart too.

// openScript checks or creates the collection's metadata.
// KEYS: meta. ARGV: kind, type, create ("1" or "0").
// Returns {} when the metadata matches (or was created), {kind, type}
// when the name holds another kind or type, and {""} when the collection
// does not exist and create is "0".
var openScript = redis.NewScript(`
local kind = redis.call('HGET', KEYS[1], 'kind')
if kind == false then
  if ARGV[3] ~= '1' then return {''} end
  redis.call('HSET', KEYS[1], 'kind', ARGV[1], 'type', ARGV[2])
  return {}
end
local typ = redis.call('HGET', KEYS[1], 'type')
if kind ~= ARGV[1] or typ ~= ARGV[2] then return {kind, typ} end
return {}
`)

// mapPrelude is shared by the map scripts. KEYS: vals, order, meta.
//
// A map value is stored behind a 30-character header: its version (16
// hex digits) and the server time of its write in microseconds (14 hex
// digits). put writes key's value with the collection's next version; a
// new key's place in the order is that version (ZADD NX: an existing key
// keeps its place).
const mapPrelude = `
local function put(k, v)
  local ver = redis.call('HINCRBY', KEYS[3], 'ver', 1)
  redis.call('ZADD', KEYS[2], 'NX', ver, k)
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], k, string.format('%016x%014x', ver, t[1] * 1000000 + t[2]) .. v)
end
local function del(k)
  redis.call('ZREM', KEYS[2], k)
  redis.call('HDEL', KEYS[1], k)
end
local function value(cur) return string.sub(cur, 31) end
local function version(cur)
  if cur == false then return 0 end
  return tonumber(string.sub(cur, 1, 16), 16)
end
`

// mapSetScript sets key/value pairs. ARGV: appendOnly ("1"/"0"), k1, v1, k2, v2…
// Returns 0, or i when appendOnly and the i-th key (from 1) exists:
// then nothing is written.
var mapSetScript = redis.NewScript(mapPrelude + `
if ARGV[1] == '1' then
  for i = 2, #ARGV, 2 do
    if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then return i / 2 end
  end
end
for i = 2, #ARGV, 2 do put(ARGV[i], ARGV[i+1]) end
return 0
`)

// mapSetDefaultScript sets key to value unless present. ARGV: key, value.
// Returns {1, current} when present, {0} when it stored value.
var mapSetDefaultScript = redis.NewScript(mapPrelude + `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur ~= false then return {1, value(cur)} end
put(ARGV[1], ARGV[2])
return {0}
`)

// mapSwapScript sets key and returns the previous value. ARGV:
// appendOnly, key, value. Returns {1, previous}, {0} (was absent), or
// {-1} (appendOnly and present: nothing written).
var mapSwapScript = redis.NewScript(mapPrelude + `
local cur = redis.call('HGET', KEYS[1], ARGV[2])
if cur ~= false and ARGV[1] == '1' then return {-1} end
put(ARGV[2], ARGV[3])
if cur == false then return {0} end
return {1, value(cur)}
`)

// mapCASScript: ARGV: appendOnly, key, old, new. Returns 1 (swapped), 0
// (absent or not equal), -1 (equal but appendOnly).
var mapCASScript = redis.NewScript(mapPrelude + `
local cur = redis.call('HGET', KEYS[1], ARGV[2])
if cur == false or value(cur) ~= ARGV[3] then return 0 end
if ARGV[1] == '1' then return -1 end
put(ARGV[2], ARGV[4])
return 1
`)

// mapCADScript: ARGV: key, old. Returns 1 (deleted) or 0.
var mapCADScript = redis.NewScript(mapPrelude + `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur == false or value(cur) ~= ARGV[2] then return 0 end
del(ARGV[1])
return 1
`)

// mapDeleteScript: ARGV: key. Returns {1, value} or {0}.
var mapDeleteScript = redis.NewScript(mapPrelude + `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur == false then return {0} end
del(ARGV[1])
return {1, value(cur)}
`)

// mapDeleteIfVersionScript deletes each key whose version is still the
// one given. ARGV: k1, version1, k2, version2… Returns, per key, 1
// (deleted), 0 (changed since: a new version) or -1 (absent).
var mapDeleteIfVersionScript = redis.NewScript(mapPrelude + `
local out = {}
for i = 1, #ARGV, 2 do
  local v = version(redis.call('HGET', KEYS[1], ARGV[i]))
  if v == 0 then
    out[#out+1] = -1
  elseif v == tonumber(ARGV[i+1]) then
    del(ARGV[i])
    out[#out+1] = 1
  else
    out[#out+1] = 0
  end
end
return out
`)

// mapExistsScript reports, for each key of ARGV, 1 if present, else 0.
var mapExistsScript = redis.NewScript(`
local out = {}
for i = 1, #ARGV do out[i] = redis.call('HEXISTS', KEYS[1], ARGV[i]) end
return out
`)

// mapDeleteManyScript deletes keys. ARGV: keys. Returns how many were present.
var mapDeleteManyScript = redis.NewScript(mapPrelude + `
local n = 0
for i = 1, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    del(ARGV[i])
    n = n + 1
  end
end
return n
`)

// mapPopItemScript removes the most recently inserted key. Returns {1,
// key, value} or {0}.
var mapPopItemScript = redis.NewScript(mapPrelude + `
local last = redis.call('ZRANGE', KEYS[2], -1, -1)
if #last == 0 then return {0} end
local cur = redis.call('HGET', KEYS[1], last[1])
del(last[1])
return {1, last[1], value(cur)}
`)

// mapInfoScript: ARGV: key. Returns {header, size} or {} when absent.
var mapInfoScript = redis.NewScript(mapPrelude + `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur == false then return {} end
return {string.sub(cur, 1, 30), #cur - 30}
`)

// mapIfVersionScript writes or deletes key if its version is the given
// one (0: absent). ARGV: appendOnly, key, version, action ("u" to store
// value, "d" to delete), value. Returns {1} (done), {0, current
// version} (conflict), {-1} (appendOnly and present).
var mapIfVersionScript = redis.NewScript(mapPrelude + `
local v = version(redis.call('HGET', KEYS[1], ARGV[2]))
if v ~= tonumber(ARGV[3]) then return {0, v} end
if v ~= 0 and ARGV[1] == '1' then return {-1} end
if ARGV[4] == 'd' then del(ARGV[2]) else put(ARGV[2], ARGV[5]) end
return {1}
`)

// mapBatchScript reads the next batch in insertion order. ARGV: after
// (an exclusive score bound such as "(12", or "-inf"), count, withValues.
// Returns {{key1, score1, key2, score2…}, {value1, value2…}}, the values
// with their headers, and empty when not asked for.
var mapBatchScript = redis.NewScript(`
local ks = redis.call('ZRANGE', KEYS[2], ARGV[1], '+inf', 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]), 'WITHSCORES')
if ARGV[3] ~= '1' or #ks == 0 then return {ks, {}} end
local names = {}
for i = 1, #ks, 2 do names[#names+1] = ks[i] end
local vs = redis.call('HMGET', KEYS[1], unpack(names))
for i = 1, #vs do if vs[i] == false then vs[i] = '' end end
return {ks, vs}
`)

// setAddScript adds members: a new member takes the next insertion number.
// KEYS: order, meta. ARGV: members. Returns how many were new.
var setAddScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) == false then
    redis.call('ZADD', KEYS[1], redis.call('HINCRBY', KEYS[2], 'seq', 1), ARGV[i])
    n = n + 1
  end
end
return n
`)

// listInsertScript inserts before index i. KEYS: list. ARGV: i, value.
// Returns the length before, or -1-length when i is out of range.
var listInsertScript = redis.NewScript(`
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if i < 0 or i > n then return -1 - n end
if i == n then redis.call('RPUSH', KEYS[1], ARGV[2]) return n end
if i == 0 then redis.call('LPUSH', KEYS[1], ARGV[2]) return n end
if i < n / 2 then
  local head = redis.call('LRANGE', KEYS[1], 0, i - 1)
  redis.call('LTRIM', KEYS[1], i, -1)
  redis.call('LPUSH', KEYS[1], ARGV[2])
  for j = #head, 1, -1000 do
    local chunk = {}
    for k = j, math.max(1, j - 999), -1 do chunk[#chunk+1] = head[k] end
    redis.call('LPUSH', KEYS[1], unpack(chunk))
  end
else
  local tail = redis.call('LRANGE', KEYS[1], i, -1)
  redis.call('LTRIM', KEYS[1], 0, i - 1)
  redis.call('RPUSH', KEYS[1], ARGV[2])
  for j = 1, #tail, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(tail, j, math.min(#tail, j + 999)))
  end
end
return n
`)

// listPopScript removes element i. KEYS: list. ARGV: i, a tombstone
// value no element has. Returns {1, value}, {0, length} (out of range) or
// {-1} (empty).
var listPopScript = redis.NewScript(`
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if n == 0 then return {-1} end
if i < 0 or i >= n then return {0, n} end
if i == 0 then return {1, redis.call('LPOP', KEYS[1])} end
if i == n - 1 then return {1, redis.call('RPOP', KEYS[1])} end
local v = redis.call('LINDEX', KEYS[1], i)
redis.call('LSET', KEYS[1], i, ARGV[2])
redis.call('LREM', KEYS[1], 1, ARGV[2])
return {1, v}
`)

// listSliceScript returns elements lo..hi-1. KEYS: list. ARGV: lo, hi.
// Returns {1, {values}} or {0, length} when out of range.
var listSliceScript = redis.NewScript(`
local n = redis.call('LLEN', KEYS[1])
local lo, hi = tonumber(ARGV[1]), tonumber(ARGV[2])
if lo < 0 or hi > n or lo > hi then return {0, n} end
if lo == hi then return {1, {}} end
return {1, redis.call('LRANGE', KEYS[1], lo, hi - 1)}
`)

// listReverseScript reverses the list. KEYS: list.
var listReverseScript = redis.NewScript(`
local all = redis.call('LRANGE', KEYS[1], 0, -1)
if #all < 2 then return 0 end
redis.call('DEL', KEYS[1])
for j = 1, #all, 1000 do
  redis.call('LPUSH', KEYS[1], unpack(all, j, math.min(#all, j + 999)))
end
return 0
`)

// listSetScript replaces element i. KEYS: list. ARGV: i, value. Returns
// -1 when done, else the length (i out of range).
var listSetScript = redis.NewScript(`
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if i < 0 or i >= n then return n end
redis.call('LSET', KEYS[1], i, ARGV[2])
return -1
`)

// allScripts are loaded at open, so that the first call of each is an EVALSHA.
var allScripts = []*redis.Script{openScript, mapSetScript, mapSetDefaultScript, mapSwapScript,
	mapCASScript, mapCADScript, mapDeleteScript, mapDeleteManyScript, mapDeleteIfVersionScript, mapExistsScript, mapPopItemScript, mapInfoScript,
	mapIfVersionScript, mapBatchScript, setAddScript, listInsertScript, listPopScript,
	listSliceScript, listReverseScript, listSetScript}
