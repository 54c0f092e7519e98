package mda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Microsoft Graph beta serves the content of Cloud Discovery reports (graph-discovery.md):
// the only documented way to read which apps a tenant uses. Graph is another service with
// another token audience and another budget, so its requests go through the same send
// path as MDA's (retries, errors, timeouts) but with their own authorizer, base URL and
// limiter: a page of discovered apps never spends the tenant's 30 MDA requests a minute.

const (
	// DefaultGraphURL is Microsoft Graph in the global service, the only cloud where the
	// Cloud Discovery API exists (graph-discovery.md 3.6).
	DefaultGraphURL = "https://graph.microsoft.com"
	// graphResource is the audience of Graph tokens. It stays the global one when
	// Config.GraphURL points elsewhere (a mock, a proxy): the token is for Graph wherever
	// its requests are sent.
	graphResource = "https://graph.microsoft.com"
	// GraphPermission is the application permission every Cloud Discovery call needs.
	GraphPermission = "CloudApp-Discovery.Read.All"
	// graphRequestsPerMinute bounds Graph requests. Graph documents no limit for this API;
	// one was seen throttling a fast probe (graph-discovery.md 6), and a data source needs
	// a few pages, so a modest pace costs nothing and avoids most 429s.
	graphRequestsPerMinute = 120
	// graphPageSize is Graph's fixed page for these collections.
	graphPageSize = 100
)

// audience is what a token is for: the v2 scope and the v1 resource (managed identity).
type audience struct {
	scope    string
	resource string
}

var (
	mdaAudience   = audience{scope: mdaScope, resource: mdaResource}
	graphAudience = audience{scope: graphResource + "/.default", resource: graphResource}
)

// graphTarget is how the client reaches Graph, or why it cannot.
type graphTarget struct {
	baseURL string // with /beta, no trailing slash
	auth    authorizer
	limiter *limiter
	// unavailable explains, before any request, why this configuration cannot call the
	// Cloud Discovery API; nil when it can.
	unavailable error
}

// ErrGraphUnavailable is wrapped by the error GraphAvailable returns.
var ErrGraphUnavailable = errors.New("the Microsoft Graph Cloud Discovery API cannot be used with this configuration")

// newGraphTarget prepares Graph for cfg. It makes no request: the token is fetched on
// the first Graph call, so configurations that never read discovered apps never sign in
// to Graph.
func newGraphTarget(cfg *Config, hc *http.Client, clock Clock, logger Logger, timeout time.Duration) (*graphTarget, error) {
	g := &graphTarget{limiter: newLimiter(graphRequestsPerMinute, clock, logger, nil)}
	g.limiter.service = "Microsoft Graph"
	base := cfg.GraphURL
	if base == "" {
		base = DefaultGraphURL
	}
	g.baseURL = strings.TrimRight(base, "/") + "/beta"
	cloud, _ := LookupCloud(cfg.Environment)
	switch {
	case cfg.APIToken != "":
		g.unavailable = fmt.Errorf("%w: a legacy API token is an MDA credential and cannot sign in to Microsoft Graph; "+
			"configure an Entra application (client secret, certificate or federated token) or a managed identity "+
			"with the Graph application permission %s and admin consent", ErrGraphUnavailable, GraphPermission)
	case cfg.UseCLI:
		g.unavailable = fmt.Errorf("%w: Azure CLI tokens never carry the Graph permission %s, so every call would be refused; "+
			"configure an Entra application (client secret, certificate or federated token) or a managed identity "+
			"with that application permission and admin consent", ErrGraphUnavailable, GraphPermission)
	case cloud.Name != "public":
		g.unavailable = fmt.Errorf("%w: Microsoft documents the Cloud Discovery API of Graph for the global service only, "+
			"not for the %s cloud (GCC High, DoD and China have none); read continuous reports with mda_discovery_streams "+
			"and mda_discovery_categories instead", ErrGraphUnavailable, cloud.Name)
	}
	if g.unavailable != nil {
		// Not an error of New: only the Graph data sources need Graph, and they report
		// g.unavailable through GraphAvailable.
		return g, nil //nolint:nilerr // unavailable is an answer for later, not a failure now
	}
	src, err := newTokenSource(cfg, hc, clock, timeout, graphAudience)
	if err != nil {
		return nil, err
	}
	g.auth = newBearerAuth(src, clock, logger)
	return g, nil
}

// GraphAvailable reports, without a request, whether this client can call the Graph
// Cloud Discovery API; the error (wrapping ErrGraphUnavailable) says why not and what to
// configure instead. Data sources call it first, so a wrong setup fails at plan time.
func (c *Client) GraphAvailable() error { return c.graph.unavailable }

// GraphURL is the Graph base the client sends Cloud Discovery requests to, with /beta.
func (c *Client) GraphURL() string { return c.graph.baseURL }

