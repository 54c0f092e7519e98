package mda

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func emptyPage(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{"data": []any{}, "hasNext": false, "total": 0})
}

func TestRetry_retryAfterSecondsWinsOverBackoff(t *testing.T) {
	srv := newServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.n.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"detail": "Request was throttled. Expected available in 7 seconds."})
			return
		}
		emptyPage(w)
	})
	c, clk, _ := testClient(t, srv.URL)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "requests", srv.count(), 2)
	if got := clk.Waits(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
		t.Errorf("waits = %v, want [7s]", got)
	}
	mustEqual(t, "throttled", c.Stats().Throttled, int64(1))
}

func TestRetry_retryAfterHTTPDate(t *testing.T) {
	var clk *fakeClock
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", clk.Now().Add(20*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		emptyPage(w)
	})
	c, clk, _ := testClient(t, srv.URL)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	if got := clk.Waits(); !slices.Equal(got, []time.Duration{20 * time.Second}) {
		t.Errorf("waits = %v, want [20s]", got)
	}
}

func TestRetry_throttledWithoutRetryAfterWaitsAWindow(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		emptyPage(w)
	})
	c, clk, _ := testClient(t, srv.URL)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	if got := clk.Waits(); !slices.Equal(got, []time.Duration{time.Minute}) {
		t.Errorf("waits = %v, want [1m0s]", got)
	}
}

func TestRetry_list503503200Succeeds(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		servePage(t, w, r, subnetItems(3))
	})
	c, clk, logger := testClient(t, srv.URL)
	res, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), 3)
	mustEqual(t, "requests", srv.count(), 3)
	// Exponential backoff: 1s then 2s (the test's jitter takes the whole ceiling).
	if got := clk.Waits(); !slices.Equal(got, []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("waits = %v, want [1s 2s]", got)
	}
	mustEqual(t, "retries", c.Stats().Retries, int64(2))
	if got := len(logger.find("retrying MDA request")); got != 2 {
		t.Errorf("retry log entries = %d, want 2", got)
	}
	for _, e := range logger.find("MDA request") {
		if e.level != LevelDebug {
			t.Errorf("request logged at %s, want DEBUG", e.level)
		}
		for _, k := range []string{"method", "route", "status", "attempt", "duration_ms"} {
			if _, ok := e.fields[k]; !ok {
				t.Errorf("request log lacks %q: %v", k, e.fields)
			}
		}
	}
}

func TestRetry_everyAttemptPassesTheLimiter(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		emptyPage(w)
	})
	c, clk, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.RequestsPerMinute = 2 })
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	// Attempts at t0 and t0+1s fill the window of 2; after the 2 s backoff the third
	// attempt waits until t0+60s.
	if got := clk.Waits(); !slices.Equal(got, []time.Duration{time.Second, 2 * time.Second, 57 * time.Second}) {
		t.Errorf("waits = %v, want [1s 2s 57s]", got)
	}
}

func TestRetry_givesUpAfterMaxRetries(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusGatewayTimeout, map[string]any{"detail": "upstream timed out"})
	})
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("err = %v, want an APIError 504", err)
	}
	mustEqual(t, "requests", srv.count(), 3)
}

func TestRetry_noRetriesWhenMaxRetriesIsZero(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err == nil {
		t.Fatal("want an error")
	}
	mustEqual(t, "requests", srv.count(), 1)
}

func TestRetry_otherStatusesAreNotRetried(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusNotFound, http.StatusNotImplemented} {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		c, _, _ := testClient(t, srv.URL)
		if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err == nil {
			t.Fatalf("%d: want an error", status)
		}
		mustEqual(t, "requests", srv.count(), 1)
	}
}

func TestRetry_createThatGot503IsAmbiguousAndNotRetried(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"detail": "Service unavailable"})
	})
	c, _, _ := testClient(t, srv.URL)
	_, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	mustEqual(t, "requests that reached the server", srv.count(), 1)
	if !IsAmbiguous(err) {
		t.Fatalf("err = %v, want ambiguous", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want it to wrap the APIError 503", err)
	}
	var amb *AmbiguousError
	if !errors.As(err, &amb) || amb.Operation != "create IP range" {
		t.Errorf("err = %#v, want an AmbiguousError for create IP range", err)
	}
}

