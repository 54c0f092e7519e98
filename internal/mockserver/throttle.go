package mockserver

import "time"

// slidingWindow admits at most rate requests in any window. The docs say "30 requests per
// minute per tenant" and no more (mda-api.md 1.7); sliding rather than fixed is the
// stricter reading ([U]), so a client that survives it survives either. One server is one
// tenant, so every credential shares the one window.
type slidingWindow struct {
	rate   int // negative: unlimited
	window time.Duration
	hits   []time.Time // admitted requests inside the window, oldest first
}

func newSlidingWindow(rate int, window time.Duration) *slidingWindow {
	return &slidingWindow{rate: rate, window: window}
}

// admit records a request at now if a slot is free. Otherwise it returns how long until
// the oldest hit leaves the window; a refused request takes no slot.
func (w *slidingWindow) admit(now time.Time) (time.Duration, bool) {
	if w.rate < 0 {
		return 0, true
	}
	cutoff := now.Add(-w.window)
	drop := 0
	for drop < len(w.hits) && !w.hits[drop].After(cutoff) {
		drop++
	}
	w.hits = w.hits[drop:]
	if len(w.hits) < w.rate {
		w.hits = append(w.hits, now)
		return 0, true
	}
	return w.hits[0].Add(w.window).Sub(now), false
}

func (w *slidingWindow) reset() { w.hits = nil }
