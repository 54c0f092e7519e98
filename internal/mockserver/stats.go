package mockserver

import "maps"

// Stats counts requests by canonical route ("POST /api/v1/subnet/", "DELETE
// /api/v1/subnet/{id}/", "POST /{tenant}/oauth2/v2.0/token"): /cas/api, /api/subnet and a
// missing trailing slash all count under the /api/v1/.../ spelling. Admin requests are
// never counted; throttled and fault-injected requests are.
type Stats struct {
	Total     int            `json:"total"`
	Throttled int            `json:"throttled"`
	Routes    map[string]int `json:"routes"`
	// Faulted counts requests that an injected fault answered, dropped or delayed, so a
	// run under a Fraction fault can report how many failures it actually absorbed.
	Faulted int `json:"faulted"`
}

func newStats() Stats { return Stats{Routes: map[string]int{}} }

func (st *Stats) count(key string) {
	st.Total++
	st.Routes[key]++
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.Routes = maps.Clone(s.stats.Routes)
	return c
}

// ResetStats zeroes the counters; data, faults and the throttle window are kept.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = newStats()
}

// Reset zeroes the counters. With reseed it also restores the seeded data, clears faults
// and empties the throttle window, so a benchmark can start from a known tenant.
func (s *Server) Reset(reseed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = newStats()
	if reseed {
		s.store = newStore(s.opts.Seed, s.now())
		s.faults = newFaultSet(s.opts.Seed)
		s.throttle.reset()
	}
}

// ResetThrottle empties the throttle window, as if a quiet minute had passed.
func (s *Server) ResetThrottle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle.reset()
}
