package mda

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testTenant = "11111111-2222-3333-4444-555555555555"
	testApp    = "app-client-id"
	testSecret = "s3cret-Value~with.chars"
)

// entra is a token endpoint that issues tok-1, tok-2, ... and counts its fetches.
type entra struct {
	*httptest.Server
	fetches   atomic.Int64
	expiresIn int
	fail      func(w http.ResponseWriter) bool // answers instead of issuing a token when it returns true
}

func newEntra(t *testing.T) *entra {
	t.Helper()
	e := &entra{expiresIn: 3599}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+testTenant+"/oauth2/v2.0/token" || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		_ = r.ParseForm()
		for k, want := range map[string]string{
			"grant_type":    "client_credentials",
			"client_id":     testApp,
			"client_secret": testSecret,
			"scope":         "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default",
		} {
			if got := r.PostForm.Get(k); got != want {
				t.Errorf("token request %s = %q, want %q", k, got, want)
			}
		}
		if e.fail != nil && e.fail(w) {
			e.fetches.Add(1)
			return
		}
		n := e.fetches.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type": "Bearer", "expires_in": e.expiresIn, "ext_expires_in": 0,
			"access_token": fmt.Sprintf("tok-%d", n),
		})
	}))
	t.Cleanup(e.Close)
	return e
}

func withEntra(e *entra) func(*Config) {
	return func(cfg *Config) {
		cfg.APIToken = ""
		cfg.TenantID, cfg.ClientID, cfg.ClientSecret = testTenant, testApp, testSecret
		cfg.AuthorityURL = e.URL
	}
}

// bearerAPI accepts the tokens in valid and answers 401 otherwise.
func bearerAPI(t *testing.T, valid func(token string) bool) *countingServer {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !valid(tok) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Invalid JSON Web Key Set"})
			return
		}
		emptyPage(w)
	})
}

func TestAuth_legacyTokenHeader(t *testing.T) {
	var got string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		emptyPage(w)
	})
	c, _, _ := testClient(t, srv.URL, func(cfg *Config) { cfg.APIToken = " abc123== " })
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "Authorization", got, "Token abc123==")
}

func TestAuth_clientSecretFetchesOneTokenForConcurrentRequests(t *testing.T) {
	e := newEntra(t)
	api := bearerAPI(t, func(tok string) bool { return tok == "tok-1" })
	c, _, logger := testClient(t, api.URL, withEntra(e))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mustEqual(t, "token fetches", e.fetches.Load(), int64(1))
	mustEqual(t, "API requests", api.count(), 20)
	if log := logger.text(); strings.Contains(log, "tok-1") || strings.Contains(log, testSecret) {
		t.Errorf("the log contains a token or the secret:\n%s", log)
	}
}

func TestAuth_tokenIsRenewedFiveMinutesBeforeExpiry(t *testing.T) {
	e := newEntra(t)
	api := bearerAPI(t, func(string) bool { return true })
	clk := newFakeClock()
	c, _, _ := testClient(t, api.URL, withEntra(e), func(cfg *Config) { cfg.Clock = clk })
	list := func() {
		t.Helper()
		if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	list()
	clk.Advance(3599*time.Second - 5*time.Minute - time.Second)
	list()
	mustEqual(t, "token fetches before the renewal point", e.fetches.Load(), int64(1))
	clk.Advance(time.Second)
	list()
	mustEqual(t, "token fetches after it", e.fetches.Load(), int64(2))
}

func TestAuth_shortLivedTokenIsRenewedAtHalfLife(t *testing.T) {
	e := newEntra(t)
	e.expiresIn = 60
	api := bearerAPI(t, func(string) bool { return true })
	clk := newFakeClock()
	c, _, _ := testClient(t, api.URL, withEntra(e), func(cfg *Config) { cfg.Clock = clk })
	for range 3 {
		if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	mustEqual(t, "token fetches", e.fetches.Load(), int64(1))
	clk.Advance(30 * time.Second)
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "token fetches after half its life", e.fetches.Load(), int64(2))
}

func TestAuth_401RefreshesTheTokenOnce(t *testing.T) {
	e := newEntra(t)
	// tok-1 was revoked: the API only accepts later tokens.
	api := bearerAPI(t, func(tok string) bool { return tok != "tok-1" })
	c, _, _ := testClient(t, api.URL, withEntra(e), func(cfg *Config) { cfg.MaxRetries = 0 })
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "token fetches", e.fetches.Load(), int64(2))
	mustEqual(t, "API requests", api.count(), 2)
	// The fresh token is cached: no more fetches.
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "token fetches", e.fetches.Load(), int64(2))
}