// GraphStats counts the client's Graph requests, apart from MDA's.
func (c *Client) GraphStats() Stats {
	return Stats{Requests: c.graphRequests.Load(), Retries: c.graphRetries.Load(), Throttled: c.graphThrottled.Load()}
}

// newGraphOperation is a Graph GET under /beta: pattern's {placeholders} are filled with
// params, path-escaped (which keeps the quotes and parentheses of OData function calls,
// as every working client sends them).
func newGraphOperation(name, pattern string, params ...string) operation {
	op := newOperation(name, "GET", pattern, GraphPermission, classRead, params...)
	op.route = "GET /beta" + pattern
	op.graph = true
	return op
}

// withQuery returns op addressing its path with query appended. OData wants "$filter"
// as written and spaces as %20 (a "+" is not a space to every OData server).
func (op operation) withQuery(q url.Values) operation {
	if len(q) == 0 {
		return op
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, k+"="+strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	op.path += "?" + strings.Join(parts, "&")
	return op
}

// graphGet sends one Graph GET and decodes the answer into out.
func (c *Client) graphGet(ctx context.Context, op operation, out any) error {
	if err := c.GraphAvailable(); err != nil {
		return fmt.Errorf("%s: %w", op.name, err)
	}
	return c.do(ctx, op, nil, out)
}

// GraphListResult is what a paged Graph listing returned.
type GraphListResult struct {
	// Items are the raw objects, in the order Graph sent them.
	Items []json.RawMessage
	// Truncated is true when more items existed than the caller's maximum.
	Truncated bool
	// Requests is the number of pages fetched.
	Requests int
}

type graphPage struct {
	// Value is a pointer so that an answer without it (an empty object, an error page
	// served with 200) is told apart from an empty collection.
	Value    *[]json.RawMessage `json:"value"`
	NextLink string             `json:"@odata.nextLink"`
}

// graphList reads a Graph collection to the end, or to maxItems items (<= 0: all),
// following @odata.nextLink verbatim as Graph asks (never taking it apart). A link to
// another host than the configured Graph URL is refused, since the token would go with
// it; a link that repeats itself ends the walk with an error rather than a loop.
func (c *Client) graphList(ctx context.Context, op operation, maxItems int) (GraphListResult, error) {
	var res GraphListResult
	if err := c.GraphAvailable(); err != nil {
		return res, fmt.Errorf("%s: %w", op.name, err)
	}
	seen := map[string]bool{}
	for {
		var page graphPage
		if err := c.do(ctx, op, nil, &page); err != nil {
			return res, err
		}
		res.Requests++
		if page.Value == nil {
			return res, fmt.Errorf("%s: Microsoft Graph answered without the \"value\" list of a collection, so the result would be "+
				"incomplete; check that graph_url is a Microsoft Graph host", op.name)
		}
		for _, item := range *page.Value {
			if maxItems > 0 && len(res.Items) >= maxItems {
				res.Truncated = true
				return res, nil
			}
			res.Items = append(res.Items, item)
		}
		if page.NextLink == "" {
			return res, nil
		}
		if maxItems > 0 && len(res.Items) >= maxItems {
			// More pages exist; reading one only to learn that costs a request.
			res.Truncated = true
			return res, nil
		}
		if len(*page.Value) == 0 {
			return res, fmt.Errorf("%s: Microsoft Graph sent an empty page with a link to another one; stopped to avoid a loop", op.name)
		}
		if seen[page.NextLink] {
			return res, fmt.Errorf("%s: Microsoft Graph sent the same next-page link twice (%s); stopped to avoid a loop", op.name, page.NextLink)
		}
		seen[page.NextLink] = true
		next, err := c.graphNext(op, page.NextLink)
		if err != nil {
			return res, err
		}
		op = next
	}
}

// graphNext is op addressed at an @odata.nextLink.
func (c *Client) graphNext(op operation, link string) (operation, error) {
	u, err := url.Parse(link)
	base, _ := url.Parse(c.graph.baseURL)
	if err != nil || base == nil || !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return op, fmt.Errorf("%s: Microsoft Graph's next-page link %q is not on %s; it was not followed, so that the token "+
			"is not sent elsewhere", op.name, link, c.graph.baseURL)
	}
	op.absURL = link
	return op, nil
}

// graphThrottleDelay reads the wait out of Graph's Django-style 429 body, which came
// through Graph without a Retry-After in the one live capture (graph-discovery.md 6):
// {"detail":"Request was throttled. Expected available in 1 second."}.
var graphThrottleDelay = regexp.MustCompile(`available in (\d+(?:\.\d+)?) seconds?`)

func parseThrottleDetail(body []byte) (time.Duration, bool) {
	m := graphThrottleDelay.FindSubmatch(body)
	if m == nil {
		return 0, false
	}
	secs, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil || secs < 0 {
		return 0, false
	}
	return time.Duration(min(secs, 24*3600) * float64(time.Second)), true
}
