package mda

import (
	"context"
	"errors"
	"sync"
)

// errNoWaiters is the cause of a shared context canceled because every caller that
// waited for its work has left.
var errNoWaiters = errors.New("every caller waiting for this shared request has given up")

// sharedCtx is the context of work that several callers wait for: the run's listing of
// IP ranges, a batch of alert lookups or closes, a token fetch. No one caller's context
// may end the work while others still wait for it, yet the work must not outlive them
// all: a deadline is the caller's, and a request nobody waits for any more is budget
// spent for nothing (a close that lands after its caller reported failure is worse).
// So the work runs on a context of its own that ends when the last waiter leaves.
//
// Each waiter calls join before it waits and leave once it stops waiting, whether it got
// the result or gave up.
type sharedCtx struct {
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu    sync.Mutex
	refs  int
	ended bool // canceled: joining would wait for work that is being abandoned
}

// newSharedCtx returns a shared context with no waiters yet. It keeps the values of
// first (loggers read theirs from the context) but not its cancellation or deadline.
func newSharedCtx(first context.Context) *sharedCtx {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(first))
	return &sharedCtx{ctx: ctx, cancel: cancel}
}

// join adds a waiter. It reports false when the work has already been abandoned: the
// caller must start new work instead of waiting for this one.
func (s *sharedCtx) join() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	s.refs++
	return true
}

// leave removes a waiter; the last one to leave ends the context. Work that has finished
// by then loses nothing.
func (s *sharedCtx) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refs <= 0 {
		return
	}
	s.refs--
	if s.refs == 0 && !s.ended {
		s.ended = true
		s.cancel(errNoWaiters)
	}
}

// waiters returns the number of callers that have joined and not left.
func (s *sharedCtx) waiters() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refs
}
