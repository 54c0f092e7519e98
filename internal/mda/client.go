// Package mda is a client for the Microsoft Defender for Cloud Apps REST API
// (https://<tenant>.<region>.portal.cloudappsecurity.com/api). It knows nothing of
// Terraform.
//
// Every request goes through one path (Client.do) that adds the credentials, waits for
// the per-tenant rate limit (30 requests per minute by default, remembered across
// processes), retries what is safe to retry, and turns failures into *APIError,
// *AmbiguousError or *TokenError with messages a user can act on.
package mda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// maxResponseBody caps a successful response: a page holds at most 100 objects, far
// below this, so more means something is wrong.
const maxResponseBody = 32 << 20

// Client talks to one MDA tenant. It is safe for concurrent use; all its requests share
// one rate limiter and one token cache.
type Client struct {
	apiURL     string // the portal URL + "/api", no trailing slash
	http       *http.Client
	auth       authorizer
	limiter    *limiter
	clock      Clock
	logger     Logger
	userAgent  string
	maxRetries int
	// timeout bounds each attempt; 0 means the defaults of DefaultReadTimeout for reads
	// and DefaultRequestTimeout for writes.
	timeout time.Duration
	// jitter returns a random duration in [0, d]; tests make it deterministic.
	jitter func(d time.Duration) time.Duration

	requests, retries, throttled atomic.Int64

	// graph reaches Microsoft Graph for Cloud Discovery reports (graph.go), with its own
	// token, limiter and counters.
	graph                                       *graphTarget
	graphRequests, graphRetries, graphThrottled atomic.Int64

	// subnets is the run-scoped listing of custom ranges, kept current by this client's
	// writes; builtInSubnets lists the built-in ones, which only Microsoft changes.
	subnets, builtInSubnets subnetCache
	// subnetRecheck shares the fresh listing that confirms ranges missing from one.
	subnetRecheck subnetRecheck

	// alertBatches joins concurrent alert lookups and closes into shared requests.
	alertBatches alertBatches
}

// New checks cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.RequestsPerMinute == 0 {
		cfg.RequestsPerMinute = DefaultRequestsPerMinute
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger{}
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		// A clone, so that nothing this client does to its transport reaches other users
		// of http.DefaultTransport (terraform-provider-http does the same).
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			hc.Transport = t.Clone()
		}
	}
	// MDA's paths all end in "/"; a redirect means a wrong portal URL or a proxy, and
	// following it would turn a POST into a GET.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	var file *windowFile
	if cfg.WindowStateDir != "" {
		file = newWindowFile(cfg.WindowStateDir, apiBaseURL(cfg.PortalURL))
	}
	tokenTimeout := cfg.RequestTimeout
	if tokenTimeout == 0 {
		tokenTimeout = DefaultRequestTimeout
	}
	auth, err := newAuthorizer(&cfg, &hc, cfg.Clock, cfg.Logger, tokenTimeout)
	if err != nil {
		return nil, err
	}
	graph, err := newGraphTarget(&cfg, &hc, cfg.Clock, cfg.Logger, tokenTimeout)
	if err != nil {
		return nil, err
	}
	c := &Client{
		graph:      graph,
		apiURL:     apiBaseURL(cfg.PortalURL),
		http:       &hc,
		auth:       auth,
		limiter:    newLimiter(cfg.RequestsPerMinute, cfg.Clock, cfg.Logger, file),
		clock:      cfg.Clock,
		logger:     cfg.Logger,
		userAgent:  cfg.UserAgent,
		maxRetries: cfg.MaxRetries,
		timeout:    cfg.RequestTimeout,
		jitter:     fullJitter,
	}
	return c, nil
}

// Stats counts what a client has done, for tests and benchmarks.
type Stats struct {
	// Requests is the number of HTTP requests sent to MDA (attempts, not operations).
	Requests int64
	// Retries is the number of attempts after a first one.
	Retries int64
	// Throttled is the number of 429 answers.
	Throttled int64
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{Requests: c.requests.Load(), Retries: c.retries.Load(), Throttled: c.throttled.Load()}
}

// retryClass says what may be retried after a failure.
type retryClass int

const (
	// classRead is a GET: any transient failure may be retried.
	classRead retryClass = iota
	// classList is a POST that only reads (a listing): retried like a read.
	classList
	// classWrite changes data and is not safe to repeat (a create): retried only when
	// the request provably never reached MDA or was throttled.
	classWrite
	// classIdempotentWrite changes data, but repeating it leaves MDA as one success would
	// (an update that sends the whole object, a delete whose repeat answers 404, marking
	// or closing alerts): retried like a read. Its final failure after an attempt that
	// may have acted is still reported as ambiguous.
	classIdempotentWrite
)

