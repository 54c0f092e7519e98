package mda

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func waitAsync(ctx context.Context, l *limiter) <-chan error {
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }()
	return done
}

func assertBlocked(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("Wait returned (%v) while the window was full", err)
	default:
	}
}

func receive(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return")
		return nil
	}
}

func TestLimiter_31stRequestWaitsForTheOldest(t *testing.T) {
	clk := newFakeClock()
	logger := &recordingLogger{}
	l := newLimiter(30, clk, logger, nil)
	ctx := context.Background()
	// One request a second: the 30th is at t0+29s.
	for i := range 30 {
		if i > 0 {
			clk.Advance(time.Second)
		}
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := clk.Waits(); len(got) != 0 {
		t.Fatalf("the first 30 requests waited: %v", got)
	}
	clk.Advance(time.Second) // t0+30s
	done := waitAsync(ctx, l)
	clk.blockUntilTimer(t)
	// The oldest request (t0) leaves the window at t0+60s: 30 s from now.
	if got := clk.Waits(); len(got) != 1 || got[0] != 30*time.Second {
		t.Fatalf("waits = %v, want [30s]", got)
	}
	clk.Advance(29 * time.Second)
	assertBlocked(t, done)
	clk.Advance(time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "time of the 31st request", clk.Now(), clockEpoch.Add(60*time.Second))

	logs := logger.find("waiting for the MDA rate limit window")
	if len(logs) != 1 || logs[0].level != LevelInfo || logs[0].fields["wait"] != "30s" || logs[0].fields["requests_per_minute"] != 30 {
		t.Errorf("wait log = %+v, want one INFO entry with wait 30s and requests_per_minute 30", logs)
	}
}

func TestLimiter_neverMoreThanNInAnyWindow(t *testing.T) {
	clk := newAutoClock()
	l := newLimiter(30, clk, discardLogger{}, nil)
	var times []time.Time
	for range 95 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		times = append(times, clk.Now())
	}
	for i, start := range times {
		n := 0
		for _, t2 := range times[i:] {
			if t2.Before(start.Add(window)) {
				n++
			}
		}
		if n > 30 {
			t.Fatalf("%d requests in the minute from %s", n, start.Sub(clockEpoch))
		}
	}
	// 30 at t0, 30 at t0+60s, 30 at t0+120s, 5 at t0+180s: never earlier.
	mustEqual(t, "last request", times[94].Sub(clockEpoch), 180*time.Second)
}

func TestLimiter_concurrentWaitersShareTheWindow(t *testing.T) {
	clk := newAutoClock()
	l := newLimiter(10, clk, discardLogger{}, nil)
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if err := l.Wait(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.stamps) > 10 {
		t.Errorf("%d requests in the current window, want at most 10", len(l.stamps))
	}
}