func TestAuth_persistent401IsReturned(t *testing.T) {
	e := newEntra(t)
	api := bearerAPI(t, func(string) bool { return false })
	c, _, _ := testClient(t, api.URL, withEntra(e))
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if !IsUnauthorized(err) {
		t.Fatalf("err = %v, want 401", err)
	}
	mustEqual(t, "token fetches", e.fetches.Load(), int64(2))
	mustEqual(t, "API requests", api.count(), 2)
	var apiErr *APIError
	errors.As(err, &apiErr)
	mustEqual(t, "Message", apiErr.Message, "Invalid JSON Web Key Set")
	mustEqual(t, "Permission", apiErr.Permission, "Settings.read or Investigation.read")
}

func TestAuth_legacy401IsNotRetried(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Invalid token"})
	})
	c, _, _ := testClient(t, srv.URL)
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if !IsUnauthorized(err) || !strings.Contains(err.Error(), "Invalid token") {
		t.Fatalf("err = %v, want 401 Invalid token", err)
	}
	mustEqual(t, "requests", srv.count(), 1)
}

func TestAuth_tokenEndpointErrorNamesTheAADSTSCodeNotTheSecret(t *testing.T) {
	e := newEntra(t)
	e.fail = func(w http.ResponseWriter) bool {
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"error": "invalid_client",
			"error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request " +
				"is the client secret value, not the client secret ID. Trace ID: 0000 Correlation ID: 1111 Timestamp: 2026-01-02",
			"error_codes": []int{7000215},
		})
		return true
	}
	api := bearerAPI(t, func(string) bool { return true })
	c, _, logger := testClient(t, api.URL, withEntra(e))
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"AADSTS7000215", "invalid_client", testApp, testTenant, "list IP ranges"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, testSecret) || strings.Contains(logger.text(), testSecret) {
		t.Errorf("the secret leaked: %q", msg)
	}
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_client" || te.StatusCode != 401 {
		t.Errorf("err = %#v, want a TokenError with invalid_client and 401", err)
	}
	// Refused credentials do not improve with retries, and no API request was spent.
	mustEqual(t, "token fetches", e.fetches.Load(), int64(1))
	mustEqual(t, "API requests", api.count(), 0)
}

func TestAuth_tokenEndpointEchoingTheSecretIsRedacted(t *testing.T) {
	e := newEntra(t)
	e.fail = func(w http.ResponseWriter) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "<html><body>bad request for secret %s</body></html>", testSecret)
		return true
	}
	api := bearerAPI(t, func(string) bool { return true })
	c, _, _ := testClient(t, api.URL, withEntra(e))
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	if err == nil || strings.Contains(err.Error(), testSecret) || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("err = %v, want the body with the secret redacted", err)
	}
}

func TestAuth_tokenEndpointOutageIsRetried(t *testing.T) {
	e := newEntra(t)
	var failures atomic.Int64
	e.fail = func(w http.ResponseWriter) bool {
		if failures.Add(1) > 2 {
			return false
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	api := bearerAPI(t, func(string) bool { return true })
	c, _, _ := testClient(t, api.URL, withEntra(e))
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "API requests", api.count(), 1)
}

func TestAuth_tokenURL(t *testing.T) {
	cfg := Config{TenantID: "contoso.onmicrosoft.com", ClientID: "a", ClientSecret: "b"}
	tokenURL := func() string {
		auth, err := newAuthorizer(&cfg, http.DefaultClient, realClock{}, discardLogger{}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		a, ok := auth.(*bearerAuth)
		if !ok {
			t.Fatal("client credentials did not make a bearer authorizer")
		}
		src, ok := a.src.(*clientSecretSource)
		if !ok {
			t.Fatalf("token source is %T", a.src)
		}
		return src.cfg.TokenURL
	}
	mustEqual(t, "token URL", tokenURL(), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
	cfg.AuthorityURL = "https://login.microsoftonline.us/"
	mustEqual(t, "sovereign token URL", tokenURL(), "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token")
}