// isWrite reports whether the class changes data.
func (rc retryClass) isWrite() bool { return rc == classWrite || rc == classIdempotentWrite }

// operation describes one kind of request.
type operation struct {
	name       string // in words, for errors: "create IP range"
	method     string
	path       string // under /api, with parameters filled in: "/v1/subnet/abc/"
	route      string // method and pattern, for errors and logs: "DELETE /api/v1/subnet/{id}/"
	accept     string // the Accept header; "" means JSON (doRaw's operations set their own)
	permission string // the MDA permission named in 401/403 errors
	class      retryClass
	// graph marks a Microsoft Graph request (graph.go); absURL, when set, is the whole
	// URL to request instead of path (an @odata.nextLink, followed verbatim).
	graph  bool
	absURL string
}

// The per-service parts of a request: MDA's or Graph's credentials, limiter, URL and counters.

func (c *Client) authFor(op operation) authorizer {
	if op.graph {
		return c.graph.auth
	}
	return c.auth
}

func (c *Client) limiterFor(op operation) *limiter {
	if op.graph {
		return c.graph.limiter
	}
	return c.limiter
}

func (c *Client) urlFor(op operation) string {
	switch {
	case op.absURL != "":
		return op.absURL
	case op.graph:
		return c.graph.baseURL + op.path
	}
	return c.apiURL + op.path
}

// serviceName names the service op goes to, in errors.
func serviceName(op operation) string {
	if op.graph {
		return "Microsoft Graph"
	}
	return "MDA"
}

// baseURLFor is the URL a user configured for op's service, for hints.
func (c *Client) baseURLFor(op operation) string {
	if op.graph {
		return strings.TrimSuffix(c.graph.baseURL, "/beta")
	}
	return c.portalURL()
}

func (c *Client) countRequest(op operation) {
	if op.graph {
		c.graphRequests.Add(1)
		return
	}
	c.requests.Add(1)
}

func (c *Client) countRetry(op operation) {
	if op.graph {
		c.graphRetries.Add(1)
		return
	}
	c.retries.Add(1)
}

func (c *Client) countThrottled(op operation) {
	if op.graph {
		c.graphThrottled.Add(1)
		return
	}
	c.throttled.Add(1)
}

// newOperation fills the {placeholders} of pattern (a path under /api that ends in "/")
// with params, in order, path-escaped.
func newOperation(name, method, pattern, permission string, class retryClass, params ...string) operation {
	path := pattern
	for _, p := range params {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path, '}')
		if i < 0 || j < i {
			panic("mda: more parameters than placeholders in " + pattern)
		}
		path = path[:i] + url.PathEscape(p) + path[j+1:]
	}
	if strings.Contains(path, "{") {
		panic("mda: unfilled placeholder in " + pattern)
	}
	return operation{
		name:       name,
		method:     method,
		path:       path,
		route:      method + " /api" + pattern,
		permission: permission,
		class:      class,
	}
}

// do sends one operation, with retries, and decodes a 2xx body into out (unless out is
// nil). body, when not nil, is sent as JSON.
func (c *Client) do(ctx context.Context, op operation, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s: encoding the request: %w", op.name, err)
		}
	}
	res, err := c.send(ctx, op, payload)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		err = fmt.Errorf("%s: %s answered HTTP %d with a body that is not the expected JSON (%s): %w",
			op.name, serviceName(op), res.resp.StatusCode, truncate(collapseSpace(string(res.body)), 100), err)
		if op.class.isWrite() {
			// The write succeeded, but what it returned (a new id, say) is lost.
			return &AmbiguousError{Operation: op.name, Err: err}
		}
		return err
	}
	return nil
}

// doRaw sends one operation, with retries, and returns a 2xx body as it came, for the
// operations whose answer is not JSON (a block script is plain text). A 2xx HTML page is
// the portal's shell or a proxy's, not the answer, and is an error.
func (c *Client) doRaw(ctx context.Context, op operation) ([]byte, error) {
	res, err := c.send(ctx, op, nil)
	if err != nil {
		return nil, err
	}
	if isHTML(res.resp.Header.Get("Content-Type"), res.body) {
		return nil, fmt.Errorf("%s: MDA answered HTTP %d with an HTML page instead of the expected text (%s): %s",
			op.name, res.resp.StatusCode, truncate(collapseSpace(htmlText(res.body)), 100), (&APIError{PortalURL: c.portalURL()}).portalHint())
	}
	return res.body, nil
}

