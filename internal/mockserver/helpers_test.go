package mockserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "t0ken-for-tests"

// fakeClock is the injected clock: tests move time instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 8, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type testMock struct {
	*Server
	http  *httptest.Server
	clock *fakeClock
	t     *testing.T
}

// newTestMock starts a mock on an httptest server with a fake clock, a legacy token and
// no throttling unless opts says otherwise.
func newTestMock(t *testing.T, opts Options) *testMock {
	t.Helper()
	clock := newFakeClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.Tokens == nil {
		opts.Tokens = []string{testToken}
	}
	if opts.Rate == 0 {
		opts.Rate = -1
	}
	s := New(opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &testMock{Server: s, http: hs, clock: clock, t: t}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

// call sends body (a string sent as is, anything else as JSON) with auth as the whole
// Authorization header ("" for none).
func (m *testMock) call(method, path, auth string, body any) response {
	m.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
		ct = "application/json"
	case url.Values:
		rd = strings.NewReader(b.Encode())
		ct = "application/x-www-form-urlencoded"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			m.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
		ct = "application/json"
	}
	req, err := http.NewRequestWithContext(m.t.Context(), method, m.http.URL+path, rd)
	if err != nil {
		m.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := m.http.Client().Do(req)
	if err != nil {
		m.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		m.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: out}
}

// api calls with the legacy test token.
func (m *testMock) api(method, path string, body any) response {
	m.t.Helper()
	return m.call(method, path, "Token "+testToken, body)
}

func (m *testMock) mustStatus(r response, want int) response {
	m.t.Helper()
	if r.status != want {
		m.t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	return r
}

// create makes a range through the API and returns its id.
func (m *testMock) create(body map[string]any) string {
	m.t.Helper()
	r := m.mustStatus(m.api("POST", "/api/v1/subnet/create_rule/", body), 200)
	var id string
	r.json(m.t, &id)
	return id
}

type envelope struct {
	Data          []map[string]any `json:"data"`
	HasNext       bool             `json:"hasNext"`
	Max           int              `json:"max"`
	Total         int              `json:"total"`
	MoreThanTotal bool             `json:"moreThanTotal"`
}

func (m *testMock) list(body any) envelope {
	m.t.Helper()
	var env envelope
	m.mustStatus(m.api("POST", "/api/v1/subnet/", body), 200).json(m.t, &env)
	return env
}

func names(env envelope) []string {
	out := make([]string, len(env.Data))
	for i, d := range env.Data {
		out[i] = str(d["name"])
	}
	return out
}

// formErrorsOf decodes a 400 forms body and returns its errors for one field.
func formErrorsOf(t *testing.T, r response, field string) []formError {
	t.Helper()
	if r.status != 400 {
		t.Fatalf("status %d, want 400; body %s", r.status, r.body)
	}
	var body map[string]json.RawMessage
	r.json(t, &body)
	if string(body["error"]) != "true" {
		t.Fatalf(`body lacks "error": true: %s`, r.body)
	}
	var errs []formError
	if err := json.Unmarshal(body[field], &errs); err != nil || len(errs) == 0 {
		t.Fatalf("no errors keyed %q in %s", field, r.body)
	}
	for _, e := range errs {
		if e.Code != formErrorCode {
			t.Errorf("errorMessageCode = %v", e.Code)
		}
		if _, ok := e.Params["value"]; !ok {
			t.Errorf("errorMessageParams lacks value: %+v", e)
		}
	}
	return errs
}

// str reads a decoded JSON string, "" if it is not one.
func str(v any) string {
	s, _ := v.(string)
	return s
}
