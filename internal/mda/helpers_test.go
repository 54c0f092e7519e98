package mda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordingLogger keeps every entry, so tests can assert what was (and was not) logged.
type recordingLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	level  Level
	msg    string
	fields map[string]any
}

func (l *recordingLogger) Log(_ context.Context, level Level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{level, msg, fields})
}

func (l *recordingLogger) find(msg string) []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logEntry
	for _, e := range l.entries {
		if e.msg == msg {
			out = append(out, e)
		}
	}
	return out
}

// text renders every entry, to grep for secrets.
func (l *recordingLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, e := range l.entries {
		fmt.Fprintf(&b, "%s %s %v\n", e.level, e.msg, e.fields)
	}
	return b.String()
}

// testClient builds a client for srv with a legacy token, an auto-advancing fake clock,
// a generous limiter, three retries and jitter that always takes the full backoff.
func testClient(t *testing.T, portalURL string, mutate ...func(*Config)) (*Client, *fakeClock, *recordingLogger) {
	t.Helper()
	clk := newAutoClock()
	logger := &recordingLogger{}
	cfg := Config{
		PortalURL:         portalURL,
		APIToken:          "legacy-token-value",
		RequestsPerMinute: 10000,
		MaxRetries:        3,
		RequestTimeout:    5 * time.Second,
		Clock:             clk,
		Logger:            logger,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.jitter = func(d time.Duration) time.Duration { return d }
	return c, clk, logger
}

// countingServer serves handler and counts the requests that reach it.
type countingServer struct {
	*httptest.Server
	n atomic.Int64
}

func newServer(t *testing.T, handler http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		handler(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) count() int { return int(s.n.Load()) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// listBodyOf decodes a list request's body.
func listBodyOf(t *testing.T, r *http.Request) listBody {
	t.Helper()
	var b listBody
	data, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(data, &b); err != nil {
		t.Errorf("list body %q: %v", data, err)
	}
	return b
}

// servePage answers a list request from items, honouring skip and limit (clamped to 100).
func servePage(t *testing.T, w http.ResponseWriter, r *http.Request, items []map[string]any) {
	b := listBodyOf(t, r)
	limit := b.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	start := min(b.Skip, len(items))
	end := min(start+limit, len(items))
	writeJSON(w, http.StatusOK, map[string]any{
		"data":    items[start:end],
		"hasNext": end < len(items),
		"total":   len(items),
		"max":     limit,
	})
}

func subnetItems(n int) []map[string]any {
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{
			"_id":          fmt.Sprintf("%024x", i+1),
			"name":         fmt.Sprintf("range-%03d", i),
			"category":     1 + i%6,
			"subnets":      []map[string]any{{"mask": 120, "address": "0000:0000:0000:0000:0000:ffff:0a00:0000", "originalString": fmt.Sprintf("10.%d.0.0/24", i%256)}},
			"organization": nil,
			"tags":         []any{},
			"location":     nil,
			"lastModified": 1607952165309.8032,
			"_tid":         113348336,
		}
	}
	return items
}

func mustEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func readBody(r *http.Request) ([]byte, error) { return io.ReadAll(r.Body) }

func ioNopCloser(b []byte) io.ReadCloser { return io.NopCloser(strings.NewReader(string(b))) }
