package mda

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	backoffBase = time.Second
	backoffCap  = 30 * time.Second
	// throttleWait is the wait after a 429 without Retry-After: MDA's window is a minute,
	// so after one minute every request that filled it has left it.
	throttleWait = window
)

// classify decides whether a failed attempt may be retried, and builds the error to
// return if it is not (or if the retries run out).
//
// Reads and lists are retried after 429, 502, 503, 504 and transport failures. Writes
// are retried only when MDA cannot have acted on them: after a 429 (throttled requests
// are not processed), when the credentials could not be fetched, and when the request
// was never written (a dial failure). A write that may have reached MDA and got no clear
// answer is returned as *AmbiguousError, for the caller to look before trying again.
func (c *Client) classify(op operation, r attemptResult) (retry bool, err error) {
	if r.authErr != nil {
		var te *TokenError
		return errors.As(r.authErr, &te) && te.temporary(), fmt.Errorf("%s: %w", op.name, r.authErr)
	}
	if r.err != nil {
		what := "no answer from MDA"
		if r.timedOut {
			what = fmt.Sprintf("no answer from MDA within %s", c.timeout)
		}
		err = fmt.Errorf("%s: %s: %s: %w", op.name, op.route, what, r.err)
		if op.class != classWrite || !r.wrote {
			return true, err
		}
		return false, &AmbiguousError{Operation: op.name, Err: err}
	}
	apiErr := c.newAPIError(op, r.resp, r.body)
	status := r.resp.StatusCode
	switch {
	case status == http.StatusTooManyRequests:
		return true, apiErr
	case op.class == classWrite && status >= 500:
		// A 503 from a gateway may come after the backend did the work.
		return false, &AmbiguousError{Operation: op.name, Err: apiErr}
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return true, apiErr
	}
	return false, apiErr
}

// retryDelay is how long to wait before retry number n (1-based): the server's
// Retry-After when it sent one, else a full minute after a 429, else capped exponential
// backoff with full jitter.
func (c *Client) retryDelay(n int, r attemptResult) time.Duration {
	if r.resp != nil {
		if d, ok := parseRetryAfter(r.resp.Header.Get("Retry-After"), c.clock.Now()); ok {
			return d
		}
		if r.resp.StatusCode == http.StatusTooManyRequests {
			return throttleWait
		}
	}
	return c.jitter(backoff(n))
}

// backoff is the ceiling of the jittered wait before retry n: base·2^(n-1), capped.
func backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 16 { // far past the cap; avoids overflowing the shift
		return backoffCap
	}
	return min(backoffCap, backoffBase<<(n-1))
}

// parseRetryAfter reads a Retry-After header: delay seconds, or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || secs > 24*3600 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

func retryReason(r attemptResult) string {
	switch {
	case r.authErr != nil:
		return "token endpoint: " + r.authErr.Error()
	case r.timedOut:
		return "timeout"
	case r.err != nil:
		return r.err.Error()
	}
	return fmt.Sprintf("HTTP %d", r.resp.StatusCode)
}
