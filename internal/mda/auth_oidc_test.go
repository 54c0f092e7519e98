package mda

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const (
	fedSubject      = "repo:contoso/infra:ref:refs/heads/main"
	fedSubjectNext  = "system:serviceaccount:mda:terraform"
	ghRequestToken  = "gh-request-token-value"
	adoSystemToken  = "ado-system-access-token"
	adoConnectionID = "c0ffee00-0000-0000-0000-000000000001"
	adoSubject      = "sc://contoso/infra/mda-production"
)

// federatedMock is a mock whose app trusts the mock's GitHub-like and Azure DevOps-like
// issuers, on the fake clock the client uses too (assertion lifetimes are checked).
func federatedMock(t *testing.T, clk *fakeClock, audience string) *mockserver.Server {
	t.Helper()
	return startMock(t, mockserver.Options{
		RequireIDOnUpdate: true, Now: clk.Now, TokenLifetime: 2 * time.Minute,
		Clients: []mockserver.ClientCredential{{ID: mockApp, Roles: []string{"Settings.manage"}, Federated: []mockserver.FederatedIdentity{
			{Subject: fedSubject, Audience: audience},
			{Issuer: mockserver.GitHubIssuer, Subject: fedSubjectNext, Audience: audience},
			{Issuer: mockserver.AzureDevOpsIssuer, Subject: adoSubject},
		}}},
		OIDCRuns: []mockserver.OIDCRun{
			{RequestToken: ghRequestToken, Subject: fedSubject},
			{RequestToken: adoSystemToken, Subject: adoSubject, ServiceConnectionID: adoConnectionID},
		},
	})
}

func federatedClient(t *testing.T, m *mockserver.Server, clk *fakeClock, mutate func(*Config)) (*Client, *recordingLogger) {
	t.Helper()
	c, _, logger := mockClient(t, m, func(cfg *Config) {
		cfg.APIToken = ""
		cfg.TenantID, cfg.ClientID, cfg.AuthorityURL = m.Tenant(), mockApp, m.URL()
		cfg.Clock = clk
		mutate(cfg)
	})
	return c, logger
}

func listOnce(t *testing.T, c *Client) {
	t.Helper()
	if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
		t.Fatal(err)
	}
}

// assertNoSecretsLogged fails when any sign-in's assertion or access token is in the log.
func assertNoSecretsLogged(t *testing.T, m *mockserver.Server, logger *recordingLogger, more ...string) {
	t.Helper()
	log := logger.text()
	if !strings.Contains(log, "fetched an Entra ID access token") {
		t.Fatalf("the log lacks the token fetch, so this check would prove nothing:\n%s", log)
	}
	for _, in := range m.SignIns() {
		for _, s := range append([]string{in.Assertion, in.AccessToken}, more...) {
			if s != "" && strings.Contains(log, s) {
				t.Errorf("the log contains a secret (%.12s...)", s)
			}
		}
	}
}

func TestMock_oidcToken(t *testing.T) {
	clk := newAutoClock()
	m := federatedMock(t, clk, "")
	fed := m.IssueFederatedToken(mockserver.FederatedClaims{Subject: fedSubject})
	c, logger := federatedClient(t, m, clk, func(cfg *Config) { cfg.OIDCToken = fed })
	exerciseSubnets(t, m, c)
	in := m.SignIns()
	if len(in) != 1 || in[0].Method != mockserver.SignInFederated || in[0].Subject != fedSubject || in[0].Assertion != fed {
		t.Errorf("sign-ins = %+v", in)
	}
	assertNoSecretsLogged(t, m, logger, fed)
}

