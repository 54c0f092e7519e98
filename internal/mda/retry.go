package mda

import (
	"context"
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
	// MaxRetryAfter is the longest Retry-After the client waits out. A longer one means
	// an outage or a tenant-wide block, which no run should sit through silently: the
	// operation fails at once and says how long MDA asked to wait.
	MaxRetryAfter = 5 * time.Minute
	// maxNoAnswerRetries is how many times an operation is tried again after attempts
	// that got no answer at all within the per-attempt timeout. A portal that accepts
	// connections and never answers (a black hole, a dead proxy) then fails a read in
	// 3 x DefaultReadTimeout plus a few seconds of backoff, not MaxRetries+1 timeouts.
	maxNoAnswerRetries = 2
)

// classify decides whether a failed attempt may be retried, and builds the error to
// return if it is not (or if the retries run out). Whether a write's final failure is
// ambiguous is decided by send, which has seen every attempt.
//
// Reads, lists and idempotent writes are retried after 429, 500, 502, 503, 504 and
// transport failures (a dropped connection, a timeout). Other writes (creates) are
// retried only when MDA cannot have acted on them: after a 429 (throttled requests are
// not processed), when the credentials could not be fetched, and when the request was
// never written (a dial failure).
func (c *Client) classify(op operation, r attemptResult) (retry bool, err error) {
	if r.authErr != nil {
		var te *TokenError
		return errors.As(r.authErr, &te) && te.temporary(), fmt.Errorf("%s: %w", op.name, r.authErr)
	}
	if r.err != nil {
		if r.timedOut {
			err = &NoAnswerError{Operation: op.name, Route: op.route, PortalURL: c.baseURLFor(op), Service: serviceName(op),
				Timeout: r.timeout, Attempts: 1, Err: r.err}
		} else {
			err = fmt.Errorf("%s: %s: no answer from %s: %w", op.name, op.route, serviceName(op), r.err)
		}
		return op.class != classWrite || !r.wrote, err
	}
	apiErr := c.newAPIError(op, r.resp, r.body)
	status := r.resp.StatusCode
	switch {
	case status == http.StatusTooManyRequests:
		return true, apiErr
	case op.class == classWrite:
		// A 5xx from a gateway may come after the backend did the work: send reports it
		// as ambiguous, for the caller to look before creating again.
		return false, apiErr
	case status == http.StatusInternalServerError || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return true, apiErr
	}
	return false, apiErr
}

// mayHaveActed reports whether a failed attempt of a write may have changed something
// in MDA: it was sent and got no clear refusal. A 429 is not processed, and other 4xx
// answers are refusals.
func (r attemptResult) mayHaveActed() bool {
	switch {
	case r.authErr != nil:
		return false
	case r.err != nil:
		return r.wrote
	case r.resp != nil:
		return r.resp.StatusCode >= 500
	}
	return false
}

// definite reports whether an attempt got a clear answer about the object: a 4xx other
// than 408 and 429. After earlier attempts that may have acted, such an answer still
// settles the outcome (a 404 on a repeated delete means an earlier one succeeded).
func (r attemptResult) definite() bool {
	if r.err != nil || r.authErr != nil || r.resp == nil {
		return false
	}
	s := r.resp.StatusCode
	return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests
}