func TestRetry_createWhoseConnectionDroppedAfterSendingIsAmbiguous(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close()
	})
	c, _, _ := testClient(t, srv.URL)
	_, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	if !IsAmbiguous(err) {
		t.Fatalf("err = %v, want ambiguous", err)
	}
	mustEqual(t, "requests that reached the server", srv.count(), 1)
}

func TestRetry_createThatTimedOutAfterSendingIsAmbiguous(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
	_, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	if !IsAmbiguous(err) {
		t.Fatalf("err = %v, want ambiguous", err)
	}
	if !strings.Contains(err.Error(), "within 50ms") {
		t.Errorf("err = %q, want it to name the timeout", err)
	}
	mustEqual(t, "requests that reached the server", srv.count(), 1)
}

func TestRetry_readThatDroppedIsRetried(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, _ := http.NewResponseController(w).Hijack()
			_ = conn.Close()
			return
		}
		emptyPage(w)
	})
	c, _, _ := testClient(t, srv.URL)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "requests", srv.count(), 2)
}

// flakyDialer fails its first n dials, as a connection refused would, before anything
// is written.
func flakyDialer(n int64) (*http.Client, *atomic.Int64) {
	var dials atomic.Int64
	d := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= n {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return d.DialContext(ctx, network, addr)
	}}
	return &http.Client{Transport: tr}, &dials
}

func TestRetry_createWhoseDialFailedIsRetried(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "5fd767259cd24bb563567d7c")
	})
	hc, dials := flakyDialer(1)
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = hc })
	id, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "id", id, "5fd767259cd24bb563567d7c")
	mustEqual(t, "dials", dials.Load(), int64(2))
	mustEqual(t, "requests that reached the server", srv.count(), 1)
}

func TestRetry_createThatWasThrottledIsRetried(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeJSON(w, http.StatusOK, "5fd767259cd24bb563567d7c")
	})
	c, clk, _ := testClient(t, srv.URL)
	if _, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: 1, Subnets: []string{"10.0.0.0/8"}}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "requests", srv.count(), 2)
	if got := clk.Waits(); !slices.Equal(got, []time.Duration{3 * time.Second}) {
		t.Errorf("waits = %v, want [3s]", got)
	}
}

func TestRetry_contextEndsTheRetryWait(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	clk := newFakeClock()
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.Clock = clk })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.ListSubnets(ctx, SubnetQuery{})
		done <- err
	}()
	clk.blockUntilTimer(t) // the backoff before the first retry
	cancel()
	err := receive(t, done)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want it to carry the last failure (503)", err)
	}
	mustEqual(t, "requests", srv.count(), 1)
}

func TestParseRetryAfter(t *testing.T) {
	now := clockEpoch
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffIsCappedExponential(t *testing.T) {
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		mustEqual(t, "backoff", backoff(i+1), w)
	}
	mustEqual(t, "backoff(1000)", backoff(1000), backoffCap)
	for range 100 {
		if d := fullJitter(4 * time.Second); d < 0 || d > 4*time.Second {
			t.Fatalf("fullJitter(4s) = %s", d)
		}
	}
}

// blackHole accepts connections and never answers, until the client gives up.
func blackHole(t *testing.T) *countingServer {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client hanging up only once the body has been read.
		_, _ = readBody(r)
		<-r.Context().Done()
	})
}

// A portal that never answers fails a read after 3 attempts however many retries are
// allowed, with an error that says so and names the portal and the wait.
func TestRetry_blackHoledReadFailsAfterThreeUnansweredAttempts(t *testing.T) {
	srv := blackHole(t)
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 30 * time.Millisecond; cfg.MaxRetries = 10 })
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if !IsNoAnswer(err) || IsThrottled(err) || IsAmbiguous(err) || IsCanceled(err) || IsDeadlineExceeded(err) {
		t.Fatalf("err = %v, want only a NoAnswerError", err)
	}
	for _, want := range []string{"the MDA portal " + srv.URL + " did not answer POST /api/v1/subnet/ within 30ms", "3 attempts"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want %q in it", err, want)
		}
	}
	mustEqual(t, "requests", srv.count(), 1+maxNoAnswerRetries)
}

