package mda

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

const lockTestPortal = "https://contoso.us2.portal.cloudappsecurity.com/api"

// holdWindowLock takes the window file's lock as another process would, until the test
// ends.
func holdWindowLock(t *testing.T, f *windowFile) {
	t.Helper()
	lock := flock.New(f.path + ".lock")
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lock.Unlock() })
}

func setWindowLockTimeout(t *testing.T, d time.Duration) {
	t.Helper()
	old := windowLockTimeout
	windowLockTimeout = d
	t.Cleanup(func() { windowLockTimeout = old })
}

// A held lock is waited for, not ignored, and the wait is bounded: update fails once the
// timeout has passed. Without the lock, update would succeed at once.
func TestWindowFile_heldLockTimesOut(t *testing.T) {
	setWindowLockTimeout(t, 50*time.Millisecond)
	f := newWindowFile(t.TempDir(), lockTestPortal)
	holdWindowLock(t, f)
	called := false
	err := f.update(newFakeClock(), func(*windowState) { called = true })
	if err == nil || called {
		t.Fatalf("update with the lock held elsewhere: err %v, fn called %v; want a timeout and no call", err, called)
	}
	if !strings.Contains(err.Error(), "waited up to 50ms") {
		t.Errorf("error %q does not say how long it waited", err)
	}
}

// Many holders updating at once lose no update: each adds its own instance to the file.
func TestWindowFile_updatesSerialise(t *testing.T) {
	dir := t.TempDir()
	clk := newFakeClock()
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f := newWindowFile(dir, lockTestPortal)
			err := f.update(clk, func(st *windowState) {
				st.set(fmt.Sprintf("holder-%02d", i), []time.Time{clk.Now()}, time.Time{}, clk.Now())
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var got windowState
	if err := newWindowFile(dir, lockTestPortal).update(clk, func(st *windowState) { got = *st }); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "holders recorded in the file", len(got.Requests), n)
}

// A stuck holder does not stall requests: the limiter goes on with its own window once the
// lock's wait has passed, logs why, and stops using the file.
func TestLimiter_stuckWindowLockFallsBackToMemory(t *testing.T) {
	setWindowLockTimeout(t, 50*time.Millisecond)
	f := newWindowFile(t.TempDir(), lockTestPortal)
	holdWindowLock(t, f)
	logger := &recordingLogger{}
	l := newLimiter(30, newFakeClock(), logger, f)
	for range 3 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if l.file != nil {
		t.Error("the limiter still uses the window file after its lock timed out")
	}
	if logs := logger.find("the rate limit window file is unusable; counting this process's requests only"); len(logs) != 1 {
		t.Errorf("fallback logged %d times, want once: %+v", len(logs), logs)
	}
	mustEqual(t, "requests in the in-memory window", len(l.stamps), 3)
}