// The token file is read again on every fetch: Kubernetes and HCP Terraform replace it
// in place, and a token read once at start-up would expire under a long apply.
func TestMock_oidcTokenFileIsReadOnEveryFetch(t *testing.T) {
	clk := newAutoClock()
	m := federatedMock(t, clk, "")
	path := filepath.Join(t.TempDir(), "token")
	write := func(subject string) {
		if err := os.WriteFile(path, []byte(m.IssueFederatedToken(mockserver.FederatedClaims{Subject: subject})+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(fedSubject)
	c, logger := federatedClient(t, m, clk, func(cfg *Config) { cfg.OIDCTokenFilePath = path })
	listOnce(t, c)
	write(fedSubjectNext)
	listOnce(t, c) // the access token is still fresh: no new sign-in
	clk.Advance(61 * time.Second)
	listOnce(t, c)
	in := m.SignIns()
	if len(in) != 2 || in[0].Subject != fedSubject || in[1].Subject != fedSubjectNext {
		t.Fatalf("sign-ins = %+v, want the first file's subject, then the rotated file's", in)
	}
	assertNoSecretsLogged(t, m, logger)

	// A file that vanished is reported, and not retried.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	clk.Advance(61 * time.Second)
	_, err := c.ListSubnets(context.Background(), SubnetQuery{})
	var te *TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "reading the federated token file") || len(m.SignIns()) != 2 {
		t.Errorf("err = %v after %d sign-ins", err, len(m.SignIns()))
	}
}

func TestMock_githubActions(t *testing.T) {
	clk := newAutoClock()
	m := federatedMock(t, clk, "")
	c, logger := federatedClient(t, m, clk, func(cfg *Config) {
		cfg.OIDCRequestURL = m.URL() + "/_mock/oidc/token?api-version=2.0"
		cfg.OIDCRequestToken = ghRequestToken
	})
	exerciseSubnets(t, m, c)
	in := m.SignIns()
	if len(in) != 1 || in[0].Subject != fedSubject || in[0].Issuer != mockserver.GitHubIssuer || in[0].Audience != "api://AzureADTokenExchange" {
		t.Errorf("sign-ins = %+v", in)
	}
	assertNoSecretsLogged(t, m, logger, ghRequestToken)
	// A fresh federated token is asked for with every access token.
	clk.Advance(61 * time.Second)
	listOnce(t, c)
	mustEqual(t, "GitHub token requests", m.Stats().Routes["GET /_mock/oidc/token"], 2)
}

// In US Government the federated audience is api://AzureADTokenExchangeUSGov.
func TestMock_githubActionsUSGovernment(t *testing.T) {
	clk := newAutoClock()
	m := federatedMock(t, clk, "api://AzureADTokenExchangeUSGov")
	c, _ := federatedClient(t, m, clk, func(cfg *Config) {
		cfg.Environment = "usgovernment"
		cfg.OIDCRequestURL = m.URL() + "/_mock/oidc/token?api-version=2.0"
		cfg.OIDCRequestToken = ghRequestToken
	})
	listOnce(t, c)
	mustEqual(t, "audience", m.SignIns()[0].Audience, "api://AzureADTokenExchangeUSGov")
}

func TestMock_azureDevOps(t *testing.T) {
	clk := newAutoClock()
	m := federatedMock(t, clk, "")
	c, logger := federatedClient(t, m, clk, func(cfg *Config) {
		cfg.OIDCRequestURL = m.URL() + "/_mock/oidc/ado"
		cfg.OIDCRequestToken = adoSystemToken
		cfg.ADOServiceConnectionID = adoConnectionID
	})
	exerciseSubnets(t, m, c)
	in := m.SignIns()
	if len(in) != 1 || in[0].Subject != adoSubject || in[0].Issuer != mockserver.AzureDevOpsIssuer {
		t.Errorf("sign-ins = %+v", in)
	}
	assertNoSecretsLogged(t, m, logger, adoSystemToken)
}

func TestMock_federatedRefusals(t *testing.T) {
	clk := newAutoClock()
	m := federatedMock(t, clk, "")
	now := clk.Now()
	for _, tc := range []struct {
		name   string
		cfg    func(*Config)
		want   []string
		signIn bool // whether the token endpoint was asked at all
	}{
		{"expired token", func(cfg *Config) {
			cfg.OIDCToken = m.IssueFederatedToken(mockserver.FederatedClaims{Subject: fedSubject, IssuedAt: now.Add(-time.Hour), Expiry: now.Add(-50 * time.Minute)})
		}, []string{"AADSTS700024", "a federated token"}, true},
		{"wrong audience", func(cfg *Config) {
			cfg.OIDCToken = m.IssueFederatedToken(mockserver.FederatedClaims{Subject: fedSubject, Audience: "api://other"})
		}, []string{"AADSTS700212", "api://other"}, true},
		{"wrong subject", func(cfg *Config) {
			cfg.OIDCToken = m.IssueFederatedToken(mockserver.FederatedClaims{Subject: "repo:contoso/infra:pull_request"})
		}, []string{"AADSTS700213", "repo:contoso/infra:pull_request"}, true},
		{"bad GitHub request token", func(cfg *Config) {
			cfg.OIDCRequestURL, cfg.OIDCRequestToken = m.URL()+"/_mock/oidc/token?api-version=2.0", "expired-request-token"
		}, []string{"HTTP 401", "GitHub Actions ID-token endpoint", "refused to issue"}, false},
		{"unknown ADO service connection", func(cfg *Config) {
			cfg.OIDCRequestURL, cfg.OIDCRequestToken, cfg.ADOServiceConnectionID = m.URL()+"/_mock/oidc/ado", adoSystemToken, "11111111-0000-0000-0000-000000000000"
		}, []string{"HTTP 400", "No service connection found", "Azure DevOps (service connection 11111111"}, false},
		{"empty token file", func(cfg *Config) {
			path := filepath.Join(t.TempDir(), "empty")
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			cfg.OIDCTokenFilePath = path
		}, []string{"is empty"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, requests := len(m.SignIns()), m.Stats().Total
			var secret string
			c, logger := federatedClient(t, m, clk, func(cfg *Config) { tc.cfg(cfg); secret = cfg.OIDCToken + cfg.OIDCRequestToken })
			_, err := c.ListSubnets(context.Background(), SubnetQuery{})
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TokenError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if secret != "" && (strings.Contains(err.Error(), secret) || strings.Contains(logger.text(), secret)) {
				t.Error("the federated or request token leaked into the error or the log")
			}
			// A refusal is final: one sign-in at most, never a retry loop.
			want := 0
			if tc.signIn {
				want = 1
			}
			mustEqual(t, "sign-ins", len(m.SignIns())-before, want)
			if n := m.Stats().Total - requests; n > 1 {
				t.Errorf("%d requests to the mock, want at most one", n)
			}
		})
	}
}

// TestOIDCRequests pins the two CI requests down where the mock is lenient.
func TestOIDCRequests(t *testing.T) {
	var got []*http.Request
	ci := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Clone(context.Background()))
		if r.Method == http.MethodPost {
			writeJSON(w, http.StatusOK, map[string]any{"oidcToken": "ado-token"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"count": 1, "value": "gh-token"})
	})
	gh := newFederatedTokenSource(&Config{OIDCRequestURL: ci.URL + "/idtoken?api-version=2.0", OIDCRequestToken: "req"}, ci.Client(), "api://AzureADTokenExchange")
	ado := newFederatedTokenSource(&Config{OIDCRequestURL: ci.URL + "/oidctoken", OIDCRequestToken: "sys", ADOServiceConnectionID: "conn"}, ci.Client(), "ignored")
	for _, tc := range []struct {
		src  federatedSource
		want string
	}{{gh, "gh-token"}, {ado, "ado-token"}} {
		tok, err := tc.src.token(context.Background())
		if err != nil || tok != tc.want {
			t.Fatalf("token = %q, %v", tok, err)
		}
	}
	g, a := got[0], got[1]
	mustEqual(t, "GitHub method", g.Method, http.MethodGet)
	mustEqual(t, "GitHub query", g.URL.RawQuery, "api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange")
	mustEqual(t, "GitHub auth", g.Header.Get("Authorization"), "Bearer req")
	mustEqual(t, "ADO method", a.Method, http.MethodPost)
	mustEqual(t, "ADO query", a.URL.RawQuery, "api-version=7.1&serviceConnectionId=conn")
	mustEqual(t, "ADO auth", a.Header.Get("Authorization"), "Bearer sys")
	mustEqual(t, "ADO redirect", a.Header.Get("X-TFS-FedAuthRedirect"), "Suppress")
	mustEqual(t, "ADO content type", a.Header.Get("Content-Type"), "application/json")
}

// However many requests run at once, one federated token is asked for and one sign-in made.
func TestMock_federatedTokenSharedByConcurrentRequests(t *testing.T) {
	clk := newAutoClock()
	m := federatedMock(t, clk, "")
	c, _ := federatedClient(t, m, clk, func(cfg *Config) {
		cfg.OIDCRequestURL = m.URL() + "/_mock/oidc/token?api-version=2.0"
		cfg.OIDCRequestToken = ghRequestToken
	})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.ListSubnets(context.Background(), SubnetQuery{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mustEqual(t, "GitHub token requests", m.Stats().Routes["GET /_mock/oidc/token"], 1)
	mustEqual(t, "sign-ins", len(m.SignIns()), 1)
}
