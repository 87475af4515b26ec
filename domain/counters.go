package domain

import "sync/atomic"

// counters are what Metrics reports of a handle's history.
type counters struct {
	cleanShutdown bool // the previous Close was clean
	recoveries    atomic.Int64
	replayed      atomic.Int64
	torn          atomic.Int64
	compactions   atomic.Int64
	reads         atomic.Int64
	cacheHits     atomic.Int64
	cacheMisses   atomic.Int64
	cacheEvicts   atomic.Int64
}

// fill copies the counters into m.
func (n *counters) fill(m *Metrics) {
	m.CleanShutdown = n.cleanShutdown
	m.Recoveries = n.recoveries.Load()
	m.RecordsReplayed = n.replayed.Load()
	m.TornBytes = n.torn.Load()
	m.Compactions = n.compactions.Load()
	m.CacheHits = n.cacheHits.Load()
	m.CacheMisses = n.cacheMisses.Load()
	m.CacheEvictions = n.cacheEvicts.Load()
	m.Reads = n.reads.Load()
}
