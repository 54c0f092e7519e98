package mda

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mda-terraform/terraform-provider-mda/internal/mockserver"
)

const (
	systemIdentity = "66666666-6666-6666-6666-666666666666"
	userIdentity   = "77777777-7777-7777-7777-777777777777"
	identityHeader = "app-service-identity-header"
)

// Every managed-identity test names its endpoint on the mock; TestMain makes sure none
// reaches the real instance metadata service.
func msiMock(t *testing.T, clk *fakeClock) *mockserver.Server {
	t.Helper()
	return startMock(t, mockserver.Options{
		RequireIDOnUpdate: true, Now: clk.Now, TokenLifetime: 2 * time.Minute, IdentityHeader: identityHeader,
		ManagedIdentities: []mockserver.ManagedIdentity{
			{ClientID: systemIdentity, System: true, Roles: []string{"Settings.manage"}},
			{ClientID: userIdentity, Roles: []string{"Settings.read"}},
		},
	})
}

func msiClient(t *testing.T, m *mockserver.Server, clk *fakeClock, mutate func(*Config)) (*Client, *recordingLogger) {
	t.Helper()
	c, _, logger := mockClient(t, m, func(cfg *Config) {
		cfg.APIToken = ""
		cfg.UseMSI, cfg.Clock = true, clk
		mutate(cfg)
	})
	return c, logger
}

func TestMock_managedIdentityIMDS(t *testing.T) {
	clk := newAutoClock()
	m := msiMock(t, clk)
	c, logger := msiClient(t, m, clk, func(cfg *Config) { cfg.MSIEndpoint = m.URL() + "/metadata/identity/oauth2/token" })
	exerciseSubnets(t, m, c)
	mustEqual(t, "IMDS requests", m.Stats().Routes["GET /metadata/identity/oauth2/token"], 1)
	// IMDS says expires_in as a string; the token is renewed at half its two minutes.
	clk.Advance(61 * time.Second)
	listOnce(t, c)
	mustEqual(t, "IMDS requests after renewal", m.Stats().Routes["GET /metadata/identity/oauth2/token"], 2)
	for _, in := range m.SignIns() {
		if in.ClientID != systemIdentity || in.Error != "" {
			t.Errorf("sign-in = %+v", in)
		}
	}
	assertNoSecretsLogged(t, m, logger)
}

// A user-assigned identity is picked by client ID and has its own roles: this one may read
// but not write, and the refusal names the permission.
func TestMock_managedIdentityUserAssigned(t *testing.T) {
	clk := newAutoClock()
	m := msiMock(t, clk)
	c, _ := msiClient(t, m, clk, func(cfg *Config) {
		cfg.MSIEndpoint = m.URL() // a bare host gets the standard path
		cfg.ClientID = userIdentity
	})
	listOnce(t, c)
	_, err := c.CreateSubnet(context.Background(), SubnetInput{Name: "x", Category: CategoryVPN, Subnets: []string{"10.0.0.0/8"}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || !strings.Contains(apiErr.Permission, "Settings.manage") {
		t.Fatalf("err = %v, want 403 naming Settings.manage", err)
	}
	mustEqual(t, "identity", m.SignIns()[0].ClientID, userIdentity)
}

func TestMock_managedIdentityAppService(t *testing.T) {
	clk := newAutoClock()
	m := msiMock(t, clk)
	c, logger := msiClient(t, m, clk, func(cfg *Config) {
		cfg.MSIEndpoint, cfg.MSIIdentityHeader = m.URL()+"/msi/token", identityHeader
	})
	exerciseSubnets(t, m, c)
	mustEqual(t, "App Service requests", m.Stats().Routes["GET /msi/token"], 1)
	// expires_on only (Unix seconds in a string): renewal still happens on time.
	clk.Advance(61 * time.Second)
	listOnce(t, c)
	mustEqual(t, "App Service requests after renewal", m.Stats().Routes["GET /msi/token"], 2)
	assertNoSecretsLogged(t, m, logger, identityHeader)
}

func TestMock_managedIdentityRefusals(t *testing.T) {
	clk := newAutoClock()
	m := msiMock(t, clk)
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		want []string
	}{
		{"unknown identity", func(cfg *Config) {
			cfg.MSIEndpoint, cfg.ClientID = m.URL()+"/metadata/identity/oauth2/token", "88888888-8888-8888-8888-888888888888"
		}, []string{"HTTP 400", "Identity not found", "88888888-8888-8888-8888-888888888888", "IMDS endpoint"}},
		{"wrong identity header", func(cfg *Config) {
			cfg.MSIEndpoint, cfg.MSIIdentityHeader = m.URL()+"/msi/token", "stale-header"
		}, []string{"HTTP 401", "X-IDENTITY-HEADER", "App Service endpoint"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requests := m.Stats().Total
			c, logger := msiClient(t, m, clk, tc.cfg)
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
			if strings.Contains(err.Error(), "stale-header") || strings.Contains(logger.text(), "stale-header") {
				t.Error("the identity header leaked")
			}
			mustEqual(t, "requests", m.Stats().Total-requests, 1)
		})
	}
}

// The metadata endpoint is link-local: no proxy can reach it, so the managed-identity
// request must ignore one that the client's transport has.
func TestMSI_bypassesTheProxy(t *testing.T) {
	clk := newFakeClock()
	var calls int
	imds := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("Metadata") != "true" || r.URL.Query().Get("resource") != mdaResource || r.URL.Query().Get("api-version") != "2018-02-01" {
			t.Errorf("IMDS request %s %v", r.URL, r.Header)
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "mi-token", "expires_in": "3599", "token_type": "Bearer"})
	})
	proxy, _ := url.Parse("http://127.0.0.1:9") // nothing listens there
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	src := newMSISource(&Config{MSIEndpoint: imds.URL + "/metadata/identity/oauth2/token"}, hc, clk, 5*time.Second, mdaResource)
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "token", tok.AccessToken, "mi-token")
	mustEqual(t, "expires in", tok.ExpiresIn, int64(3599))
	mustEqual(t, "calls", calls, 1)
}

func TestMSI_defaultEndpoint(t *testing.T) {
	// No request is made: the test only reads where one would go.
	src := newMSISource(&Config{}, &http.Client{}, newFakeClock(), time.Second, mdaResource)
	mustEqual(t, "endpoint", src.endpoint, "http://169.254.169.254/metadata/identity/oauth2/token")
	src = newMSISource(&Config{MSIEndpoint: "http://169.254.169.254"}, &http.Client{}, newFakeClock(), time.Second, mdaResource)
	mustEqual(t, "bare host endpoint", src.endpoint, "http://169.254.169.254/metadata/identity/oauth2/token")
}
