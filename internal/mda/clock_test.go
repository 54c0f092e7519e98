package mda

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that only moves when told. In auto mode, After moves the clock
// forward by d at once and fires, so code that waits (retries, the limiter) runs with no
// real sleep; the waits are recorded for assertions.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	timers  []fakeTimer
	waits   []time.Duration
	changed chan struct{} // closed and replaced whenever a timer is added
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

var clockEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newFakeClock() *fakeClock {
	return &fakeClock{now: clockEpoch, changed: make(chan struct{})}
}

func newAutoClock() *fakeClock {
	c := newFakeClock()
	c.auto = true
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	if c.auto || d <= 0 {
		if d > 0 {
			c.now = c.now.Add(d)
		}
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

// Waits returns the durations passed to After so far.
func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// blockUntilTimer waits (in real time, bounded) until a timer is pending: the code under
// test has reached its wait.
func (c *fakeClock) blockUntilTimer(t *testing.T) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		c.mu.Lock()
		pending, changed := len(c.timers), c.changed
		c.mu.Unlock()
		if pending > 0 {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("timed out waiting for the code under test to wait on the clock")
		}
	}
}
