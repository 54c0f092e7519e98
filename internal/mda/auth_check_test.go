package mda

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckCredentials_legacyTokenSendsNothing(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) { emptyPage(w) })
	c, _, _ := testClient(t, srv.URL)
	if err := c.CheckCredentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "requests", srv.count(), 0)
	mustEqual(t, "client requests", c.Stats().Requests, int64(0))
}

func TestCheckCredentials_tokenIsFetchedOnceAndReused(t *testing.T) {
	e := newEntra(t)
	api := bearerAPI(t, func(tok string) bool { return tok == "tok-1" })
	c, _, _ := testClient(t, api.URL, withEntra(e))
	if err := c.CheckCredentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "token fetches after the check", e.fetches.Load(), int64(1))
	mustEqual(t, "API requests after the check", api.count(), 0)
	for range 3 {
		if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	mustEqual(t, "token fetches after three requests", e.fetches.Load(), int64(1))
	mustEqual(t, "API requests", api.count(), 3)
}

func TestCheckCredentials_refusedSecretFailsAtOnce(t *testing.T) {
	e := newEntra(t)
	e.fail = func(w http.ResponseWriter) bool {
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"error":             "invalid_client",
			"error_description": "AADSTS7000215: Invalid client secret provided.",
		})
		return true
	}
	api := bearerAPI(t, func(string) bool { return true })
	c, _, _ := testClient(t, api.URL, withEntra(e))
	err := c.CheckCredentials(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || !strings.Contains(te.Description, "AADSTS7000215") {
		t.Fatalf("err = %v, want a TokenError with AADSTS7000215", err)
	}
	// A refused secret does not improve with retries, and MDA is never asked.
	mustEqual(t, "token fetches", e.fetches.Load(), int64(1))
	mustEqual(t, "API requests", api.count(), 0)
}

func TestCheckCredentials_outageIsRetriedUpToMaxRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int64
		wantErr  bool
	}{
		{"recovers", 2, false},
		{"stays down", 100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEntra(t)
			var failures atomic.Int64
			e.fail = func(w http.ResponseWriter) bool {
				if failures.Add(1) > tc.failures {
					return false
				}
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			api := bearerAPI(t, func(string) bool { return true })
			c, _, logger := testClient(t, api.URL, withEntra(e)) // three retries
			err := c.CheckCredentials(context.Background())
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			wantFetches := min(tc.failures+1, 4)
			mustEqual(t, "token fetches", e.fetches.Load(), wantFetches)
			mustEqual(t, "retry log lines", len(logger.find("retrying the Entra ID sign-in")), int(wantFetches-1))
			mustEqual(t, "API requests", api.count(), 0)
		})
	}
}

func TestCheckCredentials_endsWithItsContext(t *testing.T) {
	e := newEntra(t)
	e.fail = func(w http.ResponseWriter) bool {
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	c, _, _ := testClient(t, "http://127.0.0.1:9", withEntra(e))
	ctx, cancel := context.WithCancel(context.Background())
	// The first retry's wait ends the context: the check must give up there rather than
	// run out its retries.
	c.jitter = func(d time.Duration) time.Duration { cancel(); return d }
	err := c.CheckCredentials(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	mustEqual(t, "token fetches", e.fetches.Load(), int64(1))
}

func TestCheckCredentials_silentLoginHostIsAskedThreeTimesOnly(t *testing.T) {
	silent := newServer(t, func(_ http.ResponseWriter, r *http.Request) {
		// The server notices the client leaving only once the body has been read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	})
	c, _, _ := testClient(t, "http://127.0.0.1:9", func(cfg *Config) {
		cfg.APIToken = ""
		cfg.TenantID, cfg.ClientID, cfg.ClientSecret = testTenant, testApp, testSecret
		cfg.AuthorityURL = silent.URL
		cfg.RequestTimeout = 100 * time.Millisecond
		cfg.MaxRetries = 5
	})
	err := c.CheckCredentials(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a TokenError for a timeout", err)
	}
	mustEqual(t, "token requests", silent.count(), 1+maxNoAnswerRetries)
}
