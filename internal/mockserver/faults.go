package mockserver

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Fault makes matching requests fail. Faults apply before authentication and throttling
// (so a fault can stand in for an outage of the whole front end) and the requests they
// hit are still counted in Stats.
type Fault struct {
	// Match is "<METHOD> <path>". METHOD may be "*". The path is a route pattern as Stats
	// spells it ("/api/v1/subnet/{id}/", "/{tenant}/oauth2/v2.0/token"), a concrete path,
	// or either with a trailing "*" for a prefix; /cas/api and missing slashes are
	// normalised as for requests.
	Match   string `json:"match"`
	Status  int    `json:"status"`
	Count   int    `json:"count"` // the next N matching requests; 0 -> 1
	DelayMS int    `json:"delay_ms"`
	Drop    bool   `json:"drop"` // close the connection without a response
	// Body replaces the default {"detail": ...}; a body starting with "<" is sent as
	// text/html, like the portal's error pages, anything else as application/json (so a
	// malformed JSON body can be injected).
	Body string `json:"body"`
	// After applies the fault once the request has taken effect: the write happened, the
	// client sees a failure.
	After bool `json:"after"`
	// Fraction, when above 0, fails that share of matching requests (seeded, so runs
	// repeat) until faults are cleared, instead of the next Count.
	Fraction float64 `json:"fraction"`
	// Headers are added to an injected response, e.g. a Retry-After on a 503.
	Headers map[string]string `json:"headers,omitempty"`
}

type activeFault struct {
	Fault
	method, path string
	remaining    int
}

type faultSet struct {
	list []*activeFault
	rng  *rand.Rand
}

func newFaultSet(seed int64) *faultSet {
	return &faultSet{rng: rand.New(rand.NewPCG(uint64(seed), 0x6d64612d6d6f636b))}
}

func (fs *faultSet) add(f Fault) {
	method, path, ok := strings.Cut(strings.TrimSpace(f.Match), " ")
	if !ok {
		method, path = "*", method
	}
	path = strings.TrimSpace(path)
	if prefix, ok := strings.CutSuffix(path, "*"); ok {
		// Keep a prefix as written, bar the /cas alias: "/api/v1/subnet/*" must not grow a slash.
		if p, ok := strings.CutPrefix(prefix, "/cas/api/"); ok {
			prefix = "/api/" + p
		}
		path = prefix + "*"
	} else {
		path = canonicalPath(path)
	}
	if f.Count <= 0 {
		f.Count = 1
	}
	fs.list = append(fs.list, &activeFault{Fault: f, method: strings.ToUpper(method), path: path, remaining: f.Count})
}

// take returns the first fault that matches the request and spends one of its uses.
// key is the stats key ("<METHOD> <pattern>"), path the canonical request path; a fault
// matches either.
func (fs *faultSet) take(method, key, path string) *Fault {
	// Both sides end in a slash: canonical paths always do, the token pattern gets one.
	_, pattern, _ := strings.Cut(key, " ")
	if !strings.HasSuffix(pattern, "/") {
		pattern += "/"
	}
	for i, f := range fs.list {
		if f.method != "*" && f.method != method {
			continue
		}
		if !f.matchesPath(pattern) && !f.matchesPath(path) {
			continue
		}
		if f.Fraction > 0 {
			if fs.rng.Float64() >= f.Fraction {
				continue
			}
			out := f.Fault
			return &out
		}
		f.remaining--
		if f.remaining <= 0 {
			fs.list = append(fs.list[:i], fs.list[i+1:]...)
		}
		out := f.Fault
		return &out
	}
	return nil
}

func (f *activeFault) matchesPath(p string) bool {
	if prefix, ok := strings.CutSuffix(f.path, "*"); ok {
		return strings.HasPrefix(p, prefix)
	}
	return f.path == p
}

func (fs *faultSet) snapshot() []Fault {
	out := make([]Fault, 0, len(fs.list))
	for _, f := range fs.list {
		c := f.Fault
		if c.Fraction == 0 {
			c.Count = f.remaining
		}
		out = append(out, c)
	}
	return out
}

// AddFault queues a fault; see Fault for matching.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.add(f)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.list = nil
}

// Faults lists the queued faults with their remaining counts.
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.snapshot()
}

// injectFault applies f and reports whether it answered the request. A fault with only a
// delay answers nothing: the request then proceeds normally.
func injectFault(w *statusWriter, r *http.Request, f *Fault) bool {
	if f.DelayMS > 0 {
		// A real sleep, not the injected clock: delays exist to trip client timeouts.
		t := time.NewTimer(time.Duration(f.DelayMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.Drop {
		w.dropped = true
		if h, ok := w.hijacker(); ok {
			if conn, _, err := h.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		// Not hijackable (HTTP/2, a recorder): aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	if f.Status == 0 {
		return false
	}
	for k, v := range f.Headers {
		w.Header().Set(k, v)
	}
	if f.Body == "" {
		writeDetail(w, f.Status, http.StatusText(f.Status)+" (injected fault)")
		return true
	}
	if strings.HasPrefix(f.Body, "<") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
	return true
}
