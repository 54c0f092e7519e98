package mda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// graphServer is an Entra token endpoint and a Graph collection of n items in one
// server. It records the scopes asked for and the requests that reached Graph.
type graphServer struct {
	*countingServer
	mu       sync.Mutex
	scopes   []string
	requests []*http.Request
	// page answers one Graph request; nil serves the collection in pages of 100.
	page func(w http.ResponseWriter, r *http.Request, n int) bool
}

func newGraphServer(t *testing.T, items int) *graphServer {
	g := &graphServer{}
	g.countingServer = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
			_ = r.ParseForm()
			g.mu.Lock()
			g.scopes = append(g.scopes, r.PostForm.Get("scope"))
			g.mu.Unlock()
			writeJSON(w, http.StatusOK, map[string]any{"access_token": "graph-token", "token_type": "Bearer", "expires_in": 3600})
			return
		}
		g.mu.Lock()
		g.requests = append(g.requests, r)
		n := len(g.requests)
		g.mu.Unlock()
		if g.page != nil && g.page(w, r, n) {
			return
		}
		skip := 0
		if s := r.URL.Query().Get("$skip"); s != "" {
			_, _ = fmt.Sscan(s, &skip)
		}
		value := []map[string]any{}
		for i := skip; i < min(items, skip+graphPageSize); i++ {
			value = append(value, map[string]any{"id": fmt.Sprint(i)})
		}
		body := map[string]any{"value": value}
		if skip+graphPageSize < items {
			// An opaque token beside $skip: the client must not rebuild the link.
			body["@odata.nextLink"] = fmt.Sprintf("http://%s%s?$skip=%d&$skiptoken=x%%27y", r.Host, r.URL.Path, skip+graphPageSize)
		}
		writeJSON(w, http.StatusOK, body)
	})
	return g
}

func graphClient(t *testing.T, g *graphServer, mutate ...func(*Config)) (*Client, *fakeClock, *recordingLogger) {
	t.Helper()
	return testClient(t, g.URL, append([]func(*Config){func(c *Config) {
		c.APIToken = ""
		c.TenantID, c.ClientID, c.ClientSecret = "t", "app", "s"
		c.AuthorityURL, c.GraphURL = g.URL, g.URL
	}}, mutate...)...)
}

var testGraphOp = newGraphOperation("list discovered apps",
	"/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/{id}/aggregatedAppsDetails(period=duration'{period}')", "s1", "P30D")

func TestGraph_listFollowsNextLinkVerbatim(t *testing.T) {
	g := newGraphServer(t, 250)
	c, _, _ := graphClient(t, g)
	res, err := c.graphList(context.Background(), testGraphOp.withQuery(url.Values{"$filter": {"riskScore le 4"}}), 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), 250)
	mustEqual(t, "pages", res.Requests, 3)
	mustEqual(t, "graph requests", c.GraphStats().Requests, int64(3))
	// Graph requests spend Graph's budget, never the tenant's 30 MDA requests a minute.
	mustEqual(t, "MDA requests", c.Stats().Requests, int64(0))
	mustEqual(t, "MDA limiter stamps", len(c.limiter.stamps), 0)
	mustEqual(t, "token scope", strings.Join(g.scopes, ","), "https://graph.microsoft.com/.default")

	first := g.requests[0]
	mustEqual(t, "path", first.URL.EscapedPath(), "/beta/security/dataDiscovery/cloudAppDiscovery/uploadedStreams/s1/aggregatedAppsDetails(period=duration'P30D')")
	mustEqual(t, "query as sent", first.URL.RawQuery, "$filter=riskScore%20le%204")
	mustEqual(t, "Prefer", first.Header.Get("Prefer"), "include-unknown-enum-members")
	mustEqual(t, "Authorization", first.Header.Get("Authorization"), "Bearer graph-token")
	mustEqual(t, "second page query", g.requests[1].URL.RawQuery, "$skip=100&$skiptoken=x%27y")
}

func TestGraph_listStopsAtMaxItemsWithoutAnotherPage(t *testing.T) {
	g := newGraphServer(t, 250)
	c, _, _ := graphClient(t, g)
	res, err := c.graphList(context.Background(), testGraphOp, 100)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), 100)
	mustEqual(t, "truncated", res.Truncated, true)
	mustEqual(t, "pages", res.Requests, 1)
}

func TestGraph_emptyCollection(t *testing.T) {
	g := newGraphServer(t, 0)
	c, _, _ := graphClient(t, g)
	res, err := c.graphList(context.Background(), testGraphOp, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "items", len(res.Items), 0)
	mustEqual(t, "pages", res.Requests, 1)
}

func TestGraph_answerWithoutValueIsAnError(t *testing.T) {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		writeJSON(w, http.StatusOK, map[string]any{})
		return true
	}
	c, _, _ := graphClient(t, g)
	if _, err := c.graphList(context.Background(), testGraphOp, 0); err == nil || !strings.Contains(err.Error(), `without the "value" list`) {
		t.Fatalf("want an error for an answer without value, got %v", err)
	}
}

