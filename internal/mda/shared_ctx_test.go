package mda

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// eventually polls cond until it holds, failing the test after 5 s. It waits for a state
// of the code under test that has no event to block on (a waiter counted in).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func recv[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// heldServer answers each request only when release is closed; a request whose client
// gives up first is reported on canceled.
type heldServer struct {
	*countingServer
	arrived, canceled chan *http.Request
	release           chan struct{}
}

func newHeldServer(t *testing.T, answer http.HandlerFunc) *heldServer {
	h := &heldServer{arrived: make(chan *http.Request, 10), canceled: make(chan *http.Request, 10), release: make(chan struct{})}
	h.countingServer = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := readBody(r) // the server notices a hang-up only once the body is read
		r.Body = ioNopCloser(body)
		h.arrived <- r
		select {
		case <-h.release:
			answer(w, r)
		case <-r.Context().Done():
			h.canceled <- r
		}
	})
	return h
}

func TestSharedCtx_endsWhenTheLastWaiterLeaves(t *testing.T) {
	s := newSharedCtx(context.Background())
	s.join()
	s.join()
	s.leave()
	if s.ctx.Err() != nil {
		t.Fatal("ended with a waiter left")
	}
	s.leave()
	if !errors.Is(context.Cause(s.ctx), errNoWaiters) {
		t.Fatalf("cause = %v, want errNoWaiters", context.Cause(s.ctx))
	}
	if s.join() {
		t.Error("joined abandoned work")
	}
}

func TestListing_canceledWhenItsOnlyWaiterLeaves(t *testing.T) {
	srv := newHeldServer(t, func(w http.ResponseWriter, r *http.Request) { servePage(t, w, r, subnetItems(2)) })
	c, _, _ := testClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.subnets.listing(ctx, c, false); done <- err }()
	recv(t, "the listing request", srv.arrived)
	cancel()
	if err := receive(t, done); !IsCanceled(err) {
		t.Fatalf("err = %v, want canceled", err)
	}
	recv(t, "the abandoned listing to be canceled", srv.canceled)

	// The next caller starts a walk of its own rather than joining the abandoned one.
	close(srv.release)
	m, err := c.subnets.listing(context.Background(), c, false)
	if err != nil || len(m) != 2 {
		t.Fatalf("listing after the abandoned one: %d ranges, %v", len(m), err)
	}
}

func TestListing_continuesWhileAnotherWaiterRemains(t *testing.T) {
	srv := newHeldServer(t, func(w http.ResponseWriter, r *http.Request) { servePage(t, w, r, subnetItems(2)) })
	c, _, _ := testClient(t, srv.URL)
	ctxA, cancelA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { _, err := c.subnets.listing(ctxA, c, false); doneA <- err }()
	recv(t, "the listing request", srv.arrived)
	type result struct {
		m   map[string]Subnet
		err error
	}
	doneB := make(chan result, 1)
	go func() { m, err := c.subnets.listing(context.Background(), c, false); doneB <- result{m, err} }()
	eventually(t, "the second caller waits for the walk", func() bool {
		c.subnets.mu.Lock()
		defer c.subnets.mu.Unlock()
		return c.subnets.flight != nil && c.subnets.flight.shared.waiters() == 2
	})
	cancelA()
	if err := receive(t, doneA); !IsCanceled(err) {
		t.Fatalf("A: err = %v, want canceled", err)
	}
	close(srv.release)
	r := recv(t, "B's listing", doneB)
	if r.err != nil || len(r.m) != 2 {
		t.Fatalf("B: %d ranges, %v", len(r.m), r.err)
	}
	mustEqual(t, "requests", srv.count(), 1)
	mustEqual(t, "requests canceled", len(srv.canceled), 0)
}

// blockingSource hands out a token only when released, and reports fetches canceled.
type blockingSource struct {
	started, canceled chan struct{}
	release           chan struct{}
}

func (s *blockingSource) Token(ctx context.Context) (*oauth2.Token, error) {
	s.started <- struct{}{}
	select {
	case <-s.release:
		return &oauth2.Token{AccessToken: "tok", ExpiresIn: 3600}, nil
	case <-ctx.Done():
		s.canceled <- struct{}{}
		return nil, ctx.Err()
	}
}

