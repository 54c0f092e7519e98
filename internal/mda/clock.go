package mda

import "time"

// Clock is the client's source of time: the limiter, the retry waits and the token cache
// read it, so tests can replace real waiting with a fake clock they advance by hand.
type Clock interface {
	Now() time.Time
	// After fires once d has passed on this clock.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