func TestLimiter_contextCancelEndsTheWait(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(1, clk, discardLogger{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	done := waitAsync(ctx, l)
	clk.blockUntilTimer(t)
	cancel()
	err := receive(t, done)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "rate limit") {
		t.Errorf("err = %q, want it to say the rate limiter was waiting", err)
	}
}

// The give-up says how long the caller waited and how long the window would still have
// held it, not "after 0s".
func TestLimiter_giveUpGivesTheRealWait(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(1, clk, discardLogger{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	done := waitAsync(ctx, l)
	clk.blockUntilTimer(t)
	clk.Advance(12 * time.Second)
	cancel()
	err := receive(t, done)
	for _, want := range []string{"(1 requests per minute) after 12s", "48s before the slot would have been free (the window is full)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want %q in it", err, want)
		}
	}
}

func TestLimiter_penalizeHoldsEveryone(t *testing.T) {
	clk := newFakeClock()
	logger := &recordingLogger{}
	l := newLimiter(30, clk, logger, nil)
	l.Penalize(clk.Now().Add(10 * time.Second))
	done := waitAsync(context.Background(), l)
	clk.blockUntilTimer(t)
	clk.Advance(9 * time.Second)
	assertBlocked(t, done)
	clk.Advance(time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
	// An earlier penalty never shortens a later one.
	l.Penalize(clk.Now().Add(20 * time.Second))
	l.Penalize(clk.Now().Add(5 * time.Second))
	done = waitAsync(context.Background(), l)
	clk.blockUntilTimer(t)
	if w := clk.Waits(); w[len(w)-1] != 20*time.Second {
		t.Errorf("wait after two penalties = %s, want 20s", w[len(w)-1])
	}
	clk.Advance(20 * time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
	if logs := logger.find("waiting for the MDA rate limit window"); len(logs) == 0 || !strings.Contains(fmt.Sprint(logs[0].fields["reason"]), "429") {
		t.Errorf("wait log = %+v, want the reason to name the 429", logs)
	}
}

func TestLimiter_windowFileIsSharedBetweenProcesses(t *testing.T) {
	dir := t.TempDir()
	clk := newFakeClock()
	const portal = "https://contoso.us2.portal.cloudappsecurity.com/api"
	plan := newLimiter(30, clk, discardLogger{}, newWindowFile(dir, portal))
	for range 30 {
		if err := plan.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(10 * time.Second)

	// The apply process starts with an empty memory, but the file says the window is full.
	apply := newLimiter(30, clk, discardLogger{}, newWindowFile(dir, portal))
	if plan.file.path != apply.file.path || plan.file.id == apply.file.id {
		t.Fatalf("two limiters for one portal must share a path and differ in id: %+v %+v", plan.file, apply.file)
	}
	done := waitAsync(context.Background(), apply)
	clk.blockUntilTimer(t)
	if w := clk.Waits(); w[len(w)-1] != 50*time.Second {
		t.Errorf("apply waited %s, want 50s (until the plan's requests leave the window)", w[len(w)-1])
	}
	clk.Advance(50 * time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}

	// Another portal (another tenant) has its own budget.
	other := newLimiter(30, clk, discardLogger{}, newWindowFile(dir, "https://fabrikam.eu.portal.cloudappsecurity.com/api"))
	if other.file.path == plan.file.path {
		t.Fatal("two portals share a window file")
	}

	// The file holds only what is still in the window.
	data, err := os.ReadFile(apply.file.path)
	if err != nil {
		t.Fatal(err)
	}
	var st windowState
	if err := jsonUnmarshal(data, &st); err != nil {
		t.Fatalf("window file %s: %v", data, err)
	}
	n := 0
	for _, stamps := range st.Requests {
		n += len(stamps)
	}
	mustEqual(t, "requests in the file", n, 1)
	if len(data) > 200 {
		t.Errorf("window file is %d bytes: %s", len(data), data)
	}
}

func TestLimiter_windowFileSharesPenalties(t *testing.T) {
	dir := t.TempDir()
	clk := newFakeClock()
	a := newLimiter(30, clk, discardLogger{}, newWindowFile(dir, "https://x.portal.cloudappsecurity.com/api"))
	b := newLimiter(30, clk, discardLogger{}, newWindowFile(dir, "https://x.portal.cloudappsecurity.com/api"))
	a.Penalize(clk.Now().Add(15 * time.Second))
	done := waitAsync(context.Background(), b)
	clk.blockUntilTimer(t)
	clk.Advance(15 * time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
}

func TestLimiter_unusableWindowFileFallsBackToMemory(t *testing.T) {
	dir := t.TempDir()
	blocker := dir + "/not-a-dir"
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	logger := &recordingLogger{}
	l := newLimiter(2, newFakeClock(), logger, newWindowFile(blocker, "https://x"))
	for range 2 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(logger.find("the rate limit window file is unusable; counting this process's requests only")) != 1 {
		t.Errorf("want one warning about the file, got %s", logger.text())
	}
	mustEqual(t, "requests counted in memory", len(l.stamps), 2)
}

// A slot counts from the answer, not the send: MDA may count a slow request late.
func TestLimiter_slotFreesAWindowAfterTheAnswer(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(1, clk, &recordingLogger{}, nil)
	ctx := context.Background()
	sent, err := l.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second) // the answer takes 5 s
	l.Done(sent)
	clk.Advance(55 * time.Second) // a window after the send, 55 s after the answer
	done := waitAsync(ctx, l)
	clk.blockUntilTimer(t)
	assertBlocked(t, done)
	if got := clk.Waits(); len(got) != 1 || got[0] != 5*time.Second {
		t.Fatalf("waits %v, want one of 5s (a window after the answer)", got)
	}
	clk.Advance(5 * time.Second)
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
}