func TestTokenFetch_endsWithItsLastWaiter(t *testing.T) {
	src := &blockingSource{started: make(chan struct{}, 4), canceled: make(chan struct{}, 4), release: make(chan struct{})}
	a := newBearerAuth(src, newFakeClock(), discardLogger{})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := a.authorization(ctx); done <- err }()
	recv(t, "the fetch", src.started)
	cancel()
	if err := receive(t, done); !IsCanceled(err) {
		t.Fatalf("err = %v, want canceled", err)
	}
	recv(t, "the abandoned fetch to be canceled", src.canceled)

	// Two waiters: one leaving does not end the fetch the other waits for.
	ctxA, cancelA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { _, err := a.authorization(ctxA); doneA <- err }()
	recv(t, "the second fetch", src.started)
	type result struct {
		h   string
		err error
	}
	doneB := make(chan result, 1)
	go func() { h, err := a.authorization(context.Background()); doneB <- result{h, err} }()
	eventually(t, "the second caller waits for the fetch", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.inflight != nil && a.inflight.shared.waiters() == 2
	})
	cancelA()
	if err := receive(t, doneA); !IsCanceled(err) {
		t.Fatalf("A: err = %v, want canceled", err)
	}
	close(src.release)
	if r := recv(t, "B's token", doneB); r.err != nil || r.h != "Bearer tok" {
		t.Fatalf("B: %q, %v", r.h, r.err)
	}
	mustEqual(t, "fetches canceled", len(src.canceled), 0)
}

// closeIDs reads the ids of a close request.
func closeIDs(t *testing.T, r *http.Request) []string {
	t.Helper()
	var b struct {
		Filters map[string]map[string][]string `json:"filters"`
	}
	data, _ := readBody(r)
	if err := json.Unmarshal(data, &b); err != nil {
		t.Errorf("close body %q: %v", data, err)
	}
	return b.Filters["id"]["eq"]
}

func TestCloseBatch_aCallerThatLeavesBeforeSendIsNotSent(t *testing.T) {
	var mu sync.Mutex
	var sent [][]string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, closeIDs(t, r))
		mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"closed_benign": 1})
	})
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	idA, idB := "000000000000000000000001", "000000000000000000000002"
	ctxA, cancelA := context.WithCancel(context.Background())
	doneA, doneB := make(chan error, 1), make(chan error, 1)
	go func() { doneA <- c.CloseAlert(ctxA, CloseBenign, idA, CloseOptions{}) }()
	go func() { doneB <- c.CloseAlert(context.Background(), CloseBenign, idB, CloseOptions{}) }()
	j.waitFor(t, 2)
	cancelA()
	if err := receive(t, doneA); !IsCanceled(err) || IsAmbiguous(err) {
		t.Fatalf("A: err = %v, want canceled and not ambiguous (nothing was sent)", err)
	}
	c.alertBatches.flush()
	if err := receive(t, doneB); err != nil {
		t.Fatalf("B: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 || len(sent[0]) != 1 || sent[0][0] != idB {
		t.Errorf("closes sent: %v, want only [[%s]]", sent, idB)
	}
}

func TestCloseBatch_emptiedBatchIsNotSent(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, map[string]any{}) })
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.CloseAlert(ctx, CloseBenign, "000000000000000000000001", CloseOptions{}) }()
	j.waitFor(t, 1)
	cancel()
	if err := receive(t, done); !IsCanceled(err) {
		t.Fatalf("err = %v, want canceled", err)
	}
	c.alertBatches.flush()
	mustEqual(t, "requests", srv.count(), 0)
	c.alertBatches.mu.Lock()
	defer c.alertBatches.mu.Unlock()
	mustEqual(t, "groups left", len(c.alertBatches.groups), 0)
}

// A caller that leaves a close in flight is told it may have taken effect; as the last
// waiter, its leaving cancels the request.
func TestCloseBatch_leavingAFlightIsAmbiguous(t *testing.T) {
	srv := newHeldServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, map[string]any{}) })
	c, _, _ := testClient(t, srv.URL)
	j := holdBatches(c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.CloseAlert(ctx, CloseTruePositive, "000000000000000000000001", CloseOptions{}) }()
	j.waitFor(t, 1)
	c.alertBatches.flush()
	recv(t, "the close request", srv.arrived)
	cancel()
	err := receive(t, done)
	if !IsAmbiguous(err) || !IsCanceled(err) || !strings.Contains(err.Error(), "may have taken effect") {
		t.Fatalf("err = %v, want an ambiguous cancellation", err)
	}
	recv(t, "the abandoned close to be canceled", srv.canceled)
}