// attemptResult is what one attempt produced: a response, or a failure to get one.
type attemptResult struct {
	resp *http.Response // body already read into body and closed
	body []byte
	// err is a failure to send the request or to read the response.
	err error
	// authErr is a failure to get credentials; nothing was sent.
	authErr error
	// wrote is true once the request may have reached the server.
	wrote bool
	// timedOut is true when this attempt ran out of its per-attempt timeout.
	timedOut bool
	// timeout is the per-attempt timeout the attempt ran with.
	timeout time.Duration
	// waitErr is set when the attempt never got a slot in the rate limit window.
	waitErr error
	// header is the Authorization value used, to invalidate it after a 401.
	header string
}

// send runs attempts until one succeeds or a failure is final.
func (c *Client) send(ctx context.Context, op operation, payload []byte) (attemptResult, error) {
	retries, noAnswers, attempts := 0, 0, 0
	reauthorized := false
	// acted is set once an attempt of a write may have changed something in MDA: from
	// then on, a failure without a clear answer is ambiguous.
	acted := false
	for attempt := 1; ; attempt++ {
		r := c.attempt(ctx, op, payload, attempt)
		if r.err == nil && r.authErr == nil && r.resp.StatusCode/100 == 2 {
			return r, nil
		}
		if r.wrote {
			attempts++
		}
		acted = acted || (op.class.isWrite() && r.mayHaveActed())
		if ctx.Err() != nil {
			return r, c.canceled(ctx, op, r, acted, attempts)
		}
		if r.resp != nil && r.resp.StatusCode == http.StatusUnauthorized && !reauthorized && c.authFor(op).invalidate(r.header) {
			// The token may have been revoked or rotated early; one fresh token is worth
			// a try, and it costs no retry.
			reauthorized = true
			c.logger.Log(ctx, LevelInfo, serviceName(op)+" refused the access token; fetching a new one", map[string]any{"route": op.route})
			continue
		}
		retry, lastErr := c.classify(op, r)
		if r.timedOut {
			noAnswers++
			var na *NoAnswerError
			if errors.As(lastErr, &na) {
				na.Attempts = noAnswers
			}
			// A portal that does not answer at all is not going to start within the
			// next few attempts; more of them only delay the error.
			retry = retry && noAnswers <= maxNoAnswerRetries
		}
		throttled := r.resp != nil && r.resp.StatusCode == http.StatusTooManyRequests
		var wait time.Duration
		if retry || throttled {
			wait = c.retryDelay(op, retries+1, r)
		}
		if throttled {
			c.countThrottled(op)
			// Someone else is spending the tenant's budget: hold every request of this
			// client (and, through the window file, of other processes) until then,
			// or for the longest wait the client accepts.
			c.limiterFor(op).Penalize(c.clock.Now().Add(min(wait, MaxRetryAfter)))
		}
		if retry && wait > MaxRetryAfter {
			retry = false
			lastErr = fmt.Errorf("%w; %s asked to wait %s before trying again (Retry-After), longer than the %s the client waits: try again later",
				lastErr, serviceName(op), wait.Round(time.Second), MaxRetryAfter)
		}
		if !retry || retries >= c.maxRetries {
			return r, c.final(op, r, lastErr, acted, attempts)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			// Waiting would end in the deadline anyway; saying so now saves the wait.
			err := &CanceledError{Operation: op.name, Cause: context.DeadlineExceeded, Wait: wait, Last: lastErr}
			return r, c.ambiguousIf(op, acted, attempts, err)
		}
		retries++
		c.countRetry(op)
		c.logger.Log(ctx, LevelInfo, "retrying "+serviceName(op)+" request", map[string]any{
			"route":   op.route,
			"attempt": attempt + 1,
			"wait":    wait.String(),
			"reason":  retryReason(r),
		})
		if err := c.sleep(ctx, wait); err != nil {
			return r, c.ambiguousIf(op, acted, attempts, newCanceledError(ctx, op.name, lastErr))
		}
	}
}

