package mda

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// window is the span over which MDA counts requests.
const window = time.Minute

// limiter allows at most n requests in any window-long span, across every goroutine of
// one client and, through an optional state file, across processes that talk to the
// same portal. MDA's budget (30 per minute) is per tenant and shared with every other
// integration, so a 429 also closes the window (Penalize): someone else is spending it.
type limiter struct {
	n      int
	clock  Clock
	logger Logger
	file   *windowFile // nil: the window lives in memory only
	// service names whose budget this is, in log entries and errors.
	service string

	mu sync.Mutex
	// stamps are the times of this limiter's own requests within the window, oldest
	// first: when each was sent, and once answered, when its answer came (Done).
	stamps []time.Time
	// others are the requests other processes recorded in the state file, oldest first.
	others       []time.Time
	penaltyUntil time.Time
}

func newLimiter(n int, clock Clock, logger Logger, file *windowFile) *limiter {
	return &limiter{n: n, clock: clock, logger: logger, file: file, service: "MDA"}
}

// Acquire blocks until a request may start and records it; the request's answer is then
// reported with Done. It returns the time its slot was recorded at, or early, with an
// error wrapping ctx.Err(), when ctx ends.
func (l *limiter) Acquire(ctx context.Context) (time.Time, error) {
	start := l.clock.Now()
	var wait time.Duration // the wait under way when ctx ended
	var reason string
	for {
		if err := ctx.Err(); err != nil {
			return time.Time{}, l.canceled(err, start, wait, reason)
		}
		var at time.Time
		wait, reason, at = l.reserve(ctx)
		if wait <= 0 {
			return at, nil
		}
		l.logger.Log(ctx, LevelInfo, "waiting for the "+l.service+" rate limit window", map[string]any{
			"wait":                wait.String(),
			"reason":              reason,
			"requests_per_minute": l.n,
		})
		waitStart := l.clock.Now()
		select {
		case <-ctx.Done():
			left := wait - l.clock.Now().Sub(waitStart)
			return time.Time{}, l.canceled(ctx.Err(), start, left, reason)
		case <-l.clock.After(wait):
		}
	}
}

// Done moves a request's slot from when it was sent to when its answer came. MDA counts a
// request when it arrives, which can be any time up to the answer: a first request that
// waited for a new connection may arrive well after it was sent. A slot freed a window
// after the send could then let a 31st request reach MDA inside the window MDA sees;
// freed a window after the answer, MDA has surely freed it too.
func (l *limiter) Done(sent time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if !now.After(sent) {
		return
	}
	for i, t := range l.stamps {
		if t.Equal(sent) {
			l.stamps = append(l.stamps[:i], l.stamps[i+1:]...)
			break
		}
	}
	// A slot already pruned belonged to a request slower than the window; it counts from
	// its answer all the same.
	at := len(l.stamps)
	for at > 0 && l.stamps[at-1].After(now) {
		at--
	}
	l.stamps = slices.Insert(l.stamps, at, now)
	l.saveLocked(now)
}

// canceled is the error of a wait for a slot that ctx ended: how long it had waited,
// and how much longer the window would have held it (left), and why.
func (l *limiter) canceled(err error, start time.Time, left time.Duration, reason string) error {
	waited := max(0, l.clock.Now().Sub(start))
	msg := fmt.Sprintf("gave up waiting for a free slot in the %s rate limit (%d requests per minute) after %s", l.service, l.n, waited.Round(time.Millisecond))
	if left > 0 {
		msg += fmt.Sprintf(", %s before the slot would have been free (%s)", left.Round(time.Millisecond), reason)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// reserve records a request and returns 0 and the time recorded when the window has
// room; otherwise it returns how long until it may have room, and why not now.
func (l *limiter) reserve(ctx context.Context) (time.Duration, string, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if l.file == nil {
		wait, reason := l.reserveLocked(now)
		return wait, reason, now
	}
	var wait time.Duration
	var reason string
	err := l.file.update(l.clock, func(st *windowState) {
		l.others = st.others(l.file.id, now)
		if st.PenaltyUntil > l.penaltyUntil.UnixNano() {
			l.penaltyUntil = time.Unix(0, st.PenaltyUntil)
		}
		wait, reason = l.reserveLocked(now)
		st.set(l.file.id, l.stamps, l.penaltyUntil, now)
	})
	if err != nil {
		// The file is an optimisation across processes; this process's own window still holds.
		l.logger.Log(ctx, LevelWarn, "the rate limit window file is unusable; counting this process's requests only", map[string]any{
			"path":  l.file.path,
			"error": err.Error(),
		})
		l.file = nil
		l.others = nil
		wait, reason = l.reserveLocked(now)
	}
	return wait, reason, now
}

func (l *limiter) reserveLocked(now time.Time) (time.Duration, string) {
	l.stamps = prune(l.stamps, now)
	l.others = prune(l.others, now)
	if now.Before(l.penaltyUntil) {
		return l.penaltyUntil.Sub(now), l.service + " answered 429 Too Many Requests"
	}
	used := len(l.stamps) + len(l.others)
	if used < l.n {
		l.stamps = append(l.stamps, now)
		return 0, ""
	}
	// The window has room again when enough of its oldest requests have left it: with
	// used requests in the window, the (used-n+1)-th oldest must go.
	all := mergeSorted(l.stamps, l.others)
	return all[used-l.n].Add(window).Sub(now), "the window is full"
}

// Penalize treats the window as full until the given time: MDA said 429, so requests this
// limiter did not see are spending the tenant's budget.
func (l *limiter) Penalize(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.penaltyUntil) {
		l.penaltyUntil = until
	}
	l.saveLocked(l.clock.Now())
}

// saveLocked writes this limiter's window and penalty to the state file, if it has one.
// A failed write is ignored: reserve reads the file before every request, and that is
// where an unusable file is noticed and dropped.
func (l *limiter) saveLocked(now time.Time) {
	if l.file != nil {
		_ = l.file.update(l.clock, func(st *windowState) {
			st.set(l.file.id, prune(l.stamps, now), l.penaltyUntil, now)
		})
	}
}

// prune drops the times that have left the window ending at now; ts is sorted.
func prune(ts []time.Time, now time.Time) []time.Time {
	cut := 0
	for cut < len(ts) && !ts[cut].Add(window).After(now) {
		cut++
	}
	if cut == 0 {
		return ts
	}
	return append(ts[:0:0], ts[cut:]...)
}

func mergeSorted(a, b []time.Time) []time.Time {
	out := make([]time.Time, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i].Before(b[j]) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