func TestGraph_refusesNextLinkToAnotherHost(t *testing.T) {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{"id": "1"}}, "@odata.nextLink": "https://evil.example/beta/x?$skip=100"})
		return true
	}
	c, _, _ := graphClient(t, g)
	_, err := c.graphList(context.Background(), testGraphOp, 0)
	if err == nil || !strings.Contains(err.Error(), "was not followed") {
		t.Fatalf("want a refused link, got %v", err)
	}
	mustEqual(t, "graph requests", c.GraphStats().Requests, int64(1))
}

func TestGraph_repeatedNextLinkIsAnError(t *testing.T) {
	g := newGraphServer(t, 0)
	g.page = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{"id": "1"}}, "@odata.nextLink": "http://" + r.Host + "/beta/x?$skip=1"})
		return true
	}
	c, _, _ := graphClient(t, g)
	_, err := c.graphList(context.Background(), testGraphOp, 0)
	if err == nil || !strings.Contains(err.Error(), "same next-page link twice") {
		t.Fatalf("want a loop error, got %v", err)
	}
}

func TestGraph_throttleIsWaitedOutWithItsOwnLimiter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string
		wantWait   string
	}{
		{"Retry-After header", "3", "3s"},
		// The one live capture had only the Django-style body (graph-discovery.md 6).
		{"detail body only", "", "1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGraphServer(t, 1)
			g.page = func(w http.ResponseWriter, _ *http.Request, n int) bool {
				if n > 1 {
					return false
				}
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				writeJSON(w, http.StatusTooManyRequests, map[string]string{"detail": "Request was throttled. Expected available in 1 second."})
				return true
			}
			c, _, logger := graphClient(t, g)
			res, err := c.graphList(context.Background(), testGraphOp, 0)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "items", len(res.Items), 1)
			mustEqual(t, "graph throttled", c.GraphStats().Throttled, int64(1))
			mustEqual(t, "graph retries", c.GraphStats().Retries, int64(1))
			retries := logger.find("retrying Microsoft Graph request")
			if len(retries) != 1 {
				t.Fatalf("want one retry log entry, got %v", logger.text())
			}
			mustEqual(t, "wait", retries[0].fields["wait"], any(tc.wantWait))
			// Graph's 429 says nothing about MDA's budget.
			if !c.limiter.penaltyUntil.IsZero() {
				t.Fatalf("the MDA limiter was penalised until %s", c.limiter.penaltyUntil)
			}
			if c.graph.limiter.penaltyUntil.IsZero() {
				t.Fatal("the Graph limiter was not held after a 429")
			}
		})
	}
}

func TestGraph_errorShapesAndPermission(t *testing.T) {
	for _, tc := range []struct {
		name, body, wantMsg, wantCode string
		status                        int
	}{
		{"graph envelope", `{"error":{"code":"Forbidden","message":"Missing role","innerError":{"request-id":"r1"}}}`, "Missing role", "Forbidden", 403},
		{"detail", `{"detail":"Insufficient role based permissions"}`, "Insufficient role based permissions", "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGraphServer(t, 0)
			g.page = func(w http.ResponseWriter, _ *http.Request, _ int) bool {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
				return true
			}
			c, _, _ := graphClient(t, g)
			_, err := c.graphList(context.Background(), testGraphOp, 0)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *APIError, got %T %v", err, err)
			}
			mustEqual(t, "message", apiErr.Message, tc.wantMsg)
			mustEqual(t, "code", apiErr.Code, tc.wantCode)
			if !strings.Contains(err.Error(), GraphPermission) || !strings.Contains(err.Error(), "admin consent") {
				t.Fatalf("the error does not name the permission and admin consent: %v", err)
			}
		})
	}
}

func TestGraph_unavailableConfigurationsSendNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"legacy token", func(c *Config) { c.TenantID, c.ClientID, c.ClientSecret, c.APIToken = "", "", "", "k" }, "legacy API token"},
		{"azure cli", func(c *Config) { c.ClientID, c.ClientSecret, c.UseCLI = "", "", true }, "Azure CLI"},
		{"us government", func(c *Config) { c.Environment = "usgovernment" }, "usgovernment"},
		{"china", func(c *Config) { c.Environment = "china" }, "china"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGraphServer(t, 1)
			c, _, _ := graphClient(t, g, tc.mutate)
			err := c.GraphAvailable()
			if !errors.Is(err, ErrGraphUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("GraphAvailable = %v, want one naming %q", err, tc.want)
			}
			if _, err := c.graphList(context.Background(), testGraphOp, 0); !errors.Is(err, ErrGraphUnavailable) {
				t.Fatalf("graphList = %v", err)
			}
			var out json.RawMessage
			if err := c.graphGet(context.Background(), testGraphOp, &out); !errors.Is(err, ErrGraphUnavailable) {
				t.Fatalf("graphGet = %v", err)
			}
			mustEqual(t, "requests", g.count(), 0)
		})
	}
}