// A write into the black hole is retried the same way, and may have taken effect.
func TestRetry_blackHoledUpdateIsAmbiguousNoAnswer(t *testing.T) {
	srv := blackHole(t)
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 30 * time.Millisecond; cfg.MaxRetries = 10 })
	err := c.UpdateSubnet(context.Background(), "5fd767259cd24bb563567d7c", SubnetInput{Name: "x", Category: 1})
	if !IsNoAnswer(err) || !IsAmbiguous(err) || !strings.Contains(err.Error(), "may have taken effect") {
		t.Fatalf("err = %v, want an ambiguous NoAnswerError", err)
	}
	mustEqual(t, "requests", srv.count(), 3)
}

// With the defaults, a black-holed portal fails a read within the 90 s the issue allows:
// every unanswered attempt, and the longest backoffs between them.
func TestRetry_defaultBlackHoleBudget(t *testing.T) {
	c, err := New(Config{PortalURL: "https://contoso.portal.cloudappsecurity.com", APIToken: "x", MaxRetries: 20})
	if err != nil {
		t.Fatal(err)
	}
	worst := time.Duration(maxNoAnswerRetries+1) * c.attemptTimeout(operation{class: classList})
	for n := 1; n <= maxNoAnswerRetries; n++ {
		worst += backoff(n)
	}
	if worst > 90*time.Second {
		t.Errorf("a black-holed read takes up to %s, want at most 90s", worst)
	}
	mustEqual(t, "explicit timeout for reads", mustNew(t, 45*time.Second).attemptTimeout(operation{class: classRead}), 45*time.Second)
	mustEqual(t, "explicit timeout for writes", mustNew(t, 45*time.Second).attemptTimeout(operation{class: classWrite}), 45*time.Second)
}

func mustNew(t *testing.T, timeout time.Duration) *Client {
	t.Helper()
	c, err := New(Config{PortalURL: "https://contoso.portal.cloudappsecurity.com", APIToken: "x", RequestTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Reads retry a 500 as they do 502-504.
func TestRetry_readRetries500(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"detail": "oops"})
			return
		}
		emptyPage(w)
	})
	c, _, _ := testClient(t, srv.URL)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "requests", srv.count(), 2)
}

// A 404 on a repeated delete settles it: not ambiguous, and IsNotFound for the caller
// that only wants the range gone.
func TestRetry_deleteThat404sAfterA502IsNotFoundNotAmbiguous(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not found."})
	})
	c, _, _ := testClient(t, srv.URL)
	err := c.DeleteSubnet(context.Background(), "5fd767259cd24bb563567d7c")
	if !IsNotFound(err) || IsAmbiguous(err) {
		t.Fatalf("err = %v, want a plain not found", err)
	}
}

// Ctrl-C while a write is in flight: canceled, and it may have taken effect.
func TestRetry_canceledWriteInFlightIsAmbiguousAndCanceled(t *testing.T) {
	arrived := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		_, _ = readBody(r)
		<-r.Context().Done()
	})
	c, _, _ := testClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.DeleteSubnet(ctx, "5fd767259cd24bb563567d7c") }()
	<-arrived
	cancel()
	err := receive(t, done)
	if !IsCanceled(err) || !IsAmbiguous(err) || IsDeadlineExceeded(err) || IsNoAnswer(err) {
		t.Fatalf("err = %v, want canceled and ambiguous", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

// A retry wait that would outlast the caller's deadline is not started: the operation
// fails at once, as past its deadline, naming the wait.
func TestRetry_waitPastTheDeadlineFailsAtOnce(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c, clk, _ := testClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute/4)
	defer cancel()
	_, err := c.ListSubnets(ctx, SubnetQuery{})
	if !IsDeadlineExceeded(err) || IsCanceled(err) || !strings.Contains(err.Error(), "rather than wait 30s") {
		t.Fatalf("err = %v, want a deadline error naming the 30s wait", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("err = %v, want it to carry the 503", err)
	}
	mustEqual(t, "requests", srv.count(), 1)
	if len(clk.Waits()) != 0 {
		t.Errorf("waited %v", clk.Waits())
	}
}

// A 503's Retry-After is honoured for an idempotent write too.
func TestRetry_updateHonoursRetryAfterOn503(t *testing.T) {
	var n atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "11")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c, clk, _ := testClient(t, srv.URL)
	if err := c.UpdateSubnet(context.Background(), "5fd767259cd24bb563567d7c", SubnetInput{Name: "x", Category: 1}); err != nil {
		t.Fatal(err)
	}
	if got := clk.Waits(); !slices.Equal(got, []time.Duration{11 * time.Second}) {
		t.Errorf("waits = %v, want [11s]", got)
	}
}
