package mockserver

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	m := newTestMock(t, Options{Rate: 30, Window: time.Minute})
	for i := range 30 {
		m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
		if i == 0 {
			m.clock.Advance(10 * time.Second) // the first request is now 10 s older than the rest
		}
	}
	r := m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 429)
	if got := r.header.Get("Retry-After"); got != "50" {
		t.Errorf("Retry-After = %q, want 50 (the oldest request leaves the window in 50 s)", got)
	}
	if d := r.object(t)["detail"]; d != "Request was throttled. Expected available in 50 seconds." {
		t.Errorf("detail = %v", d)
	}

	// Refused requests do not take a slot: after 50 s exactly one slot is free.
	m.clock.Advance(49 * time.Second)
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 429)
	m.clock.Advance(time.Second)
	m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
	r = m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 429)
	if got := r.header.Get("Retry-After"); got != "10" {
		t.Errorf("Retry-After = %q, want 10", got)
	}

	// The budget is the tenant's, shared by every route and credential, but 401s do not
	// spend it (authentication runs first).
	m.mustStatus(m.api("DELETE", "/api/v1/subnet/0123456789abcdef01234567/", nil), 429)
	m.mustStatus(m.call("POST", "/api/v1/subnet/", "Token wrong", nil), 401)

	st := m.Stats()
	if st.Throttled != 4 || st.Total != 36 {
		t.Errorf("stats total=%d throttled=%d, want 36 and 4", st.Total, st.Throttled)
	}
}

func TestRetryAfterNeverZero(t *testing.T) {
	w := newSlidingWindow(1, time.Minute)
	now := time.Unix(1000, 0)
	w.admit(now)
	wait, ok := w.admit(now.Add(time.Minute - time.Millisecond))
	if ok || retryAfterSeconds(wait) != 1 {
		t.Errorf("wait %v ok %v: Retry-After %d", wait, ok, retryAfterSeconds(wait))
	}
	if _, ok := w.admit(now.Add(time.Minute)); !ok {
		t.Error("slot not free once the window has passed")
	}
}

func TestUnlimitedRate(t *testing.T) {
	m := newTestMock(t, Options{Rate: -1})
	for range 100 {
		m.mustStatus(m.api("POST", "/api/v1/subnet/", nil), 200)
	}
}