// final builds the error of an operation whose last attempt failed for good. A write
// that may have acted on an earlier or the last attempt is ambiguous, unless the last
// attempt got a clear answer (a 404 on a repeated delete, a 400 refusal).
func (c *Client) final(op operation, r attemptResult, err error, acted bool, attempts int) error {
	if r.definite() {
		return err
	}
	return c.ambiguousIf(op, acted, attempts, err)
}

func (c *Client) ambiguousIf(op operation, acted bool, attempts int, err error) error {
	if !acted {
		return err
	}
	return &AmbiguousError{Operation: op.name, Attempts: attempts, Err: err}
}

// canceled builds the error for an operation whose context ended.
func (c *Client) canceled(ctx context.Context, op operation, r attemptResult, acted bool, attempts int) error {
	var last error
	switch {
	case r.resp != nil:
		last = c.newAPIError(op, r.resp, r.body)
	case r.waitErr != nil:
		last = r.waitErr // says how long the rate limit had held it
	}
	err := newCanceledError(ctx, op.name, last)
	// An attempt cut off in flight may have reached MDA.
	return c.ambiguousIf(op, acted || (op.class.isWrite() && r.wrote), attempts, err)
}

// attemptTimeout is the per-attempt timeout for op: the configured one, or by default
// a short one for reads (a black-holed portal should fail a plan quickly) and a long one
// for writes (whose slow answer is better waited for than made ambiguous).
func (c *Client) attemptTimeout(op operation) time.Duration {
	switch {
	case c.timeout > 0:
		return c.timeout
	case op.class.isWrite():
		return DefaultRequestTimeout
	}
	return DefaultReadTimeout
}

// portalURL is the portal the client talks to, as a user configured it.
func (c *Client) portalURL() string { return strings.TrimSuffix(c.apiURL, "/api") }

// attempt sends the request once.
func (c *Client) attempt(ctx context.Context, op operation, payload []byte, attempt int) attemptResult {
	header, err := c.authFor(op).authorization(ctx)
	if err != nil {
		return attemptResult{authErr: err}
	}
	// The slot is taken after the token: a failed token fetch costs no MDA request.
	lim := c.limiterFor(op)
	sent, err := lim.Acquire(ctx)
	if err != nil {
		return attemptResult{err: err, waitErr: err, header: header}
	}
	defer lim.Done(sent)

	timeout := c.attemptTimeout(op)
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wrote atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		// Called once the request has been written, or failed while being written:
		// either way, some of it may have reached the server.
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	})
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, op.method, c.urlFor(op), body)
	if err != nil {
		return attemptResult{err: err, header: header}
	}
	req.Header.Set("Authorization", header)
	accept := "application/json"
	if op.accept != "" {
		accept = op.accept
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	if op.method == http.MethodPost || payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if op.graph {
		// Evolvable enums (new app categories, encryption protocols) come back as their
		// names instead of "unknownFutureValue" (graph-discovery.md 4.7).
		req.Header.Set("Prefer", "include-unknown-enum-members")
	}

	c.countRequest(op)
	start := time.Now()
	resp, err := c.http.Do(req)
	r := attemptResult{header: header, timeout: timeout}
	if err != nil {
		r.err, r.wrote = err, wrote.Load()
		r.timedOut = errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		c.logAttempt(ctx, op, attempt, start, 0, err)
		return r
	}
	limit := int64(maxResponseBody)
	if resp.StatusCode/100 != 2 {
		limit = maxErrorBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	_ = resp.Body.Close()
	r.resp, r.body, r.wrote = resp, data, true
	switch {
	case err != nil:
		r.err = fmt.Errorf("reading the response (HTTP %d): %w", resp.StatusCode, err)
		r.resp = nil
		r.timedOut = errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	case int64(len(data)) > limit && resp.StatusCode/100 == 2:
		r.err = fmt.Errorf("the response (HTTP %d) is larger than %d bytes", resp.StatusCode, limit)
		r.resp = nil
	case int64(len(data)) > limit:
		r.body = data[:limit]
	}
	c.logAttempt(ctx, op, attempt, start, resp.StatusCode, r.err)
	return r
}

func (c *Client) logAttempt(ctx context.Context, op operation, attempt int, start time.Time, status int, err error) {
	fields := map[string]any{
		"method":      op.method,
		"route":       op.route,
		"attempt":     attempt,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if status != 0 {
		fields["status"] = status
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	c.logger.Log(ctx, LevelDebug, serviceName(op)+" request", fields)
}

// sleep waits d on the client's clock, or until ctx ends.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.clock.After(d):
		return nil
	}
}

func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}