// retryDelay is how long to wait before retry number n (1-based): the server's
// Retry-After when it sent one, else a full minute after a 429, else capped exponential
// backoff with full jitter.
func (c *Client) retryDelay(op operation, n int, r attemptResult) time.Duration {
	if r.resp != nil {
		if d, ok := parseRetryAfter(r.resp.Header.Get("Retry-After"), c.clock.Now()); ok {
			return d
		}
		if op.graph && r.resp.StatusCode == http.StatusTooManyRequests {
			// Graph's window is not MDA's minute: its own words say how long, else back off.
			if d, ok := parseThrottleDetail(r.body); ok {
				return d
			}
			return c.jitter(backoff(n))
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

// parseRetryAfter reads a Retry-After header: delay seconds, or an HTTP date. A huge
// delay is kept (capped at a day, which no caller waits for): it is reported, not
// replaced by a guess.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || secs != secs { // negative or NaN
			return 0, false
		}
		return time.Duration(min(secs, 24*3600) * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(24*time.Hour, max(0, t.Sub(now))), true
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

// NoAnswerError is an operation that got no answer at all: the portal sent nothing back
// within the per-attempt timeout, attempt after attempt. That is neither throttling (a
// 429) nor a failing server (a 5xx): the portal URL, a proxy or the network path is the
// suspect. A write that got no answer is returned as an *AmbiguousError wrapping this.
type NoAnswerError struct {
	Operation string
	// Route is the method and path pattern: "POST /api/v1/subnet/".
	Route string
	// PortalURL is the portal the client talks to (the Graph URL for Graph requests).
	PortalURL string
	// Service is "MDA" or "Microsoft Graph"; "" means MDA.
	Service string
	// Timeout is the per-attempt timeout each attempt ran out of.
	Timeout time.Duration
	// Attempts is the number of attempts that got no answer.
	Attempts int
	// Err is the transport's error for the last attempt, for logs; it is not unwrapped,
	// so that a per-attempt timeout is never mistaken for the caller's deadline.
	Err error
}

func (e *NoAnswerError) Error() string {
	what := "the MDA portal"
	if e.Service != "" && e.Service != "MDA" {
		what = e.Service
	}
	s := fmt.Sprintf("%s: %s %s did not answer %s within %s", e.Operation, what, e.PortalURL, e.Route, e.Timeout)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (%d attempts, none answered)", e.Attempts)
	}
	return s
}

// IsNoAnswer reports whether err is, or wraps, a *NoAnswerError: the portal did not
// answer at all within the per-attempt timeout.
func IsNoAnswer(err error) bool {
	var e *NoAnswerError
	return errors.As(err, &e)
}

// CanceledError is an operation stopped because its caller's context ended: Terraform
// was interrupted (Cause is context.Canceled) or the operation's own deadline passed
// (Cause is context.DeadlineExceeded), or would have passed during a wait the client
// declined to start. It unwraps to both Cause and Last.
type CanceledError struct {
	Operation string
	Cause     error
	// Wait is set when the client stopped rather than start a wait (a retry's backoff or
	// Retry-After) that would have outlasted the deadline.
	Wait time.Duration
	// Last is the failure of the last attempt, if any was made.
	Last error
}

func (e *CanceledError) Error() string {
	var b strings.Builder
	b.WriteString(e.Operation + ": ")
	switch {
	case e.Wait > 0:
		fmt.Fprintf(&b, "stopped rather than wait %s to try again past the operation's deadline", e.Wait)
	case errors.Is(e.Cause, context.DeadlineExceeded):
		b.WriteString("the operation's deadline passed before it finished")
	default:
		b.WriteString("canceled before it finished")
	}
	if e.Last != nil {
		fmt.Fprintf(&b, " (the last attempt: %v)", e.Last)
	}
	return b.String()
}

func (e *CanceledError) Unwrap() []error {
	if e.Last == nil {
		return []error{e.Cause}
	}
	return []error{e.Cause, e.Last}
}

// newCanceledError is the error of operation op whose context ctx has ended.
func newCanceledError(ctx context.Context, op string, last error) *CanceledError {
	cause := ctx.Err()
	if cause == nil {
		cause = context.Canceled
	}
	return &CanceledError{Operation: op, Cause: cause, Last: last}
}

// IsCanceled reports whether err ended an operation because its caller was canceled
// (Terraform interrupted): raising timeouts or retries would not have helped.
func IsCanceled(err error) bool {
	var e *CanceledError
	return errors.As(err, &e) && errors.Is(e.Cause, context.Canceled)
}

// IsDeadlineExceeded reports whether err ended an operation because the caller's
// deadline passed (a resource's timeouts block, or the provider's default budget), as
// opposed to one attempt's request timeout.
func IsDeadlineExceeded(err error) bool {
	var e *CanceledError
	return errors.As(err, &e) && errors.Is(e.Cause, context.DeadlineExceeded)
}
